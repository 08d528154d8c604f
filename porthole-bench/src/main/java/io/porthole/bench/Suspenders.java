package io.porthole.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The baselines of suspend and resume, on a Chromium started directly: its processes in a freezer cgroup of the
 * bench's own, frozen and thawed the way Porthole's local runtime does it ({@link Freezer}); and SIGSTOP/SIGCONT of
 * its processes ({@link Signaller}).
 */
final class Suspenders {
    private Suspenders() {}

    /** Reads a cgroup's freezer state: v1 {@code freezer.state} (FROZEN, FREEZING, THAWED), v2 "frozen 0|1". */
    static String freezerState(Path dir) {
        try {
            if (Files.isRegularFile(dir.resolve("freezer.state"))) return Files.readString(dir.resolve("freezer.state")).trim();
            for (var line : Files.readAllLines(dir.resolve("cgroup.events"))) {
                if (line.startsWith("frozen ")) return line.equals("frozen 1") ? "FROZEN" : "THAWED";
            }
            return "?";
        } catch (IOException e) {
            return "?";
        }
    }

    /**
     * The freezer cgroup directory of {@code pid}: v1 {@code /sys/fs/cgroup/freezer/<path>} where the freezer
     * hierarchy is mounted, else the v2 unified group; null if neither is found.
     */
    static Path freezerDirOf(long pid) {
        try {
            var root = Path.of("/sys/fs/cgroup");
            boolean v2 = Files.exists(root.resolve("cgroup.controllers"));
            for (var line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup"))) {
                var parts = line.split(":", 3);
                if (parts.length < 3) continue;
                if (!v2 && List.of(parts[1].split(",")).contains("freezer")) {
                    return root.resolve("freezer").resolve(parts[2].substring(1));
                }
                if (v2 && parts[0].equals("0")) return root.resolve(parts[2].substring(1));
            }
        } catch (IOException | RuntimeException e) {
            // gone, or no cgroups
        }
        return null;
    }

    /** The processes a cgroup holds ({@code cgroup.procs}); empty if it cannot be read. */
    static List<Long> pids(Path dir) {
        try {
            return Files.readAllLines(dir.resolve("cgroup.procs")).stream().filter(l -> !l.isBlank())
                    .map(l -> Long.parseLong(l.trim())).toList();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /** The programs of these processes by their name ({@code comm}), with counts: "chromium ×9, bwrap ×2, socat". */
    static String programs(List<Long> pids) {
        var counts = new java.util.TreeMap<String, Integer>();
        for (var pid : pids) {
            String name;
            try {
                // the kernel's name (at most 15 characters): Chromium's children rewrite their command lines
                name = Files.readString(Path.of("/proc", Long.toString(pid), "comm"), StandardCharsets.UTF_8).trim();
            } catch (IOException | RuntimeException e) {
                name = "(gone)";
            }
            counts.merge(name, 1, Integer::sum);
        }
        var parts = new ArrayList<String>();
        counts.entrySet().stream().sorted((x, y) -> y.getValue() - x.getValue())
                .forEach(e -> parts.add(e.getKey() + (e.getValue() > 1 ? " ×" + e.getValue() : "")));
        return String.join(", ", parts);
    }

    /** How many processes a cgroup holds ({@code cgroup.procs}), or -1. */
    static int processCount(Path dir) {
        try {
            return (int) Files.readAllLines(dir.resolve("cgroup.procs")).stream().filter(l -> !l.isBlank()).count();
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * A freezer cgroup of the bench's own, beside this JVM's (v2: a child of its unified group; v1: in the freezer
     * hierarchy), holding a raw browser's processes. Freezing and thawing are what Porthole's {@code Cgroups.freeze}
     * does: write the state, then read it back every 2 ms until the kernel says it is done (bounded, 10 s).
     */
    static final class Freezer implements AutoCloseable {
        private final Path dir;
        private final boolean v2;

        private Freezer(Path dir, boolean v2) {
            this.dir = dir;
            this.v2 = v2;
        }

        /** Makes the group; throws with the reason if this host or user cannot (not root, no freezer). */
        static Freezer create(String name) throws IOException {
            var root = Path.of("/sys/fs/cgroup");
            boolean v2 = Files.exists(root.resolve("cgroup.controllers"));
            if (!v2 && !Files.isDirectory(root.resolve("freezer"))) {
                throw new IOException("no cgroup v2 and no v1 freezer hierarchy at /sys/fs/cgroup/freezer");
            }
            var own = freezerDirOf(ProcessHandle.current().pid());
            if (own == null) throw new IOException("this JVM's freezer cgroup was not found in /proc/self/cgroup");
            var dir = own.resolve(name);
            Files.createDirectories(dir);
            var f = new Freezer(dir, v2);
            if (!Files.isRegularFile(dir.resolve(v2 ? "cgroup.freeze" : "freezer.state"))) {
                f.close();
                throw new IOException(dir + " has no " + (v2 ? "cgroup.freeze" : "freezer.state"));
            }
            return f;
        }

        Path dir() {
            return dir;
        }

        /** Moves each process (all its threads) into the group. */
        void add(List<Long> pids) throws IOException {
            for (var pid : pids) {
                try {
                    Files.writeString(dir.resolve("cgroup.procs"), Long.toString(pid));
                } catch (IOException e) {
                    if (!Procs.exited(pid)) throw new IOException("could not move " + pid + " into " + dir + ": " + e.getMessage(), e);
                }
            }
        }

        int processCount() {
            return Suspenders.processCount(dir);
        }

        void freeze() throws IOException {
            set(true);
        }

        void thaw() throws IOException {
            set(false);
        }

        private void set(boolean frozen) throws IOException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            if (v2) {
                Files.writeString(dir.resolve("cgroup.freeze"), frozen ? "1" : "0");
                var want = "frozen " + (frozen ? 1 : 0);
                while (Files.readAllLines(dir.resolve("cgroup.events")).stream().noneMatch(want::equals)) {
                    if (System.nanoTime() > deadline) throw new IOException(dir + " did not " + (frozen ? "freeze" : "thaw"));
                    pause();
                }
            } else {
                var want = frozen ? "FROZEN" : "THAWED";
                Files.writeString(dir.resolve("freezer.state"), want);
                while (!Files.readString(dir.resolve("freezer.state")).trim().equals(want)) {
                    if (System.nanoTime() > deadline) throw new IOException(dir + " did not " + (frozen ? "freeze" : "thaw"));
                    Files.writeString(dir.resolve("freezer.state"), want);
                    pause();
                }
            }
        }

        private static void pause() throws IOException {
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }

        /**
         * Thaws the group (a frozen process cannot die), and removes it once its processes are gone (bounded,
         * 15 s); the caller kills them. Answers whether the group is gone.
         */
        boolean removeWhenEmpty() {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (Files.isDirectory(dir)) {
                try {
                    Files.delete(dir);
                    return true;
                } catch (IOException e) {
                    if (System.nanoTime() > deadline) return false;
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                }
            }
            return true;
        }

        /** Thaws; never throws. */
        @Override
        public void close() {
            try {
                if (Files.isDirectory(dir)) set(false);
            } catch (IOException | RuntimeException ignored) {
                // already gone
            }
        }
    }

    /**
     * SIGSTOP and SIGCONT sent with bash's builtin {@code kill} (no process started per signal) by one bash kept
     * running, then waited for: every process stopped ({@code T} in {@code /proc/<pid>/stat}), or none stopped any
     * more, polled every 50 µs (bounded, 10 s). A round trip over the pipe to bash is included (tens of µs).
     */
    static final class Signaller implements AutoCloseable {
        private final Process bash;
        private final Writer in;
        private final BufferedReader out;

        Signaller(String marker) throws IOException {
            var pb = new ProcessBuilder("/bin/bash", "--noprofile", "--norc").redirectErrorStream(true);
            var eq = marker.indexOf('=');
            pb.environment().put(marker.substring(0, eq), marker.substring(eq + 1));
            bash = pb.start();
            in = new OutputStreamWriter(bash.getOutputStream(), StandardCharsets.US_ASCII);
            out = new BufferedReader(new InputStreamReader(bash.getInputStream(), StandardCharsets.US_ASCII));
        }

        void stop(List<Long> pids) throws IOException {
            signal("STOP", pids);
            await(pids, true);
        }

        void resume(List<Long> pids) throws IOException {
            signal("CONT", pids);
            await(pids, false);
        }

        private void signal(String name, List<Long> pids) throws IOException {
            var cmd = new StringBuilder("kill -").append(name);
            for (var p : pids) cmd.append(' ').append(p);
            cmd.append(" && echo ok || echo failed\n");
            in.write(cmd.toString());
            in.flush();
            var line = out.readLine();
            if (!"ok".equals(line)) throw new IOException("kill -" + name + " answered " + line);
        }

        private static void await(List<Long> pids, boolean stopped) throws IOException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            var left = new ArrayList<>(pids);
            while (true) {
                left.removeIf(pid -> Procs.exited(pid) || isStopped(pid) == stopped);
                if (left.isEmpty()) return;
                if (System.nanoTime() > deadline) {
                    throw new IOException(left.size() + " process(es) did not " + (stopped ? "stop" : "continue")
                            + ": " + left);
                }
                LockSupport.parkNanos(50_000);
            }
        }

        /** Whether the process is stopped by a signal ({@code T}). */
        static boolean isStopped(long pid) {
            try {
                var stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
                return stat.substring(stat.lastIndexOf(')') + 1).trim().startsWith("T");
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }

        @Override
        public void close() {
            try {
                in.close();
            } catch (IOException ignored) {
                // gone
            }
            try {
                if (!bash.waitFor(5, TimeUnit.SECONDS)) bash.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                bash.destroyForcibly();
            }
        }
    }
}
