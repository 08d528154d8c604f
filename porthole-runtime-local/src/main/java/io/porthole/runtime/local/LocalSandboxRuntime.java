package io.porthole.runtime.local;

import io.porthole.api.ErrorCode;
import io.porthole.core.PortholeException;
import io.porthole.core.internal.ProcessTrees;
import io.porthole.core.internal.Threads;
import io.porthole.core.sandbox.Sandbox;
import io.porthole.core.sandbox.SandboxRuntime;
import io.porthole.core.sandbox.SandboxSpec;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Sandboxes made with bubblewrap on this host: new pid, mount, ipc and uts namespaces; a root of the host's
 * system directories read-only; a private {@code /tmp}, home and {@code /workspace} from the computer's
 * directory; nothing else of the host's files (so nothing of the data directory or of another computer).
 * The sandbox's first process is a {@code sleep}; commands enter it with {@code nsenter}. bubblewrap's
 * {@code --die-with-parent} ends the sandbox if the server dies. Thread-safe.
 */
public final class LocalSandboxRuntime implements SandboxRuntime {
    /** Host directories shown read-only inside: the system, never home directories or data. */
    static final Set<String> SYSTEM_DIRS = Set.of("usr", "etc", "opt", "var", "srv");
    static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private final Path bwrap;
    private final Path nsenter;
    private final List<Path> hidden;
    private final EgressPolicy egress;
    private final java.util.Optional<java.net.URI> trustedUpstream;
    private final java.util.Optional<Cgroups> cgroups;
    private final Limits limits;

    /** Per-computer limits: memory in bytes (RAM, no swap) and processes. */
    public record Limits(long memoryBytes, long maxProcesses) {
        public static Limits defaults() {
            return new Limits(2L << 30, 1024);
        }
    }
    private final Path socat;
    /** Where programs inside find the egress proxy. */
    static final String PROXY = "http://127.0.0.1:3128";
    /** The unprivileged user everything inside runs as. */
    static final int UID = 1000;

    /**
     * @param hidden host paths that must not be visible inside even if a system directory holds them; the
     *     first is the server's data directory, which also names its cgroups (so servers sharing a host
     *     never sweep each other's)
     * @throws PortholeException.Unavailable if bubblewrap or nsenter is missing
     */
    public LocalSandboxRuntime(List<Path> hidden, EgressPolicy egress) {
        this(hidden, egress, java.util.Optional.empty(), Limits.defaults());
    }

    /**
     * @param trustedUpstream the operator's upstream proxy (PORTHOLE_ADVANCED_PROXY_URL), reached even on a
     *     private address; proxies a computer names itself are held to {@code egress}
     */
    public LocalSandboxRuntime(List<Path> hidden, EgressPolicy egress, java.util.Optional<java.net.URI> trustedUpstream,
                               Limits limits) {
        this.trustedUpstream = trustedUpstream;
        this.limits = limits;
        this.cgroups = Cgroups.detect(instanceName(hidden));
        this.bwrap = find("bwrap", "bubblewrap");
        this.nsenter = find("nsenter", "util-linux");
        this.socat = find("socat", "socat");
        probeNamespaces(bwrap);
        this.egress = egress;
        this.hidden = hidden.stream().map(p -> p.toAbsolutePath().normalize()).toList();
    }

    /** A short stable name for this server: a hash of its data directory (the first hidden path). */
    static String instanceName(List<Path> hidden) {
        var key = hidden.isEmpty() ? "default" : hidden.getFirst().toAbsolutePath().normalize().toString();
        try {
            var digest = java.security.MessageDigest.getInstance("SHA-256").digest(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "i" + java.util.HexFormat.of().formatHex(digest, 0, 6);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What to do when isolation cannot be had, said at the end of every refusal. */
    static final String NONE_HINT = "; or, on a machine you trust, set PORTHOLE_ISOLATION=none to run computers"
            + " without any isolation (they can then reach the host, the server and each other)";
    private static final List<String> BIN_DIRS = List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin");

    private static Path find(String binary, String debianPackage) {
        return find(binary, debianPackage, BIN_DIRS);
    }

    static Path find(String binary, String debianPackage, List<String> dirs) {
        for (var dir : dirs) {
            var p = Path.of(dir, binary);
            if (Files.isExecutable(p)) return p;
        }
        throw new PortholeException.Unavailable("computers run in sandboxes made with " + binary
                + ", which is not installed; install it (Debian: apt-get install " + debianPackage + ")" + NONE_HINT);
    }

    /** Makes one throwaway sandbox with every namespace a computer gets, so a host that refuses says so now. */
    static void probeNamespaces(Path bwrap) {
        try {
            var p = new ProcessBuilder(bwrap.toString(), "--unshare-user", "--unshare-pid", "--unshare-ipc",
                    "--unshare-uts", "--unshare-net", "--ro-bind", "/", "/", "--proc", "/proc", "--", "/bin/true")
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            var err = new String(p.getErrorStream().readNBytes(4096), java.nio.charset.StandardCharsets.UTF_8).strip();
            if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new PortholeException.Unavailable("bubblewrap did not make a test sandbox within 10 s" + NONE_HINT);
            }
            if (p.exitValue() != 0) {
                throw new PortholeException.Unavailable("this host does not let bubblewrap make namespaces (" + err
                        + "); allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1,"
                        + " user.max_user_namespaces > 0) or, in a container, run it with a seccomp profile that"
                        + " allows unshare" + NONE_HINT);
            }
        } catch (IOException e) {
            throw new PortholeException.Unavailable("bubblewrap could not be run: " + e.getMessage() + NONE_HINT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PortholeException.Unavailable("interrupted while testing bubblewrap");
        }
    }

    @Override
    public String name() {
        return "local";
    }

    @Override
    public Sandbox start(SandboxSpec spec) {
        var work = spec.workDir().toAbsolutePath();
        try {
            for (var d : List.of("tmp", "home", "workspace", "run")) Files.createDirectories(work.resolve(d));
            Files.setPosixFilePermissions(work.resolve("tmp"), PosixFilePermissions.fromString("rwxrwxrwx"));
            var env = environment(spec);
            // the egress socket listens before the sandbox exists, so nothing inside ever finds it missing
            var channel = EgressChannel.listen(spec.computerId(), egress, work.resolve("run").resolve("egress.sock"),
                    trustedUpstream);
            var group = cgroups.isPresent()
                    ? java.util.Optional.of(cgroups.get().create(spec.computerId(), limits.memoryBytes(), limits.maxProcesses()))
                    : java.util.Optional.<Cgroups.Group>empty();
            var bwrapCommand = command(spec, work, env);
            // started from a thread that lives as long as the server: --die-with-parent follows the thread;
            // it joins the computer's cgroups first, so everything inside is counted and limited
            var process = Threads.spawnForLife(new ProcessBuilder(
                    group.map(g -> Cgroups.joinThenExec(g, bwrapCommand)).orElse(bwrapCommand))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.PIPE));
            LocalSandbox sandbox;
            try {
                sandbox = LocalSandbox.await(process, nsenter, env, work, channel, group);
            } catch (RuntimeException e) {
                channel.close();
                group.ifPresent(Cgroups::remove);
                throw e;
            }
            sandbox.egressFactory(socket -> {
                try {
                    return EgressChannel.listen(spec.computerId(), egress, socket, trustedUpstream);
                } catch (IOException e) {
                    throw new PortholeException.Unavailable("the context's proxy could not listen: " + e.getMessage());
                }
            });
            try {
                sandbox.startForwarder(socat);
            } catch (IOException | RuntimeException e) {
                sandbox.close();
                throw e;
            }
            return sandbox;
        } catch (IOException e) {
            throw new PortholeException.Unavailable(ErrorCode.UNAVAILABLE, "the sandbox could not be made: " + e.getMessage(), e);
        }
    }

    /** The variables every process inside starts with. */
    private static Map<String, String> environment(SandboxSpec spec) {
        var env = new LinkedHashMap<String, String>();
        env.put("PATH", PATH);
        env.put("HOME", Sandbox.HOME);
        env.put("USER", "user");
        env.put("LOGNAME", "user");
        env.put("LANG", "C.UTF-8");
        env.put("TERM", "xterm-256color");
        env.put("TMPDIR", "/tmp");
        for (var name : List.of("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")) env.put(name, PROXY);
        env.putAll(spec.env());
        return env;
    }

    @Override
    public java.util.Optional<Sandbox> adopt(SandboxSpec spec) {
        var work = spec.workDir().toAbsolutePath();
        if (!Files.isDirectory(work.resolve("run"))) return java.util.Optional.empty();
        EgressChannel channel;
        try {
            // the forwarder inside connects to the socket per connection: listening again is enough
            channel = EgressChannel.listen(spec.computerId(), egress, work.resolve("run").resolve("egress.sock"),
                    trustedUpstream);
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
        var group = cgroups.flatMap(c -> c.find(spec.computerId()));
        var adopted = LocalSandbox.adopt(nsenter, environment(spec), work, channel, group);
        if (adopted.isEmpty()) {
            channel.close();
            return java.util.Optional.empty();
        }
        var sandbox = adopted.get();
        sandbox.socat(socat);
        sandbox.egressFactory(socket -> {
            try {
                return EgressChannel.listen(spec.computerId(), egress, socket, trustedUpstream);
            } catch (IOException e) {
                throw new PortholeException.Unavailable("the context's proxy could not listen: " + e.getMessage());
            }
        });
        return java.util.Optional.of(sandbox);
    }

    List<String> command(SandboxSpec spec, Path work, Map<String, String> env) throws IOException {
        // a network namespace of its own: loopback only; the egress proxy, through a unix socket, is the way out
        // and a user namespace: everything inside runs as an unprivileged user, with no capability on the host.
        // No --die-with-parent: a sandbox outlives a crash of the server, whose next start re-adopts it
        var cmd = new ArrayList<String>(List.of(bwrap.toString(), "--unshare-user", "--uid",
                Integer.toString(UID), "--gid", Integer.toString(UID), "--unshare-pid", "--unshare-ipc",
                "--unshare-uts", "--unshare-net", "--hostname", "computer", "--tmpfs", "/"));
        try (var entries = Files.list(Path.of("/"))) {
            for (var entry : entries.sorted().toList()) {
                var name = entry.getFileName().toString();
                if (Files.isSymbolicLink(entry)) {
                    var target = Files.readSymbolicLink(entry).toString();
                    if (SYSTEM_DIRS.stream().anyMatch(d -> target.equals(d) || target.startsWith(d + "/")
                            || target.equals("/" + d) || target.startsWith("/" + d + "/"))) {
                        cmd.addAll(List.of("--symlink", target, "/" + name));
                    }
                } else if (SYSTEM_DIRS.contains(name) && Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                    cmd.addAll(List.of("--ro-bind", entry.toString(), entry.toString()));
                }
            }
        }
        // the user's own account files, and none of the host's secrets (its uids would read as the user's)
        var accounts = work.resolve("run").getParent().resolve("accounts");
        Files.createDirectories(accounts);
        Files.writeString(accounts.resolve("passwd"), "root:x:0:0:root:/root:/usr/sbin/nologin\n"
                + "user:x:" + UID + ":" + UID + ":Porthole:" + Sandbox.HOME + ":/bin/bash\n"
                + "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
        Files.writeString(accounts.resolve("group"), "root:x:0:\nuser:x:" + UID + ":\nnogroup:x:65534:\n");
        cmd.addAll(List.of("--ro-bind", accounts.resolve("passwd").toString(), "/etc/passwd",
                "--ro-bind", accounts.resolve("group").toString(), "/etc/group"));
        for (var secret : List.of("/etc/shadow", "/etc/gshadow", "/etc/shadow-", "/etc/gshadow-", "/etc/sudoers")) {
            if (Files.exists(Path.of(secret))) cmd.addAll(List.of("--ro-bind", "/dev/null", secret));
        }
        for (var secretDir : List.of("/etc/ssh", "/etc/sudoers.d", "/etc/ssl/private")) {
            if (Files.isDirectory(Path.of(secretDir))) cmd.addAll(List.of("--tmpfs", secretDir));
        }
        for (var h : hidden) {
            if (SYSTEM_DIRS.stream().anyMatch(d -> h.startsWith(Path.of("/", d))) && Files.isDirectory(h)) {
                cmd.addAll(List.of("--tmpfs", h.toString()));
            }
        }
        cmd.addAll(List.of("--dev", "/dev", "--proc", "/proc", "--tmpfs", "/run",
                "--bind", work.resolve("run").toString(), Sandbox.CHANNELS,
                "--bind", work.resolve("tmp").toString(), "/tmp",
                "--tmpfs", "/home", "--bind", work.resolve("home").toString(), Sandbox.HOME,
                "--bind", work.resolve("workspace").toString(), Sandbox.WORKSPACE,
                "--chdir", Sandbox.WORKSPACE, "--clearenv"));
        env.forEach((k, v) -> cmd.addAll(List.of("--setenv", k, v)));
        // the sandbox's own process: it holds the namespaces; bubblewrap's init above it reaps orphans
        cmd.addAll(List.of("--", "/bin/sleep", "infinity"));
        return cmd;
    }

    @Override
    public void close() {
        cgroups.ifPresent(Cgroups::close);
    }

    @Override
    public int sweepLeftovers(Path computersDir, Set<String> keep) {
        var marker = computersDir.toAbsolutePath().toString();
        var self = ProcessHandle.current().pid();
        var kept = keep.stream().map(id -> computersDir.toAbsolutePath().resolve(id).toString() + "/").toList();
        var leftovers = ProcessHandle.allProcesses()
                .filter(h -> h.pid() != self)
                .filter(h -> h.info().commandLine().map(c -> c.contains(marker) && kept.stream().noneMatch(c::contains))
                        .orElse(false))
                .toList();
        leftovers.forEach(ProcessHandle::destroyForcibly);
        ProcessTrees.awaitGone(leftovers, 5000);
        cgroups.ifPresent(c -> c.sweep(keep));
        return leftovers.size();
    }
}
