package io.porthole.core.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/** Killing process trees and telling when they are gone, on Linux. */
public final class ProcessTrees {
    private ProcessTrees() {}

    /**
     * Ended: no such process, or one that has exited and only waits to be reaped (state Z or X). Orphans are
     * re-parented to init and can stay zombies for a while; a zombie runs nothing and holds nothing.
     */
    public static boolean gone(ProcessHandle h) {
        if (!h.isAlive()) return true;
        var state = field(h.pid(), 0);
        return state.isEmpty() || state.equals("Z") || state.equals("X");
    }

    /** The process group of {@code pid} as this process's /proc sees it. */
    public static OptionalLong processGroup(long pid) {
        var v = field(pid, 2);
        try {
            return v.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(v));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** Field {@code index} after the command name of /proc/pid/stat (0 = state, 1 = ppid, 2 = pgrp). */
    private static String field(long pid, int index) {
        try {
            var stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            var rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return index < rest.length ? rest[index] : "";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /**
     * The children of {@code pid}, from the kernel's own list of the process's children (reading one small file)
     * where the kernel keeps one, else from a scan of every process. Empty if it has none or has ended.
     */
    public static java.util.List<Long> children(long pid) {
        var file = Path.of("/proc", Long.toString(pid), "task", Long.toString(pid), "children");
        try {
            var text = Files.readString(file).strip();
            if (text.isEmpty()) return java.util.List.of();
            return java.util.Arrays.stream(text.split("\\s+")).map(Long::parseLong).toList();
        } catch (java.nio.file.NoSuchFileException e) {
            // no such process, or a kernel built without CONFIG_PROC_CHILDREN
            return ProcessHandle.of(pid).map(h -> h.children().map(ProcessHandle::pid).toList()).orElse(java.util.List.of());
        } catch (IOException | RuntimeException e) {
            return java.util.List.of();
        }
    }

    /** Kills every process in process group {@code pgid}. */
    public static void killGroup(long pgid) {
        ProcessHandle.allProcesses()
                .filter(h -> processGroup(h.pid()).orElse(-1) == pgid)
                .forEach(ProcessHandle::destroyForcibly);
    }

    /** Waits at most {@code millis} for all of {@code handles} to be gone; true if they are. */
    public static boolean awaitGone(Collection<ProcessHandle> handles, long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (handles.stream().anyMatch(h -> !gone(h))) {
            if (System.nanoTime() > deadline) return false;
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
