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

    /**
     * Every process of a computer: its sandbox (the bubblewrap process whose sandbox has the computer's channel
     * directory mounted: nothing on bubblewrap's command line names the computer), every process in the sandbox's
     * pid namespace, and the nsenter processes that entered it.
     */
    public static List<ProcessHandle> ofComputer(String computerId) {
        var out = new java.util.ArrayList<ProcessHandle>();
        for (var bwrap : sandboxesOf(computerId)) {
            out.add(bwrap);
            var inner = bwrap.descendants().toList();
            out.addAll(inner);
            for (var h : inner) {
                var ns = pidNamespace(h.pid());
                if (ns.isEmpty() || ns.equals(pidNamespace(ProcessHandle.current().pid()))) continue;
                ProcessHandle.allProcesses().filter(p -> ns.equals(pidNamespace(p.pid())) && !out.contains(p))
                        .forEach(p -> {
                            out.add(p);
                            p.parent().filter(parent -> parent.info().command().orElse("").endsWith("nsenter"))
                                    .filter(parent -> !out.contains(parent)).ifPresent(out::add);
                        });
                break;
            }
        }
        return out;
    }

    /** The outer bubblewrap process of each live sandbox of the computer (one, unless something is wrong). */
    public static List<ProcessHandle> sandboxesOf(String computerId) {
        java.util.function.Predicate<ProcessHandle> isBwrap = h -> h.info().command().map(c -> c.endsWith("/bwrap")).orElse(false);
        // the channel directory, /run/porthole/<server>.<computer id> on the host, is its /run/porthole
        var mount = "." + computerId + " /run/porthole ";
        return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive).filter(isBwrap)
                .filter(h -> h.parent().map(p -> !isBwrap.test(p)).orElse(true))
                .filter(h -> h.children().findFirst().map(c -> mountinfo(c.pid()).contains(mount)).orElse(false))
                .toList();
    }

    private static String mountinfo(long pid) {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "mountinfo"));
        } catch (java.io.IOException | RuntimeException e) {
            return "";
        }
    }

    private static String pidNamespace(long pid) {
        try {
            return java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc", Long.toString(pid), "ns", "pid")).toString();
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /** Waits at most {@code millis} for every process of the computer to be gone; returns the ones still there. */
    public static List<ProcessHandle> awaitComputerGone(List<ProcessHandle> processes, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        var left = processes.stream().filter(Processes::running).toList();
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            left = left.stream().filter(Processes::running).toList();
        }
        return left;
    }

    /** Alive and not a zombie waiting to be reaped. */
    static boolean running(ProcessHandle h) {
        if (!h.isAlive()) return false;
        try {
            var stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(h.pid()), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }
}
