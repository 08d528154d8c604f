package io.porthole.engine.bidi;

import io.porthole.core.internal.ProcessTrees;
import io.porthole.core.internal.Threads;
import io.porthole.core.sandbox.Sandbox;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * One Firefox process tree in a sandbox. Keeps the
 * last lines of its stderr for diagnostics, learns the port from them, reports an exit nobody asked for, and
 * kills its process group. After a restart of the server it wraps the Firefox an earlier run started (found
 * among the sandbox's processes), whose output went with that run. Thread-safe.
 */
final class FirefoxProcess {
    private static final int KEEP_LINES = 30;
    private static final Pattern LISTENING = Pattern.compile("WebDriver BiDi listening on ws://([^:/\\s]+):(\\d+)");

    private final Sandbox sandbox;
    /** What this run started (nsenter, with Firefox below it); null for an adopted Firefox. */
    private final Process started;
    /** The Firefox main process. */
    private final ProcessHandle browser;
    private final ArrayDeque<String> lastLines = new ArrayDeque<>();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CompletableFuture<Integer> port = new CompletableFuture<>();

    FirefoxProcess(Sandbox sandbox, Process process, Consumer<String> onUnexpectedExit) {
        this.sandbox = sandbox;
        this.started = process;
        this.browser = process.toHandle();
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
                onUnexpectedExit.accept("Firefox exited with code " + process.exitValue());
            }
        });
    }

    /** A Firefox that an earlier run of the server started, listening on {@code port} inside the sandbox. */
    FirefoxProcess(Sandbox sandbox, ProcessHandle browser, int port, Consumer<String> onUnexpectedExit) {
        this.sandbox = sandbox;
        this.started = null;
        this.browser = browser;
        this.port.complete(port);
        browser.onExit().thenRun(() -> {
            if (closing.compareAndSet(false, true)) {
                killTree();
                onUnexpectedExit.accept("Firefox exited");
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
        try (var r = new BufferedReader(new InputStreamReader(started.getErrorStream(), StandardCharsets.UTF_8))) {
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
        return started != null ? started.isAlive() : !ProcessTrees.gone(browser);
    }

    /** From now on an exit is expected. */
    void markClosing() {
        closing.set(true);
    }

    /** Waits up to {@code graceMillis} for Firefox to end by itself, then kills its process group; waits for it. */
    void kill(long graceMillis) {
        markClosing();
        try {
            browser.onExit().get(graceMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // killed below
        }
        if (started != null) {
            sandbox.killGroup(started);
        } else {
            killTree();
        }
    }

    /** An adopted Firefox: its process group and every descendant (content processes, the fork server). */
    private void killTree() {
        var all = new ArrayList<ProcessHandle>();
        all.add(browser);
        browser.descendants().forEach(all::add);
        var group = ProcessTrees.processGroup(browser.pid());
        if (group.isPresent() && group.getAsLong() == browser.pid()) ProcessTrees.killGroup(group.getAsLong());
        all.forEach(ProcessHandle::destroyForcibly);
        ProcessTrees.awaitGone(all, 5000);
    }
}
