package io.porthole.runtime.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Resource limits per computer from cgroups, v2 or v1, whichever the host has: memory and process count,
 * under a {@code porthole} group inside the server's own groups. A process joins before it starts anything
 * (the launcher writes its own pid, then execs), so nothing it forks escapes. Thread-safe (stateless).
 */
final class Cgroups {
    private static final System.Logger LOG = System.getLogger(Cgroups.class.getName());
    private static final Path ROOT = Path.of("/sys/fs/cgroup");

    /** Where one computer's groups live: one directory (v2) or one per controller (v1). */
    record Group(List<Path> dirs, Path memoryDir, Path freezerDir, boolean v2) {
        Group(List<Path> dirs, Path memoryDir, boolean v2) {
            this(dirs, memoryDir, null, v2);
        }
    }

    private final boolean v2;
    private final List<Path> parents;
    /** The controller of each parent (v1), or "" (v2). */
    private final List<String> controllers;
    /** This server's name among the groups ({@link LocalSandboxRuntime#instanceName}). */
    private final String instance;

    private Cgroups(boolean v2, List<Path> parents, List<String> controllers, String instance) {
        this.instance = instance;
        this.v2 = v2;
        this.parents = parents;
        this.controllers = controllers;
    }

    /**
     * The host's cgroups, if this server may make groups there; empty (with a logged reason) otherwise.
     * A computer's groups are {@code porthole/<instance>.<computer id>}, {@code instance} naming this server
     * (its data directory), so that a sweep at start never touches the computers of another server on the
     * host, and nothing of this server's is left once its computers have ended.
     */
    static Optional<Cgroups> detect(String instance) {
        try {
            if (Files.exists(ROOT.resolve("cgroup.controllers"))) {
                var own = ownPath("");
                var ownDir = ROOT.resolve(own.substring(1));
                var top = ownDir.resolve("porthole");
                Files.createDirectories(top);
                // v2 hands a controller to children only when each parent enables it
                if (!enableLimits(ownDir)) {
                    // and a cgroup that holds processes itself (a service's, a container's) may not, unless it is the
                    // root: this server moves into a leaf of its own, so that its cgroup may hand the controllers on
                    var leaf = ownDir.resolve("server");
                    Files.createDirectories(leaf);
                    for (var pid : Files.readAllLines(ownDir.resolve("cgroup.procs"))) {
                        if (!pid.isBlank()) tryWrite(leaf.resolve("cgroup.procs"), pid.trim());
                    }
                    if (!enableLimits(ownDir)) {
                        LOG.log(System.Logger.Level.WARNING, "cgroup v2: the memory and pids controllers cannot be enabled"
                                + " below {0} (are they delegated to it? {1} offers: {2})", ownDir, ownDir,
                                Files.readString(ownDir.resolve("cgroup.controllers")).strip());
                    }
                }
                tryWrite(top.resolve("cgroup.subtree_control"), "+memory +pids");
                return Optional.of(new Cgroups(true, List.of(top), List.of(""), instance));
            }
            var parents = new ArrayList<Path>();
            var controllers = new ArrayList<String>();
            for (var controller : List.of("memory", "pids", "freezer")) {
                var mount = ROOT.resolve(controller);
                if (!Files.isDirectory(mount)) {
                    if (controller.equals("freezer")) {
                        LOG.log(System.Logger.Level.INFO, "cgroup v1 freezer is not mounted; suspend stops processes with signals");
                        continue;
                    }
                    LOG.log(System.Logger.Level.WARNING, "cgroup v1 controller {0} is not mounted; no {0} limits", controller);
                    continue;
                }
                var own = ownPath(controller);
                var parent = mount.resolve(own.substring(1)).resolve("porthole");
                Files.createDirectories(parent);
                parents.add(parent);
                controllers.add(controller);
            }
            return parents.isEmpty() ? Optional.empty() : Optional.of(new Cgroups(false, parents, controllers, instance));
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cgroups cannot be used here, so computers run without memory and"
                    + " process limits: {0}", e.getMessage());
            return Optional.empty();
        }
    }

    /** Whether the groups this server makes computers' groups under are still there (for the readiness probe). */
    boolean usable() {
        for (var parent : parents) {
            if (!Files.isDirectory(parent)) return false;
        }
        return true;
    }

    /** This process's path in the hierarchy of {@code controller} ("" = the v2 unified one). */
    private static String ownPath(String controller) throws IOException {
        for (var line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
            var parts = line.split(":", 3);
            if (parts.length < 3) continue;
            if (controller.isEmpty() ? parts[0].equals("0") : List.of(parts[1].split(",")).contains(controller)) {
                return parts[2].isEmpty() ? "/" : parts[2];
            }
        }
        throw new IOException("this process is in no " + (controller.isEmpty() ? "v2" : controller) + " cgroup");
    }

    /** Enables the memory and pids controllers for the children of {@code dir}; whether both are on now. */
    private static boolean enableLimits(Path dir) throws IOException {
        tryWrite(dir.resolve("cgroup.subtree_control"), "+memory +pids");
        var on = List.of(Files.readString(dir.resolve("cgroup.subtree_control")).strip().split("\\s+"));
        return on.contains("memory") && on.contains("pids");
    }

    private static void tryWrite(Path file, String value) {
        try {
            Files.writeString(file, value);
        } catch (IOException ignored) {
            // not allowed or not needed here
        }
    }

    /** Makes the computer's groups with their limits. */
    Group create(String computerId, long memoryBytes, long maxProcesses) throws IOException {
        var dirs = new ArrayList<Path>();
        Path memory = null;
        Path freezer = null;
        for (int i = 0; i < parents.size(); i++) {
            var parent = parents.get(i);
            var controller = controllers.get(i);
            var dir = parent.resolve(name(computerId));
            Files.createDirectories(dir);
            dirs.add(dir);
            if (v2) {
                Files.writeString(dir.resolve("memory.max"), Long.toString(memoryBytes));
                tryWrite(dir.resolve("memory.swap.max"), "0");
                Files.writeString(dir.resolve("pids.max"), Long.toString(maxProcesses));
                memory = dir;
                freezer = dir;
            } else if (controller.equals("memory")) {
                Files.writeString(dir.resolve("memory.limit_in_bytes"), Long.toString(memoryBytes));
                tryWrite(dir.resolve("memory.memsw.limit_in_bytes"), Long.toString(memoryBytes));
                memory = dir;
            } else if (controller.equals("freezer")) {
                freezer = dir;
            } else {
                Files.writeString(dir.resolve("pids.max"), Long.toString(maxProcesses));
            }
        }
        return new Group(List.copyOf(dirs), memory, freezer, v2);
    }

    /** The start of a shell script that moves the shell into the groups, to be followed by an {@code exec}. */
    static String joinScript(Group group) {
        var script = new StringBuilder();
        for (var dir : group.dirs()) script.append("echo $$ > '").append(dir.resolve("cgroup.procs")).append("' && ");
        return script.toString();
    }

    /** A shell prefix that moves the shell into the groups, then execs the command that follows. */
    static List<String> joinThenExec(Group group, List<String> command) {
        var out = new ArrayList<String>(List.of("/bin/sh", "-c", joinScript(group) + "exec \"$@\"", "porthole-join"));
        out.addAll(command);
        return out;
    }

    /**
     * Freezes ({@code true}) or thaws every process of the group with the freezer and waits until the kernel
     * says it is done; false if the group has no freezer.
     */
    static boolean freeze(Group group, boolean frozen) throws IOException {
        if (group.freezerDir() == null) return false;
        var dir = group.freezerDir();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        if (group.v2()) {
            Files.writeString(dir.resolve("cgroup.freeze"), frozen ? "1" : "0");
            var want = "frozen " + (frozen ? 1 : 0);
            while (Files.readAllLines(dir.resolve("cgroup.events")).stream().noneMatch(want::equals)) {
                if (System.nanoTime() > deadline) throw new IOException("the group did not " + (frozen ? "freeze" : "thaw"));
                pause();
            }
        } else {
            var want = frozen ? "FROZEN" : "THAWED";
            Files.writeString(dir.resolve("freezer.state"), want);
            while (!Files.readString(dir.resolve("freezer.state")).trim().equals(want)) {
                if (System.nanoTime() > deadline) throw new IOException("the group did not " + (frozen ? "freeze" : "thaw"));
                Files.writeString(dir.resolve("freezer.state"), want);
                pause();
            }
        }
        return true;
    }

    private static void pause() throws IOException {
        try {
            Thread.sleep(2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    /** How many times the kernel killed a process of the group for memory. */
    static long oomKills(Group group) {
        if (group.memoryDir() == null) return 0;
        var file = group.memoryDir().resolve(group.v2() ? "memory.events" : "memory.oom_control");
        try {
            for (var line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.startsWith("oom_kill ")) return Long.parseLong(line.substring(9).trim());
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    /** Kills whatever is still in the groups and removes them. */
    static void remove(Group group) {
        try {
            freeze(group, false);
        } catch (IOException ignored) {
            // killed below either way
        }
        for (var dir : group.dirs()) {
            killAll(dir);
            for (int i = 0; i < 50; i++) {
                try {
                    Files.deleteIfExists(dir);
                    break;
                } catch (IOException e) {
                    // busy while the last processes exit
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }

    private static void killAll(Path dir) {
        try {
            for (var pid : Files.readAllLines(dir.resolve("cgroup.procs"))) {
                if (!pid.isBlank()) ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(ProcessHandle::destroyForcibly);
            }
        } catch (IOException | NumberFormatException ignored) {
            // gone
        }
    }

    /** The groups {@link #create} made for {@code computerId} in an earlier run, if they are still there. */
    Optional<Group> find(String computerId) {
        var dirs = new ArrayList<Path>();
        Path memory = null;
        Path freezer = null;
        for (int i = 0; i < parents.size(); i++) {
            var dir = parents.get(i).resolve(name(computerId));
            if (!Files.isDirectory(dir)) return Optional.empty();
            dirs.add(dir);
            var controller = controllers.get(i);
            if (v2 || controller.equals("memory")) memory = dir;
            if (v2 || controller.equals("freezer")) freezer = dir;
        }
        return Optional.of(new Group(List.copyOf(dirs), memory, freezer, v2));
    }

    /** Removes the groups an earlier run left behind. */
    int sweep() {
        return sweep(java.util.Set.of());
    }

    /** Removes the groups an earlier run left behind, but those of {@code keep} (computers re-adopted). */
    int sweep(java.util.Set<String> keep) {
        int n = 0;
        for (int i = 0; i < parents.size(); i++) {
            var parent = parents.get(i);
            // a frozen group's processes die only once thawed
            boolean freezer = v2 || controllers.get(i).equals("freezer");
            var prefix = instance + ".";
            try (var dirs = Files.list(parent)) {
                for (var dir : dirs.filter(Files::isDirectory).toList()) {
                    var name = dir.getFileName().toString();
                    if (!name.startsWith(prefix) || keep.contains(name.substring(prefix.length()))) continue;
                    remove(new Group(List.of(dir), null, freezer ? dir : null, v2));
                    n++;
                }
            } catch (IOException ignored) {
                // nothing there
            }
            // what an earlier version kept under porthole/<instance>/<computer id>
            var legacy = parent.resolve(instance);
            if (Files.isDirectory(legacy)) {
                try (var dirs = Files.list(legacy)) {
                    for (var dir : dirs.filter(Files::isDirectory).toList()) {
                        remove(new Group(List.of(dir), null, freezer ? dir : null, v2));
                        n++;
                    }
                } catch (IOException ignored) {
                    // nothing there
                }
                tryDelete(legacy);
            }
        }
        return n;
    }

    /** Nothing to remove: each computer's groups go with it ({@link #remove}). */
    void close() {}

    private static void tryDelete(Path dir) {
        try {
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // still in use
        }
    }

    /** A computer's group directory, under every parent: this server's instance and the computer's id. */
    private String name(String computerId) {
        return instance + "." + computerId;
    }

    boolean isV2() {
        return v2;
    }
}
