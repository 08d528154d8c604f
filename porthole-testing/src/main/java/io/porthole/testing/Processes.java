package io.porthole.testing;

import java.util.List;

/** Finds processes by their command line, to prove that nothing outlives what it belongs to. */
public final class Processes {
    private Processes() {}

    /** Live processes whose command line contains {@code marker}, this JVM excluded. */
    public static List<ProcessHandle> matching(String marker) {
        var self = ProcessHandle.current().pid();
        return ProcessHandle.allProcesses()
                .filter(h -> h.pid() != self && h.isAlive())
                .filter(h -> h.info().commandLine().map(c -> c.contains(marker)).orElse(false))
                .toList();
    }

    /** Waits at most {@code millis} for no process to match; returns the ones still there. */
    public static List<ProcessHandle> awaitNone(String marker, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        var left = matching(marker);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            left = matching(marker);
        }
        return left;
    }
}
