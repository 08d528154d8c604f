package io.porthole.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Linux processes found through /proc by a string in their command line. */
final class Procs {
    private Procs() {}

    /**
     * A live (not zombie) process: its resident set size, its proportional set size (Pss from smaps_rollup: each
     * shared page divided among the processes that map it) and its private memory (USS: Private_Clean +
     * Private_Dirty from smaps_rollup); Pss and USS are -1 when smaps_rollup cannot be read.
     */
    record Proc(long pid, long rssKb, long pssKb, long privateKb, String cmdline) {}

    /** Every live process, other than this JVM, whose command line contains {@code marker}. */
    static List<Proc> matching(String marker) {
        return scan((pid, cmd) -> cmd.contains(marker));
    }

    /**
     * Every live process, other than this JVM, that passes {@code filter} (its pid and its command line, the
     * arguments joined by spaces); only those are measured.
     */
    static List<Proc> scan(java.util.function.BiPredicate<Long, String> filter) {
        var out = new ArrayList<Proc>();
        long self = ProcessHandle.current().pid();
        String[] names = new java.io.File("/proc").list();
        if (names == null) return out;
        for (var name : names) {
            if (name.isEmpty() || !Character.isDigit(name.charAt(0))) continue;
            long pid;
            try {
                pid = Long.parseLong(name);
            } catch (NumberFormatException e) {
                continue;
            }
            if (pid == self) continue;
            try {
                var dir = Path.of("/proc", name);
                var cmdline = new String(Files.readAllBytes(dir.resolve("cmdline")), StandardCharsets.UTF_8)
                        .replace('\0', ' ').trim();
                if (!filter.test(pid, cmdline)) continue;
                long rss = -1;
                boolean zombie = false;
                for (var line : Files.readAllLines(dir.resolve("status"), StandardCharsets.UTF_8)) {
                    if (line.startsWith("State:")) {
                        var state = line.substring("State:".length()).trim();
                        zombie = state.startsWith("Z") || state.startsWith("X");
                    }
                    if (line.startsWith("VmRSS:")) rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
                if (zombie) continue;
                var rollup = rollup(dir);
                out.add(new Proc(pid, Math.max(rss, 0), rollup[0], rollup[1], cmdline));
            } catch (IOException | RuntimeException e) {
                // the process ended while it was read, or is not ours to read
            }
        }
        return out;
    }

    /**
     * Every live process of the computer {@code computerId} and of its sandbox: the bubblewrap processes (found
     * by the channel directory mounted in their sandbox), every process in the sandbox's pid namespace (the browser,
     * Xvfb and the rest have nothing of the computer in their command lines), and the {@code nsenter} processes
     * outside that started them. Empty if the sandbox is not found.
     *
     * @param namespaceSeen receives the sandbox's pid namespace ({@code pid:[inode]}) when it is found
     */
    static List<Proc> ofComputer(String computerId, java.util.function.Consumer<String> namespaceSeen) {
        var own = namespaceOf(ProcessHandle.current().pid());
        var sandboxes = new java.util.HashSet<Long>();
        for (var bwrap : io.porthole.testing.Processes.sandboxesOf(computerId)) {
            sandboxes.add(bwrap.pid());
            bwrap.descendants().forEach(h -> sandboxes.add(h.pid()));
        }
        var byId = scan((pid, cmd) -> sandboxes.contains(pid));
        String ns = null;
        for (var p : byId) {
            var n = namespaceOf(p.pid());
            if (n != null && !n.equals(own)) {
                ns = n;
                break;
            }
        }
        if (ns == null) return byId;
        namespaceSeen.accept(ns);
        var inside = inNamespaces(java.util.Set.of(ns));
        var pids = new java.util.HashSet<Long>();
        var out = new ArrayList<Proc>();
        for (var p : byId) if (pids.add(p.pid())) out.add(p);
        for (var p : inside) if (pids.add(p.pid())) out.add(p);
        // nsenter -t <pid of a process inside> ...: the host-side parents of everything started inside
        var prefixes = inside.stream().map(p -> "nsenter -t " + p.pid() + " ").toList();
        for (var p : scan((pid, cmd) -> prefixes.stream().anyMatch(cmd::contains))) if (pids.add(p.pid())) out.add(p);
        return out;
    }

    /** Every live process, other than this JVM, in one of the given pid namespaces. */
    static List<Proc> inNamespaces(java.util.Set<String> namespaces) {
        if (namespaces.isEmpty()) return List.of();
        return scan((pid, cmd) -> namespaces.contains(namespaceOf(pid)));
    }

    /** Every live process, other than this JVM, whose environment holds {@code entry} ("NAME=value"). */
    static List<Proc> withEnvironment(String entry) {
        return scan((pid, cmd) -> {
            try {
                var env = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ")),
                        StandardCharsets.UTF_8);
                return List.of(env.split("\0")).contains(entry);
            } catch (IOException | RuntimeException e) {
                return false; // ended, or not ours to read
            }
        });
    }

    /** The pid namespace of {@code pid} ({@code pid:[inode]}), or null. */
    static String namespaceOf(long pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", "pid")).toString();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Pss and Private_Clean + Private_Dirty of smaps_rollup, in kB; both -1 when it cannot be read. */
    private static long[] rollup(Path dir) {
        try {
            long pss = 0;
            long priv = 0;
            for (var line : Files.readAllLines(dir.resolve("smaps_rollup"), StandardCharsets.UTF_8)) {
                if (line.startsWith("Pss:")) pss += Long.parseLong(line.replaceAll("[^0-9]", ""));
                if (line.startsWith("Private_Clean:") || line.startsWith("Private_Dirty:")) {
                    priv += Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
            return new long[] {pss, priv};
        } catch (IOException | RuntimeException e) {
            return new long[] {-1, -1};
        }
    }

    /** Whether the process has exited: it is gone, or a zombie waiting to be reaped. */
    static boolean exited(long pid) {
        try {
            var stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.UTF_8);
            var state = stat.substring(stat.lastIndexOf(')') + 1).trim();
            return state.startsWith("Z") || state.startsWith("X");
        } catch (IOException | RuntimeException e) {
            return true;
        }
    }

    /** Whether the process is gone entirely (exited and reaped). */
    static boolean gone(long pid) {
        return !Files.exists(Path.of("/proc", Long.toString(pid)));
    }

    /** This JVM's own VmRSS in kB, or -1. */
    static long selfRssKb() {
        try {
            for (var line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }
}
