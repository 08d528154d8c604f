package io.porthole.core;

import static io.porthole.core.action.ActionParser.optNumber;
import static io.porthole.core.action.ActionParser.optString;
import static io.porthole.core.action.ActionParser.present;

import com.fasterxml.jackson.databind.JsonNode;
import io.porthole.api.ErrorCode;
import io.porthole.core.PortholeException.InvalidRequest;
import io.porthole.core.internal.Threads;
import io.porthole.core.live.LiveEvent;
import io.porthole.core.sandbox.Sandbox;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs shell commands inside a computer ({@code /exec}, {@code /exec/sync}, {@code debug}): {@code bash -c}
 * in the computer's sandbox, in {@code cwd} (default {@code /workspace}), with {@code env} on top of the
 * sandbox's, as a process group that a timeout kills whole (exit code -1). Output is delivered as it comes, in
 * chunks of UTF-8 text. Several commands may run at once on one computer. Thread-safe.
 */
public final class Exec {
    public static final long DEFAULT_TIMEOUT_SECONDS = 120;
    public static final long MAX_TIMEOUT_SECONDS = 24 * 3600;

    private final Computers computers;
    private final long maxOutputBytes;

    /** @param maxOutputBytes the most output one command may produce (both streams) before it is stopped */
    public Exec(Computers computers, long maxOutputBytes) {
        this.computers = computers;
        this.maxOutputBytes = maxOutputBytes;
    }

    /** A validated command. */
    public record Request(String command, String cwd, Map<String, String> env, long timeoutSeconds) {
        public static Request parse(JsonNode body) {
            if (body == null || !body.isObject()) throw new InvalidRequest(ErrorCode.INVALID_JSON, "the body must be a JSON object");
            var command = optString(body, "command").orElseThrow(() ->
                    new InvalidRequest("'command' is required, e.g. {\"command\": \"ls -la\"}"));
            if (command.isBlank()) throw new InvalidRequest("'command' must not be empty");
            var cwd = optString(body, "cwd").filter(c -> !c.isBlank()).orElse(Sandbox.WORKSPACE);
            if (!cwd.startsWith("/")) throw new InvalidRequest("'cwd' must be an absolute path inside the computer");
            long timeout = optNumber(body, "timeout_seconds").map(v -> {
                if (v != Math.rint(v) || v < 1 || v > MAX_TIMEOUT_SECONDS) {
                    throw new InvalidRequest("'timeout_seconds' must be a whole number from 1 to " + MAX_TIMEOUT_SECONDS);
                }
                return (long) (double) v;
            }).orElse(DEFAULT_TIMEOUT_SECONDS);
            var env = new LinkedHashMap<String, String>();
            var envNode = present(body, "env");
            if (envNode != null) {
                if (!envNode.isObject()) throw new InvalidRequest("'env' must be an object of strings");
                var fields = envNode.properties();
                for (var e : fields) {
                    if (e.getValue().isNull()) continue;
                    if (!e.getValue().isTextual()) throw new InvalidRequest("'env." + e.getKey() + "' must be a string");
                    if (!e.getKey().matches("[A-Za-z_][A-Za-z0-9_]*")) {
                        throw new InvalidRequest("'" + e.getKey() + "' is not a valid environment variable name");
                    }
                    env.put(e.getKey(), e.getValue().asText());
                }
            }
            return new Request(command, cwd, env, timeout);
        }
    }

    /** Receives output as it comes; called from two threads, one per stream, never at the same time. */
    public interface Sink {
        void stdout(String text);

        void stderr(String text);
    }

    /** How a command ended: its exit code (-1 when it was stopped), and why it was stopped if it was. */
    public record Outcome(int exitCode, boolean timedOut, boolean outputTooLarge) {}

    /**
     * Runs {@code request} on the tenant's running computer, feeding {@code sink}; returns when the command
     * and its output are done. The command is announced on the computer's live events under {@code requestId}
     * (an {@code action_request} of type {@code exec}), its output follows there as {@code command_output}
     * chunks, and its end as an {@code action_response} with the exit code.
     *
     * @throws PortholeException.NotFound if the computer does not run
     * @throws PortholeException.ActionFailed if the command cannot start (no such cwd, computer ending)
     */
    public Outcome run(String tenantId, String computerId, String requestId, Origin origin, Request request, Sink sink) {
        // held awake while the command runs: a computer with a running command does not go into standby
        try (var use = computers.use(tenantId, computerId, "command")) {
            var computer = use.computer();
            announce(computer, requestId, origin, request);
            try {
                var outcome = run(computer, request, sink, requestId);
                answer(computer, requestId, outcome, null);
                return outcome;
            } catch (PortholeException e) {
                computer.events().publish(LiveEvent.ACTION_RESPONSE, errorEvent(requestId, e));
                throw e;
            }
        }
    }

    private static void announce(Computer computer, String requestId, Origin origin, Request request) {
        var action = new LinkedHashMap<String, Object>();
        action.put("type", "exec");
        action.put("command", request.command());
        action.put("cwd", request.cwd());
        // the names only: values are often secrets
        if (!request.env().isEmpty()) action.put("env", List.copyOf(request.env().keySet()));
        action.put("timeout_seconds", request.timeoutSeconds());
        var m = new LinkedHashMap<String, Object>();
        m.put("request_id", requestId);
        m.put("source", origin.source().wireName());
        m.put("action", action);
        computer.events().publish(LiveEvent.ACTION_REQUEST, m);
    }

    /** The end of a command, with its output when it was collected (cut, as the chunks carried all of it). */
    private static void answer(Computer computer, String requestId, Outcome outcome, Result collected) {
        var m = new LinkedHashMap<String, Object>();
        m.put("request_id", requestId);
        m.put("status", outcome.outputTooLarge() ? "error" : "success");
        m.put("exit_code", outcome.exitCode());
        if (collected != null) {
            m.put("stdout", ActionDispatcher.cut(collected.stdout(), 64 * 1024));
            m.put("stderr", ActionDispatcher.cut(collected.stderr(), 64 * 1024));
        }
        if (outcome.timedOut()) m.put("timed_out", true);
        if (outcome.outputTooLarge()) {
            m.put("error_code", "output_too_large");
            m.put("error_message", "the command wrote more than the server's limit and was stopped");
        }
        computer.events().publish(LiveEvent.ACTION_RESPONSE, m);
    }

    private static Map<String, Object> errorEvent(String requestId, PortholeException e) {
        var m = new LinkedHashMap<String, Object>();
        m.put("request_id", requestId);
        m.put("status", "error");
        m.put("error_code", e.code().wireName());
        m.put("error_message", e.getMessage());
        return m;
    }

    /** Runs the command; its output goes to {@code sink} and, as chunks under {@code requestId}, to the live events. */
    Outcome run(Computer computer, Request request, Sink sink, String requestId) {
        var sandbox = computer.sandbox();
        if (!request.cwd().equals(Sandbox.WORKSPACE) && !sandbox.isDirectory(request.cwd())) {
            throw new PortholeException.ActionFailed(ErrorCode.INVALID_ARGUMENT,
                    "'cwd' " + request.cwd() + " is not a directory inside the computer");
        }
        computer.commandStarted();
        computers.touch(computer);
        Process process;
        try {
            process = sandbox.start(List.of("/bin/bash", "-c", request.command()), request.env(), request.cwd());
            process.getOutputStream().close();
        } catch (IOException e) {
            computer.commandEnded();
            throw new PortholeException.ActionFailed("the command could not be started: " + e.getMessage());
        }
        var telemetry = computers.telemetry();
        telemetry.execStarted();
        long start = System.nanoTime();
        var exit = "error";
        try {
            var outcome = running(computer, sandbox, process, request, sink, requestId);
            exit = outcome.timedOut() ? "timeout" : outcome.outputTooLarge() ? "output_too_large"
                    : outcome.exitCode() == 0 ? "0" : outcome.exitCode() == -1 ? "interrupted" : "nonzero";
            return outcome;
        } finally {
            telemetry.execEnded(exit, System.nanoTime() - start);
        }
    }

    /** Waits for a started command, its output going to {@code sink} and the live events. */
    private Outcome running(Computer computer, Sandbox sandbox, Process process, Request request, Sink sink,
                            String requestId) {
        try {
            var total = new AtomicLong();
            var tooLarge = new AtomicBoolean();
            Object lock = new Object();
            Runnable onChunk = () -> computers.touch(computer);
            var events = computer.events();
            var out = Threads.onPipeThread(() -> pump(process.getInputStream(), text -> {
                synchronized (lock) {
                    sink.stdout(text);
                    events.publish(LiveEvent.COMMAND_OUTPUT, chunk(requestId, text, false));
                }
            }, total, tooLarge, onChunk, () -> computer.sandbox().killGroup(process)));
            var err = Threads.onPipeThread(() -> pump(process.getErrorStream(), text -> {
                synchronized (lock) {
                    sink.stderr(text);
                    events.publish(LiveEvent.COMMAND_OUTPUT, chunk(requestId, text, true));
                }
            }, total, tooLarge, onChunk, () -> computer.sandbox().killGroup(process)));
            boolean finished = process.waitFor(request.timeoutSeconds(), TimeUnit.SECONDS);
            if (!finished) sandbox.killGroup(process);
            // the streams end when the last process holding them does
            awaitQuietly(out);
            awaitQuietly(err);
            if (!finished) return new Outcome(-1, true, false);
            if (tooLarge.get()) return new Outcome(-1, false, true);
            return new Outcome(process.exitValue(), false, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sandbox.killGroup(process);
            return new Outcome(-1, false, false);
        } finally {
            computer.commandEnded();
            computers.touch(computer);
        }
    }

    /** A {@code command_output} event: the chunk's UTF-8 bytes in base64. */
    private static Map<String, Object> chunk(String requestId, String text, boolean stderr) {
        var m = new LinkedHashMap<String, Object>();
        m.put("request_id", requestId);
        m.put("data", java.util.Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8)));
        m.put("is_stderr", stderr);
        return m;
    }

    private static void awaitQuietly(java.util.concurrent.Future<?> f) throws InterruptedException {
        try {
            f.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // a reader that fails or hangs loses only the rest of its output
        }
    }

    /** Decodes a stream as UTF-8 chunks (never splitting a character) until it ends or output is over the limit. */
    private void pump(InputStream in, java.util.function.Consumer<String> to, AtomicLong total, AtomicBoolean tooLarge,
                      Runnable onChunk, Runnable stop) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
        var bytes = ByteBuffer.allocate(8192);
        var chars = CharBuffer.allocate(8192);
        var buf = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buf, 0, bytes.remaining())) > 0) {
                if (total.addAndGet(n) > maxOutputBytes) {
                    tooLarge.set(true);
                    stop.run();
                    return;
                }
                bytes.put(buf, 0, n).flip();
                decoder.decode(bytes, chars, false);
                bytes.compact();
                chars.flip();
                if (chars.hasRemaining()) to.accept(chars.toString());
                chars.clear();
                onChunk.run();
            }
            bytes.flip();
            decoder.decode(bytes, chars, true);
            decoder.flush(chars);
            chars.flip();
            if (chars.hasRemaining()) to.accept(chars.toString());
        } catch (IOException ignored) {
            // the process was killed
        }
    }

    /** The whole output of a finished command. */
    public record Result(Outcome outcome, String stdout, String stderr) {}

    /** Runs {@code request} and collects its output; announced on the live events as {@link #run} is. */
    public Result runCollected(String tenantId, String computerId, String requestId, Origin origin, Request request) {
        try (var use = computers.use(tenantId, computerId, "command")) {
            var computer = use.computer();
            announce(computer, requestId, origin, request);
            try {
                var result = collect(computer, request, requestId);
                answer(computer, requestId, result.outcome(), result);
                return result;
            } catch (PortholeException e) {
                computer.events().publish(LiveEvent.ACTION_RESPONSE, errorEvent(requestId, e));
                throw e;
            }
        }
    }

    Result collect(Computer computer, Request request, String requestId) {
        var out = new StringBuilder();
        var err = new StringBuilder();
        var outcome = run(computer, request, new Sink() {
            @Override
            public void stdout(String text) {
                out.append(text);
            }

            @Override
            public void stderr(String text) {
                err.append(text);
            }
        }, requestId);
        return new Result(outcome, out.toString(), err.toString());
    }

    public long maxOutputBytes() {
        return maxOutputBytes;
    }
}
