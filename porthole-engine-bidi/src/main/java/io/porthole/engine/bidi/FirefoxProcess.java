package io.porthole.engine.bidi;

import io.porthole.core.internal.Threads;
import io.porthole.core.sandbox.Sandbox;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * One Firefox process tree in a sandbox, and the forwarder that makes its BiDi port a unix socket. Keeps the
 * last lines of its stderr for diagnostics, learns the port from them, reports an exit nobody asked for, and
 * kills both process groups. Thread-safe.
 */
final class FirefoxProcess {
    private static final int KEEP_LINES = 30;
    private static final Pattern LISTENING = Pattern.compile("WebDriver BiDi listening on ws://([^:/\\s]+):(\\d+)");

    private final Sandbox sandbox;
    private final Process process;
    private final ArrayDeque<String> lastLines = new ArrayDeque<>();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CompletableFuture<Integer> port = new CompletableFuture<>();
    private volatile Process forwarder;

    FirefoxProcess(Sandbox sandbox, Process process, Consumer<String> onUnexpectedExit) {
        this.sandbox = sandbox;
        this.process = process;
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // nothing to close
        }
        Threads.onPipeThread(() -> drain(process.getInputStream()));
        Threads.onPipeThread(this::readStderr);
        process.onExit().thenRun(() -> {
            port.completeExceptionally(new IllegalStateException("Firefox exited with code " + process.exitValue()));
            if (closing.compareAndSet(false, true)) {
                killForwarder();
                onUnexpectedExit.accept("Firefox exited with code " + process.exitValue());
            }
        });
    }

    private static void drain(java.io.InputStream in) {
        try (in) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException ignored) {
            // ended
        }
    }

    private void readStderr() {
        try (var r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                var m = LISTENING.matcher(line);
                if (m.find()) port.complete(Integer.parseInt(m.group(2)));
                synchronized (lastLines) {
                    if (lastLines.size() == KEEP_LINES) lastLines.removeFirst();
                    lastLines.addLast(line);
                }
            }
        } catch (IOException ignored) {
            // the process ended
        }
    }

    /** Completes with the BiDi port inside the sandbox once Firefox listens. */
    CompletableFuture<Integer> port() {
        return port;
    }

    String lastLines() {
        synchronized (lastLines) {
            return String.join("\n", lastLines);
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    void setForwarder(Process forwarder) {
        this.forwarder = forwarder;
        Threads.onPipeThread(() -> drain(forwarder.getInputStream()));
        Threads.onPipeThread(() -> drain(forwarder.getErrorStream()));
    }

    /** From now on an exit is expected. */
    void markClosing() {
        closing.set(true);
    }

    /** Waits up to {@code graceMillis} for Firefox to end by itself, then kills both process groups; waits for them. */
    void kill(long graceMillis) {
        markClosing();
        try {
            process.waitFor(graceMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sandbox.killGroup(process);
        killForwarder();
    }

    private void killForwarder() {
        var f = forwarder;
        if (f != null) sandbox.killGroup(f);
    }
}
