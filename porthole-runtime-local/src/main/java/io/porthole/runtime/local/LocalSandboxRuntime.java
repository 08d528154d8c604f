package io.porthole.runtime.local;

import io.porthole.api.ErrorCode;
import io.porthole.core.PortholeException;
import io.porthole.core.internal.Commands;
import io.porthole.core.internal.Files2;
import io.porthole.core.internal.ProcessTrees;
import io.porthole.core.internal.Steps;
import io.porthole.core.internal.Threads;
import io.porthole.core.sandbox.Sandbox;
import io.porthole.core.sandbox.SandboxRuntime;
import io.porthole.core.sandbox.SandboxSpec;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Sandboxes made with bubblewrap on this host: new user, pid, mount, ipc, uts and network namespaces; the
 * host's {@code /usr} and {@code /etc} read-only (its secrets hidden) and little else of the host; private
 * {@code /tmp}, home and {@code /workspace} in memory (tmpfs, counted in the computer's memory limit, so a
 * computer cannot fill the host's disk), so that no path of the server's data directory is mounted inside.
 *
 * <p>Who a computer is to the host: uid and gid 1000 inside map to a host uid of the sandbox's own
 * ({@link SandboxUsers}) in a user namespace the server makes and maps before bubblewrap joins it; bubblewrap
 * starts with no supplementary groups and an environment of {@code PATH} only. The sandbox's first process is
 * a {@code sleep}; commands enter it with {@code nsenter}. Sandboxes outlive the server (no
 * {@code --die-with-parent}), whose next start takes them over ({@link #adopt}). Thread-safe.
 */
public final class LocalSandboxRuntime implements SandboxRuntime {
    private static final System.Logger LOG = System.getLogger(LocalSandboxRuntime.class.getName());
    static final String PATH = Commands.PATH;
    /** Where programs inside find the egress proxy. */
    static final String PROXY = "http://127.0.0.1:3128";
    /** The unprivileged user everything inside runs as. */
    static final int UID = 1000;
    /** What of the host's /var a browser or desktop uses, read-only: the font cache and the machine id. */
    private static final List<String> VAR_ALLOWED = List.of("/var/cache/fontconfig", "/var/lib/dbus/machine-id");
    /** Files and directories of /etc that hold secrets: hidden even though the sandbox's user cannot read them. */
    private static final List<String> ETC_SECRET_FILES = List.of("/etc/shadow", "/etc/gshadow", "/etc/shadow-",
            "/etc/gshadow-", "/etc/sudoers");
    private static final List<String> ETC_SECRET_DIRS = List.of("/etc/ssh", "/etc/sudoers.d", "/etc/ssl/private");
    /** The server's own file in a computer's directory that says which sandbox is the computer's. */
    static final String SANDBOX_FILE = "sandbox";

    private final Path bwrap;
    private final Path nsenter;
    private final Path socat;
    private final Path unshare;
    private final Path setpriv;
    private final List<Path> hidden;
    private final List<Path> readOnly;
    private final EgressPolicy egress;
    private final Optional<URI> trustedUpstream;
    /** Host render nodes every sandbox sees (PORTHOLE_GPU); usually none. */
    private final List<Path> gpu;
    private final Optional<Cgroups> cgroups;
    private final Limits limits;
    private final SandboxUsers users;
    private final OnlineLink online;
    private final String instance;
    /**
     * Where the channel directories of sandboxes are, when the server runs as root: one per computer, named
     * {@code <instance>.<computer id>}, so that nothing of this server's is left there once its computers end.
     */
    private final Path channelRoot = Path.of("/run/porthole");

    /** Per-computer limits: memory in bytes (RAM, no swap; the computer's files in memory count too) and processes. */
    public record Limits(long memoryBytes, long maxProcesses) {
        public static Limits defaults() {
            return new Limits(2L << 30, 1024);
        }
    }

    /**
     * @param hidden host paths that must not be visible inside even if a system directory holds them; the
     *     first is the server's data directory, which also names its cgroups (so servers sharing a host
     *     never sweep each other's)
     * @throws PortholeException.Unavailable if bubblewrap or nsenter is missing
     */
    public LocalSandboxRuntime(List<Path> hidden, EgressPolicy egress) {
        this(hidden, egress, Optional.empty(), Limits.defaults(), List.of());
    }

    /**
     * @param trustedUpstream the operator's upstream proxy (PORTHOLE_ADVANCED_PROXY_URL), reached even on a
     *     private address; proxies a computer names itself are held to {@code egress}
     * @param readOnly host directories shown read-only inside besides {@code /usr} and {@code /etc}: where a
     *     configured browser is installed, if elsewhere
     */
    public LocalSandboxRuntime(List<Path> hidden, EgressPolicy egress, Optional<URI> trustedUpstream,
                               Limits limits, List<Path> readOnly) {
        this(hidden, egress, trustedUpstream, limits, readOnly, List.of());
    }

    /**
     * @param gpu DRI render nodes shown read-write in every sandbox at the same path (PORTHOLE_GPU, see
     *     {@link GpuDevices}); empty: none, the sandbox's /dev has only the basic devices
     */
    public LocalSandboxRuntime(List<Path> hidden, EgressPolicy egress, Optional<URI> trustedUpstream,
                               Limits limits, List<Path> readOnly, List<Path> gpu) {
        this.gpu = List.copyOf(gpu);
        this.trustedUpstream = trustedUpstream;
        this.limits = limits;
        this.instance = instanceName(hidden);
        this.cgroups = Cgroups.detect(instance);
        this.bwrap = find("bwrap", "bubblewrap");
        this.nsenter = find("nsenter", "util-linux");
        this.unshare = find("unshare", "util-linux");
        this.setpriv = find("setpriv", "util-linux");
        this.socat = find("socat", "socat");
        probeNamespaces(bwrap);
        this.egress = egress;
        this.hidden = hidden.stream().map(p -> p.toAbsolutePath().normalize()).toList();
        this.readOnly = readOnly.stream().map(p -> p.toAbsolutePath().normalize()).toList();
        this.users = new SandboxUsers(instance);
        this.online = new OnlineLink(unshare, nsenter);
        if (users.separate()) {
            try {
                // traversable by the sandboxes' users (bubblewrap binds their channel directories as them), listable
                // by nobody but the server
                Files.createDirectories(channelRoot);
                Files.setPosixFilePermissions(channelRoot, PosixFilePermissions.fromString("rwx--x--x"));
            } catch (IOException e) {
                throw new PortholeException.Unavailable("the sandboxes' channel directory " + channelRoot
                        + " cannot be made: " + e.getMessage());
            }
        } else {
            LOG.log(System.Logger.Level.WARNING, "the server does not run as root, so every computer runs as the"
                    + " server''s own user on the host (uid 1000 inside); run it as root to give each computer a host"
                    + " user of its own");
        }
    }

    /** The programs found at start still executable, the cgroups found at start still there. */
    @Override
    public List<String> problems() {
        var out = new ArrayList<String>();
        for (var program : List.of(bwrap, nsenter, unshare, setpriv, socat)) {
            if (!Files.isExecutable(program)) out.add(program.getFileName() + " is no longer executable");
        }
        if (cgroups.isPresent() && !cgroups.get().usable()) out.add("the computers' cgroups are gone");
        return List.copyOf(out);
    }

    /** A short stable name for this server: a hash of its data directory (the first hidden path). */
    static String instanceName(List<Path> hidden) {
        var key = hidden.isEmpty() ? "default" : hidden.getFirst().toAbsolutePath().normalize().toString();
        try {
            var digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return "i" + HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
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
            var p = Commands.builder(bwrap.toString(), "--unshare-user", "--unshare-pid", "--unshare-ipc",
                    "--unshare-uts", "--unshare-net", "--ro-bind", "/", "/", "--proc", "/proc", "--", "/bin/true")
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            var err = new String(p.getErrorStream().readNBytes(4096), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
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

    /** The directory processes inside see as {@link Sandbox#CHANNELS}: the server's, outside the data directory. */
    private Path channelsOf(SandboxSpec spec) {
        return users.separate() ? channelRoot.resolve(instance + "." + spec.computerId())
                : spec.workDir().toAbsolutePath().resolve("run");
    }

    @Override
    public Sandbox start(SandboxSpec spec) {
        var work = spec.workDir().toAbsolutePath();
        var channels = channelsOf(spec);
        var steps = new Steps();
        // the pick of a host uid scans /proc: on another thread, while the holder of the user namespace starts (its
        // two execs overlap the rest of the set-up too) and the files are written
        var uidPick = Threads.onPipeThread(users::acquire);
        Holder holder;
        try {
            holder = startHolder();
        } catch (IOException e) {
            releaseWhenPicked(uidPick);
            throw new PortholeException.Unavailable(ErrorCode.UNAVAILABLE, "the sandbox's user namespace could not be"
                    + " made: " + e.getMessage(), e);
        }
        steps.lap("holder started");
        int uid = -1;
        EgressChannel channel = null;
        Optional<Cgroups.Group> group = Optional.empty();
        try {
            Files.createDirectories(work);
            Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwx------"));
            Files2.deleteTree(channels);
            Files.createDirectory(channels);
            // the sandbox's user may open what is in it, but neither list, add nor replace anything
            Files.setPosixFilePermissions(channels, PosixFilePermissions.fromString(users.separate() ? "rwx--x--x" : "rwx------"));
            var env = environment(spec);
            steps.lap("directories");
            if (cgroups.isPresent()) {
                group = Optional.of(cgroups.get().create(spec.computerId(), limits.memoryBytes(), limits.maxProcesses()));
            }
            steps.lap("cgroups");
            var args = work.resolve("sandbox.args");
            Files.write(args, String.join("\0", command(channels, env)).concat("\0").getBytes(StandardCharsets.UTF_8));
            Files.writeString(work.resolve("passwd"), "root:x:0:0:root:/root:/usr/sbin/nologin\n"
                    + "user:x:" + UID + ":" + UID + ":Porthole:" + Sandbox.HOME + ":/bin/bash\n"
                    + "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
            Files.writeString(work.resolve("group"), "root:x:0:\nuser:x:" + UID + ":\nnogroup:x:65534:\n");
            steps.lap("arguments");
            uid = pickedUid(uidPick);
            steps.lap("uid");
            // the egress socket listens before the sandbox exists, so nothing inside ever finds it missing
            channel = listenEgress(spec.computerId(), channels.resolve("egress.sock"), uid);
            steps.lap("egress socket");
            mapUserNamespace(holder, uid);
            steps.lap("user namespace");
            // the arguments come from a file (fd 4), so that neither /proc/1/cmdline inside nor the host's process
            // list shows the host paths they name; it joins the computer's cgroups first, so everything inside is
            // counted and limited
            var script = new StringBuilder();
            group.ifPresent(g -> script.append(Cgroups.joinScript(g)));
            script.append("exec 3</proc/\"$1\"/ns/user 4<\"$2\" 5<\"$3\" 6<\"$4\" && exec ");
            if (users.separate()) script.append("\"$6\" --clear-groups -- ");
            // the sandbox's first process (bubblewrap takes the command from its command line, not the file) says it
            // is up and becomes the sleep that holds the namespaces; bubblewrap's init above it reaps orphans
            script.append("\"$5\" --args 4 -- /bin/sh -c \"$7\" porthole-init");
            var process = Threads.spawnForLife(Commands.builder("/bin/sh", "-c", script.toString(), "porthole-sandbox",
                            Long.toString(holder.process().pid()), args.toString(), work.resolve("passwd").toString(),
                            work.resolve("group").toString(), bwrap.toString(), setpriv.toString(), LocalSandbox.init())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.PIPE));
            steps.lap("bubblewrap started");
            var sandbox = LocalSandbox.await(process, nsenter, env, work, channels, channel, group, uid, users);
            steps.lap("sandbox up");
            // the holder makes eth0 while the rest is set up; the browser starts after this returns
            var link = online.request(holder.process(), sandbox.anchorPid());
            sandbox.socat(socat);
            int owner = uid;
            sandbox.egressFactory(socket -> {
                try {
                    return listenEgress(spec.computerId(), socket, owner);
                } catch (IOException e) {
                    throw new PortholeException.Unavailable("the context's proxy could not listen: " + e.getMessage());
                }
            });
            try {
                Files.writeString(work.resolve(SANDBOX_FILE), sandbox.describe());
                // the egress forwarder starts while the browser or desktop does: the caller waits for it (awaitReady)
                sandbox.startForwarder();
                steps.lap("described");
                online.await(link);
                holder.process().destroyForcibly();
                steps.lap("link");
            } catch (IOException | RuntimeException e) {
                sandbox.close();
                throw e;
            }
            LOG.log(System.Logger.Level.DEBUG, "sandbox of {0} made: {1}", spec.computerId(), steps);
            return sandbox;
        } catch (IOException | RuntimeException e) {
            holder.process().destroyForcibly();
            if (channel != null) channel.close();
            group.ifPresent(Cgroups::remove);
            Files2.deleteTree(channels);
            if (uid != -1) {
                users.release(uid);
            } else {
                releaseWhenPicked(uidPick);
            }
            if (e instanceof PortholeException pe) throw pe;
            throw new PortholeException.Unavailable(ErrorCode.UNAVAILABLE, "the sandbox could not be made: " + e.getMessage(), e);
        }
    }

    /** For a start that failed before it waited for the uid pick: gives back whatever it picks. */
    private void releaseWhenPicked(java.util.concurrent.Future<Integer> pick) {
        Threads.onPipeThread(() -> {
            try {
                users.release(pick.get());
            } catch (InterruptedException | java.util.concurrent.ExecutionException ignored) {
                // nothing was picked
            }
        });
    }

    private static int pickedUid(java.util.concurrent.Future<Integer> pick) throws IOException {
        try {
            return pick.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new IOException("no sandbox user id could be picked: " + e.getCause(), e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IOException("no sandbox user id was picked within 10 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** The egress proxy on a socket in the channel directory that only the sandbox's user may connect to. */
    private EgressChannel listenEgress(String computerId, Path socket, int uid) throws IOException {
        var channel = EgressChannel.listen(computerId, egress, socket, trustedUpstream);
        try {
            LocalSandbox.grant(socket, uid);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        return channel;
    }

    /** The process that holds a new user namespace, and its word that the namespace exists. */
    private record Holder(Process process, java.util.concurrent.Future<Integer> ready) {}

    /**
     * Starts a process holding a new user namespace, which bubblewrap then joins: bubblewrap's own
     * {@code --unshare-user} maps the sandbox's user to whoever runs it, which for a server running as root is host
     * root. The holder reads its standard input, so it ends when the server closes it, or dies; before it ends it
     * makes the sandbox's {@link OnlineLink}.
     */
    private Holder startHolder() throws IOException {
        var process = Commands.builder(online.holderCommand(unshare))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        return new Holder(process, Threads.onPipeThread(() -> process.getInputStream().read()));
    }

    /** Once the holder's namespace exists, makes uid and gid 1000 in it {@code uid} on the host. */
    private void mapUserNamespace(Holder holder, int uid) throws IOException {
        try {
            if (holder.ready().get(10, TimeUnit.SECONDS) != '\n') throw new IOException("unshare did not make a user namespace");
            var proc = Path.of("/proc", Long.toString(holder.process().pid()));
            // a server that is not root may only map its own ids, and only once setgroups is denied
            if (!users.separate()) Files.writeString(proc.resolve("setgroups"), "deny");
            Files.writeString(proc.resolve("uid_map"), UID + " " + uid + " 1\n");
            Files.writeString(proc.resolve("gid_map"), UID + " " + (users.separate() ? uid : ownGid()) + " 1\n");
        } catch (IOException | RuntimeException | java.util.concurrent.ExecutionException
                 | java.util.concurrent.TimeoutException e) {
            throw new IOException("the sandbox's user namespace could not be made: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static int ownGid() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:gid");
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
    public Optional<Sandbox> adopt(SandboxSpec spec) {
        var work = spec.workDir().toAbsolutePath();
        var channels = channelsOf(spec);
        var described = LocalSandbox.Described.read(work.resolve(SANDBOX_FILE));
        if (described.isEmpty() || !Files.isDirectory(channels, LinkOption.NOFOLLOW_LINKS)) return Optional.empty();
        int uid = described.get().uid();
        EgressChannel channel;
        try {
            // the forwarder inside connects to the socket per connection: listening again is enough
            channel = listenEgress(spec.computerId(), channels.resolve("egress.sock"), uid);
        } catch (IOException e) {
            return Optional.empty();
        }
        var group = cgroups.flatMap(c -> c.find(spec.computerId()));
        var adopted = LocalSandbox.adopt(described.get(), nsenter, environment(spec), work, channels, channel, group, users);
        if (adopted.isEmpty()) {
            channel.close();
            return Optional.empty();
        }
        users.claim(uid);
        var sandbox = adopted.get();
        sandbox.socat(socat);
        sandbox.egressFactory(socket -> {
            try {
                return listenEgress(spec.computerId(), socket, uid);
            } catch (IOException e) {
                throw new PortholeException.Unavailable("the context's proxy could not listen: " + e.getMessage());
            }
        });
        return Optional.of(sandbox);
    }

    /** bubblewrap's arguments, without its own name (read from a file, never on a command line). */
    List<String> command(Path channels, Map<String, String> env) throws IOException {
        // a network namespace of its own: loopback, and an eth0 that goes nowhere (OnlineLink); the egress proxy,
        // through a unix socket, is the way out.
        // No --die-with-parent: a sandbox outlives a crash of the server, whose next start re-adopts it
        var cmd = new ArrayList<String>(List.of("--userns", "3", "--uid", Integer.toString(UID),
                "--gid", Integer.toString(UID), "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-net",
                "--hostname", "computer", "--tmpfs", "/"));
        // /bin, /lib, /sbin and the like: the host's links into /usr
        try (var entries = Files.list(Path.of("/"))) {
            for (var entry : entries.sorted().toList()) {
                if (!Files.isSymbolicLink(entry)) continue;
                var target = Files.readSymbolicLink(entry).toString();
                if (target.equals("usr") || target.startsWith("usr/") || target.equals("/usr") || target.startsWith("/usr/")) {
                    cmd.addAll(List.of("--symlink", target, entry.toString()));
                }
            }
        }
        cmd.addAll(List.of("--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"));
        // the user's own account files (fds 5 and 6), and none of the host's secrets
        cmd.addAll(List.of("--ro-bind-data", "5", "/etc/passwd", "--ro-bind-data", "6", "/etc/group"));
        for (var secret : ETC_SECRET_FILES) {
            if (Files.exists(Path.of(secret))) cmd.addAll(List.of("--ro-bind", "/dev/null", secret));
        }
        for (var secretDir : ETC_SECRET_DIRS) {
            if (Files.isDirectory(Path.of(secretDir))) cmd.addAll(List.of("--tmpfs", secretDir));
        }
        for (var h : hidden) {
            if ((h.startsWith("/usr") || h.startsWith("/etc")) && Files.isDirectory(h)) cmd.addAll(List.of("--tmpfs", h.toString()));
        }
        for (var dir : readOnly) {
            if (!dir.startsWith("/usr") && !dir.startsWith("/etc") && Files.isDirectory(dir)) {
                cmd.addAll(List.of("--ro-bind", dir.toString(), dir.toString()));
            }
        }
        // of /var, only what browsers and desktops read; the rest of the host's /var (and /opt, /srv, /home) is not there
        var size = Long.toString(limits.memoryBytes());
        cmd.addAll(List.of("--size", size, "--tmpfs", "/var", "--symlink", "/run", "/var/run", "--symlink", "/tmp", "/var/tmp"));
        for (var allowed : VAR_ALLOWED) cmd.addAll(List.of("--ro-bind-try", allowed, allowed));
        cmd.addAll(List.of("--dev", "/dev"));
        for (var node : gpu) cmd.addAll(List.of("--dev-bind", node.toString(), node.toString()));
        cmd.addAll(List.of("--proc", "/proc", "--tmpfs", "/run",
                "--bind", channels.toString(), Sandbox.CHANNELS,
                "--size", size, "--perms", "1777", "--tmpfs", "/tmp",
                "--tmpfs", "/home", "--size", size, "--perms", "0700", "--tmpfs", Sandbox.HOME,
                "--size", size, "--tmpfs", Sandbox.WORKSPACE,
                "--chdir", Sandbox.WORKSPACE, "--clearenv"));
        env.forEach((k, v) -> cmd.addAll(List.of("--setenv", k, v)));
        return cmd;
    }

    @Override
    public void close() {
        cgroups.ifPresent(Cgroups::close);
    }

    @Override
    public java.util.OptionalLong availableMemory() {
        return HostMemory.available();
    }

    @Override
    public int sweepLeftovers(Path computersDir, Set<String> keep) {
        var dir = computersDir.toAbsolutePath();
        var leftovers = new ArrayList<ProcessHandle>();
        try (var computers = Files.list(dir)) {
            for (var computer : computers.toList()) {
                if (keep.contains(computer.getFileName().toString())) continue;
                LocalSandbox.Described.read(computer.resolve(SANDBOX_FILE)).flatMap(LocalSandbox.Described::process)
                        .ifPresent(bwrap -> {
                            leftovers.add(bwrap);
                            bwrap.descendants().forEach(leftovers::add);
                        });
            }
        } catch (IOException ignored) {
            // no computers directory yet
        }
        // and what an earlier version, which named the data directory on bubblewrap's command line, left
        var marker = dir.toString();
        var self = ProcessHandle.current().pid();
        var kept = keep.stream().map(id -> dir.resolve(id) + "/").toList();
        ProcessHandle.allProcesses().filter(h -> h.pid() != self)
                .filter(h -> h.info().commandLine().map(c -> c.contains(marker) && kept.stream().noneMatch(c::contains))
                        .orElse(false))
                .forEach(leftovers::add);
        leftovers.forEach(ProcessHandle::destroyForcibly);
        ProcessTrees.awaitGone(leftovers, 5000);
        cgroups.ifPresent(c -> c.sweep(keep));
        if (users.separate()) {
            var prefix = instance + ".";
            try (var channelDirs = Files.list(channelRoot)) {
                channelDirs.filter(d -> d.getFileName().toString().startsWith(prefix))
                        .filter(d -> !keep.contains(d.getFileName().toString().substring(prefix.length())))
                        .forEach(Files2::deleteTree);
            } catch (IOException ignored) {
                // none
            }
        }
        return leftovers.size();
    }
}
