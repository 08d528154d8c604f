package io.porthole.engine.cdp;

import io.porthole.core.internal.Threads;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One Chromium process and the processes it starts. Keeps the last lines of its stderr
 * for diagnostics; reports an exit nobody asked for; kills the whole tree. Thread-safe.
 */
final class ChromiumProcess {
    private static final int KEEP_LINES = 30;

    /** The process we watch: our child, or after a restart a process an earlier run started. */
    private final ProcessHandle process;
    private final ArrayDeque<String> lastLines = new ArrayDeque<>();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final List<ProcessHandle> knownChildren = new ArrayList<>();

    ChromiumProcess(Process process, Consumer<String> onUnexpectedExit) {
        this.process = process.toHandle();
        Threads.onPipeThread(() -> readStderr(process));
        process.onExit().thenRun(() -> {
            if (!closing.get()) {
                killTree();
                onUnexpectedExit.accept("Chromium exited with code " + process.exitValue());
            }
        });
    }

    /** A Chromium that an earlier run of the server started (its output went with that run). */
    ChromiumProcess(ProcessHandle process, Consumer<String> onUnexpectedExit) {
        this.process = process;
        process.onExit().thenRun(() -> {
            if (!closing.get()) {
                killTree();
                onUnexpectedExit.accept("Chromium exited");
            }
        });
    }

    private void readStderr(Process process) {
        try (var r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (lastLines) {
                    if (lastLines.size() == KEEP_LINES) lastLines.removeFirst();
                    lastLines.addLast(line);
                }
            }
        } catch (IOException ignored) {
            // the process ended
        }
    }

    String lastLines() {
        synchronized (lastLines) {
            return String.join("\n", lastLines);
        }
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    void markClosing() {
        closing.set(true);
        rememberChildren();
    }

    /** Notes the current children, so they can be killed even after the parent is gone. */
    void rememberChildren() {
        synchronized (knownChildren) {
            process.descendants().forEach(knownChildren::add);
        }
    }

    /** Waits a moment for a clean exit, then kills the process and every descendant; waits for them. */
    void kill() {
        markClosing();
        // the keeper of the command pipe (see ChromiumEngine): without it, the pipe's end tells Chromium to exit
        // now, as it did before the keeper, rather than after a graceful close that may take seconds
        process.descendants().filter(h -> h.info().command().map(c -> c.endsWith("/sleep")).orElse(false))
                .forEach(ProcessHandle::destroyForcibly);
        try {
            process.onExit().get(3, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // killed below
        }
        killTree();
    }

    /** Ended: no such process, or one that has exited and only waits to be reaped (state Z or X). */
    static boolean gone(ProcessHandle h) {
        if (!h.isAlive()) return true;
        try {
            var stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(h.pid()), "stat"));
            int close = stat.lastIndexOf(')');
            char state = close >= 0 && close + 2 < stat.length() ? stat.charAt(close + 2) : '?';
            return state == 'Z' || state == 'X';
        } catch (java.io.IOException e) {
            return true; // /proc has no entry: it is gone
        }
    }

    private void killTree() {
        rememberChildren();
        List<ProcessHandle> all;
        synchronized (knownChildren) {
            all = new ArrayList<>(knownChildren);
        }
        process.destroyForcibly();
        all.forEach(ProcessHandle::destroyForcibly);
        try {
            process.onExit().get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // gone or not, the descendants are waited for below
        }
        // Children of the browser are re-parented to init when it dies and stay zombies until init reaps
        // them, which took ~1.5 s here; a zombie runs nothing and holds nothing, so it counts as gone.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (all.stream().anyMatch(h -> !gone(h)) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
