package io.porthole.runtime.local;

import io.porthole.core.PortholeException;
import io.porthole.core.internal.Commands;
import io.porthole.core.internal.Files2;
import io.porthole.core.internal.ProcessTrees;
import io.porthole.core.internal.Threads;
import io.porthole.core.sandbox.Sandbox;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.regex.Pattern;

/** One bubblewrap sandbox; processes enter it with nsenter. Thread-safe. */
final class LocalSandbox implements Sandbox {
    private static final System.Logger LOG = System.getLogger(LocalSandbox.class.getName());
    private static final long START_TIMEOUT_MILLIS = 10_000;
    private static final long CONNECT_TIMEOUT_MILLIS = 5_000;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    /** bubblewrap: our child, or (re-adopted after a restart) a process an earlier run started. */
    private final ProcessHandle bwrap;
    private final long anchorPid;
    /**
     * bubblewrap's init, pid 1 inside, the anchor's parent: it lives while any process it was left with does (the
     * egress forwarder outlives the anchor), so the sandbox ends when it is killed.
     */
    private final long initPid;
    private final Path nsenter;
    private final Map<String, String> env;
    /** The server's own directory for the computer, never visible inside. */
    private final Path work;
    /** What is {@link Sandbox#CHANNELS} inside: the server's, which the sandbox's user can only open things in. */
    private final Path channels;
    /** The sandbox's user on the host. */
    private final int uid;
    private final SandboxUsers users;
    private final StartedProcesses started = new StartedProcesses();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Completes once the egress forwarder the sandbox started with listens (at once for a sandbox taken over). */
    private volatile CompletableFuture<Void> forwarder = CompletableFuture.completedFuture(null);

    private final EgressChannel egress;
    private final Optional<Cgroups.Group> group;
    private Path socat;
    private Function<Path, EgressChannel> egressFactory;
    private final List<EgressChannel> extraEgress = new CopyOnWriteArrayList<>();
    private final Map<String, ContextEgress> contextEgress = new ConcurrentHashMap<>();
    private int egressCounter;

    private LocalSandbox(ProcessHandle bwrap, long initPid, long anchorPid, Path nsenter, Map<String, String> env, Path work,
                         Path channels, EgressChannel egress, Optional<Cgroups.Group> group, int uid, SandboxUsers users) {
        this.egress = egress;
        this.group = group;
        this.bwrap = bwrap;
        this.anchorPid = anchorPid;
        this.initPid = initPid;
        this.nsenter = nsenter;
        this.env = Map.copyOf(env);
        this.work = work;
        this.channels = channels;
        this.uid = uid;
        this.users = users;
    }

    /**
     * Which process is a computer's sandbox, kept in the server's directory for the computer so that a later run
     * finds it again: bubblewrap's pid and start, and the sandbox's user on the host.
     */
    record Described(long pid, long startMillis, int uid) {
        static Optional<Described> read(Path file) {
            try {
                if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) return Optional.empty();
                var parts = Files.readString(file).strip().split(" ");
                if (parts.length != 3) return Optional.empty();
                return Optional.of(new Described(Long.parseLong(parts[0]), Long.parseLong(parts[1]), Integer.parseInt(parts[2])));
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
        }

        /** The bubblewrap process, if it still runs (the same process: same start, still bubblewrap). */
        Optional<ProcessHandle> process() {
            return ProcessHandle.of(pid).filter(h -> !ProcessTrees.gone(h))
                    .filter(h -> h.info().startInstant().map(i -> i.toEpochMilli() == startMillis).orElse(false))
                    .filter(h -> h.info().command().map(c -> c.endsWith("/bwrap")).orElse(false));
        }

        @Override
        public String toString() {
            return pid + " " + startMillis + " " + uid;
        }
    }

    /** The sandbox's first process (the sleep that holds its namespaces), as the host sees it. */
    long anchorPid() {
        return anchorPid;
    }

    String describe() {
        return new Described(bwrap.pid(), bwrap.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L), uid)
                + "\n";
    }

    /** The line the sandbox's first process writes to bubblewrap's standard error once the sandbox is made. */
    static final String UP = "porthole-sandbox-up";
    /** The line a forwarder's watcher writes once socat listens, or that it ended without listening. */
    private static final String EGRESS_UP = "porthole-egress-up";
    private static final String EGRESS_FAILED = "porthole-egress-failed";

    /**
     * Waits until the sandbox's first process says it is up (a line on bubblewrap's standard error: bubblewrap's own
     * errors come before it, or instead of it), and returns the sandbox.
     */
    static LocalSandbox await(Process bwrap, Path nsenter, Map<String, String> env, Path work, Path channels,
                              EgressChannel egress, Optional<Cgroups.Group> group, int uid, SandboxUsers users) {
        var up = new CompletableFuture<Void>();
        var said = new StringBuilder();
        Threads.onPipeThread(() -> {
            try (var err = new java.io.BufferedReader(new java.io.InputStreamReader(bwrap.getErrorStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = err.readLine()) != null) {
                    if (line.equals(UP)) up.complete(null);
                    else if (!up.isDone() && said.length() < 4096) said.append(line).append('\n');
                }
            } catch (IOException ignored) {
                // ended
            }
            up.completeExceptionally(new IOException("ended"));
        });
        try {
            up.get(START_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            bwrap.destroyForcibly();
            throw new PortholeException.Unavailable("the sandbox did not start within " + START_TIMEOUT_MILLIS + " ms");
        } catch (ExecutionException e) {
            String exit;
            try {
                exit = bwrap.waitFor(2, TimeUnit.SECONDS) ? Integer.toString(bwrap.exitValue()) : "still running";
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                exit = "interrupted";
            }
            bwrap.destroyForcibly();
            throw new PortholeException.Unavailable("bubblewrap could not make the sandbox (exit " + exit + "): "
                    + said.toString().strip());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            bwrap.destroyForcibly();
            throw new PortholeException.Unavailable("interrupted while the sandbox started");
        }
        // bubblewrap, its init (pid 1 inside), and below that the first process, which said it is up: the sandbox's
        // own process from now on (a shell that is becoming sleep; the namespaces are the same before and after)
        var init = ProcessTrees.children(bwrap.pid()).stream().findFirst();
        var anchor = init.stream().flatMap(i -> ProcessTrees.children(i).stream()).findFirst();
        if (anchor.isEmpty()) {
            bwrap.destroyForcibly();
            throw new PortholeException.Unavailable("the sandbox ended as it started");
        }
        return new LocalSandbox(bwrap.toHandle(), init.get(), anchor.get(), nsenter, env, work, channels, egress, group,
                uid, users);
    }

    /**
     * What the sandbox's first process runs: it says the sandbox is up, then becomes {@code sleep}, the process that
     * holds the sandbox and that everything else enters.
     */
    static String init() {
        return "echo " + UP + " >&2; exec /bin/sleep infinity";
    }

    /**
     * A shell pipeline: socat forwarding {@code port} to {@code socket}, its messages read by a watcher inside that
     * writes {@link #EGRESS_UP} once socat says it listens and then drains the rest itself (so nothing more is written
     * to the server: after a restart of the server, a socat writing to the old server's pipe would die of it), or
     * {@link #EGRESS_FAILED} if socat ends first, after what socat said.
     */
    private static String forwarder(Path socat, int port, String socket) {
        // 128 KiB blocks: with socat's default 8 KiB this hop held downloads to about a quarter of direct speed
        return socat + " -d -d -b131072 TCP-LISTEN:" + port + ",bind=127.0.0.1,fork,reuseaddr,nodelay UNIX-CONNECT:"
                + Sandbox.CHANNELS + "/" + socket + " 2>&1 >/dev/null </dev/null | { while read -r l; do case $l in"
                + " *'listening on'*) echo " + EGRESS_UP + "; exec cat >/dev/null;; *) echo \"$l\";; esac; done;"
                + " echo " + EGRESS_FAILED + "; }";
    }

    @Override
    public Process start(List<String> argv, Map<String, String> extraEnv, String cwd, boolean withInput) throws IOException {
        if (closed.get() || !isAlive()) throw new IOException("the sandbox has ended");
        var uid = Integer.toString(LocalSandboxRuntime.UID);
        // nsenter goes into the working directory as it enters (-W), and setsid makes the command lead a session
        // of its own, whose process group a timeout or the end kills whole: no shell or env in between
        var cmd = new ArrayList<String>(List.of(nsenter.toString(), "-t", Long.toString(anchorPid), "-U", "-m", "-p", "-i",
                "-n", "-u", "-r", "-W", cwd));
        // root becomes uid 1000 inside (and drops its groups); a server that is not root is uid 1000 inside already,
        // and may not change its groups there
        cmd.addAll(users.separate() ? List.of("-S", uid, "-G", uid) : List.of("--preserve-credentials"));
        cmd.addAll(List.of("--", "/usr/bin/setsid"));
        // what the caller adds (a user's exec env among it) is set only inside: in nsenter's own environment, which
        // runs as root on the host, LD_PRELOAD=/proc/<pid>/root/... would load a library the computer wrote
        if (!extraEnv.isEmpty()) {
            cmd.addAll(List.of("/usr/bin/env", "--"));
            extraEnv.forEach((k, v) -> cmd.add(k + "=" + v));
        }
        cmd.addAll(argv);
        var builder = Commands.builder(group.map(g -> Cgroups.joinThenExec(g, cmd)).orElse(cmd))
                .redirectInput(withInput ? ProcessBuilder.Redirect.PIPE : ProcessBuilder.Redirect.from(new File("/dev/null")));
        // the sandbox's own environment (the server's constants) and nothing of the server's: nsenter hands it on
        var processEnv = builder.environment();
        processEnv.clear();
        processEnv.putAll(env);
        var process = builder.start();
        started.add(process);
        return process;
    }

    /**
     * A relay inside (socat, as the sandbox's user) connects to the endpoint first, then to a socket the server
     * listens on in the channel directory under a name nobody inside can guess; the server's end of that is the
     * connection. The relay lives as long as the connection.
     */
    @Override
    public SocketChannel connect(Endpoint endpoint) throws IOException {
        // as short as egress.sock (a unix socket's path has at most 107 bytes), and unguessable for the moment it
        // exists: 48 random bits
        var bytes = new byte[6];
        RANDOM.nextBytes(bytes);
        var name = "r" + HexFormat.of().formatHex(bytes);
        var path = channels.resolve(name);
        var target = switch (endpoint) {
            case Endpoint.Tcp tcp -> "TCP:127.0.0.1:" + tcp.port() + ",nodelay";
            case Endpoint.Unix unix -> "UNIX-CONNECT:" + unix.path();
        };
        try (var listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(path));
            grant(path, uid);
            var relay = start(List.of(socat.toString(), "-b131072", target, "UNIX-CONNECT:" + Sandbox.CHANNELS + "/" + name),
                    Map.of(), "/");
            relay.getOutputStream().close();
            var said = new ByteArrayOutputStream();
            Threads.onPipeThread(() -> {
                try (var err = relay.getErrorStream(); var out = relay.getInputStream()) {
                    said.writeBytes(err.readNBytes(2048));
                    err.transferTo(java.io.OutputStream.nullOutputStream());
                    out.transferTo(java.io.OutputStream.nullOutputStream());
                } catch (IOException ignored) {
                    // ended
                }
            });
            var accepted = new CompletableFuture<SocketChannel>();
            Threads.startVirtual("porthole-relay-accept", () -> {
                try {
                    accepted.complete(listener.accept());
                } catch (IOException e) {
                    accepted.completeExceptionally(e);
                }
            });
            try {
                CompletableFuture.anyOf(accepted, relay.onExit()).get(CONNECT_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
                if (accepted.isDone() && !accepted.isCompletedExceptionally()) return accepted.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                // said below
            }
            killGroup(relay);
            accepted.thenAccept(LocalSandbox::closeQuietly);
            var why = said.toString(StandardCharsets.UTF_8).strip();
            throw new IOException("nothing accepts at " + endpoint + " inside the sandbox" + (why.isEmpty() ? "" : ": " + why));
        } finally {
            Files.deleteIfExists(path);
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /**
     * Starts the egress forwarder inside ({@code 127.0.0.1:3128} in the sandbox's network to the egress socket) on
     * another thread: the browser or desktop starts meanwhile, and {@link #awaitReady} waits for it.
     */
    void startForwarder() {
        var listening = new CompletableFuture<Void>();
        forwarder = listening;
        Threads.onPipeThread(() -> {
            try {
                startForwarder(3128, "egress.sock");
                listening.complete(null);
            } catch (IOException | RuntimeException e) {
                listening.completeExceptionally(e);
            }
        });
    }

    /** Waits until the egress forwarder listens (socat loads a dozen libraries before it does). */
    @Override
    public void awaitReady() throws IOException {
        try {
            forwarder.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IOException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("the egress forwarder did not start within 10 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Starts a context's forwarder inside, from {@code port} to {@code socket}, and waits until it listens. */
    private Process startForwarder(int port, String socket) throws IOException {
        var p = start(List.of("/bin/sh", "-c", forwarder(socat, port, socket)), Map.of(), "/");
        p.getOutputStream().close();
        var listening = new CompletableFuture<Void>();
        Threads.onPipeThread(() -> {
            var said = new StringBuilder();
            try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8)); var err = p.getErrorStream()) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.equals(EGRESS_UP)) listening.complete(null);
                    else if (line.equals(EGRESS_FAILED)) listening.completeExceptionally(new IOException(said.toString().strip()));
                    else if (said.length() < 4096) said.append(line).append('\n');
                }
                err.transferTo(java.io.OutputStream.nullOutputStream());
            } catch (IOException ignored) {
                // ended
            }
            listening.completeExceptionally(new IOException("it ended: " + said.toString().strip()));
        });
        try {
            listening.get(10, TimeUnit.SECONDS);
            return p;
        } catch (ExecutionException e) {
            killGroup(p);
            throw new IOException("the egress forwarder on port " + port + " did not start: " + e.getCause().getMessage());
        } catch (TimeoutException e) {
            killGroup(p);
            throw new IOException("the egress forwarder on port " + port + " did not start within 10 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            killGroup(p);
            throw new IOException("interrupted", e);
        }
    }

    void socat(Path socat) {
        this.socat = socat;
    }

    void egressFactory(java.util.function.Function<Path, EgressChannel> factory) {
        this.egressFactory = factory;
    }

    @Override
    public synchronized String openEgress(Optional<java.net.URI> upstream) {
        if (contextEgress.size() >= 64) {
            throw new PortholeException.InvalidRequest("a computer may have at most 64 contexts with a proxy at once");
        }
        // ports are never reused within a sandbox, so a closed context's leftovers cannot meet a new one
        int n = ++egressCounter;
        var socket = "egress-" + n + ".sock";
        var channel = egressFactory.apply(channels.resolve(socket));
        var url = "http://127.0.0.1:" + (3128 + n);
        try {
            channel.useUpstream(upstream);
            channel.har(egress.harLog());
            extraEgress.add(channel);
            contextEgress.put(url, new ContextEgress(channel, startForwarder(3128 + n, socket)));
        } catch (IOException | RuntimeException e) {
            channel.close();
            if (e instanceof RuntimeException re) throw re;
            throw new PortholeException.Unavailable("the context's proxy could not start: " + e.getMessage());
        }
        return url;
    }

    private record ContextEgress(EgressChannel channel, Process forwarder) {}

    @Override
    public synchronized void closeEgress(String url) {
        var e = contextEgress.remove(url);
        if (e == null) return;
        e.channel().close();
        extraEgress.remove(e.channel());
        killGroup(e.forwarder());
    }

    @Override
    public io.porthole.core.sandbox.Egress egress() {
        return egress;
    }

    @Override
    public Optional<String> httpProxy() {
        return Optional.of(LocalSandboxRuntime.PROXY);
    }

    @Override
    public Path fifo(String name) throws IOException {
        return fifos(List.of(name)).getFirst();
    }

    @Override
    public List<Path> fifos(List<String> names) throws IOException {
        var paths = new ArrayList<Path>();
        for (var name : names) paths.add(channels.resolve(checkName(name)));
        // the directory is the server's: what is there, the server made
        for (var path : paths) Files.deleteIfExists(path);
        makeFifos(paths);
        for (var path : paths) grant(path, uid);
        return List.copyOf(paths);
    }

    @Override
    public Optional<Path> existingFifo(String name) {
        var path = channels.resolve(checkName(name));
        try {
            var attrs = Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return attrs.isOther() ? Optional.of(path) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Makes the named pipes, 0600, with one mkfifo (Java has no call for it). */
    static void makeFifos(List<Path> paths) throws IOException {
        var cmd = new ArrayList<String>(List.of("/usr/bin/mkfifo", "-m", "600", "--"));
        for (var path : paths) cmd.add(path.toString());
        var p = Commands.builder(cmd).redirectErrorStream(true).start();
        try {
            var out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("mkfifo " + paths.stream().map(f -> f.getFileName().toString()).toList() + ": " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    @Override
    public Optional<String> engineState(String name) {
        return EngineState.read(work, name);
    }

    @Override
    public void saveEngineState(String name, String value) throws IOException {
        EngineState.write(work, name, value);
    }

    static String checkName(String name) {
        if (!NAME.matcher(name).matches() || name.startsWith(".")) throw new IllegalArgumentException("not a channel name: " + name);
        return name;
    }

    /** Lets the sandbox's user (and only it) open {@code path}, a pipe or socket the server made. */
    static void grant(Path path, int uid) throws IOException {
        Files.setAttribute(path, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(path, "unix:gid", uid, LinkOption.NOFOLLOW_LINKS);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
    }

    @Override
    public boolean isDirectory(String path) {
        try {
            var p = start(List.of("/usr/bin/test", "-d", path), Map.of(), "/");
            p.getInputStream().close();
            p.getErrorStream().close();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void killGroup(Process process) {
        var tree = new ArrayList<ProcessHandle>();
        process.descendants().forEach(tree::add);
        // the leader is the first process below nsenter that leads its own group
        for (var h : tree) {
            var group = ProcessTrees.processGroup(h.pid());
            if (group.isPresent() && group.getAsLong() == h.pid()) {
                ProcessTrees.killGroup(h.pid());
                break;
            }
        }
        tree.forEach(ProcessHandle::destroyForcibly);
        // nsenter itself is left to reap its child and exit: killed first, its children would be orphans that
        // this host's init reaps only a second or two later
        awaitExit(process);
        tree.add(process.toHandle());
        ProcessTrees.awaitGone(tree, 5000);
    }

    /** Waits a moment for a process to end by itself, then kills it. */
    private static void awaitExit(Process process) {
        try {
            if (!process.waitFor(2, TimeUnit.SECONDS)) process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    @Override
    public boolean isAlive() {
        return bwrap.isAlive() && ProcessHandle.of(anchorPid).map(h -> !ProcessTrees.gone(h)).orElse(false);
    }

    @Override
    public CompletableFuture<Void> onExit() {
        return bwrap.onExit().thenApply(p -> null);
    }

    /** The sandbox an earlier run of the server started for this computer, if it still runs. */
    static Optional<LocalSandbox> adopt(Described described, Path nsenter, Map<String, String> env, Path work,
                                        Path channels, EgressChannel egress, Optional<Cgroups.Group> group,
                                        SandboxUsers users) {
        var bwrap = described.process();
        if (bwrap.isEmpty()) return Optional.empty();
        var anchor = bwrap.get().descendants()
                .filter(h -> h.info().command().map(c -> c.endsWith("/sleep")).orElse(false))
                .filter(h -> !ProcessTrees.gone(h))
                .findFirst();
        if (anchor.isEmpty()) return Optional.empty();
        long init = anchor.get().parent().map(ProcessHandle::pid).orElse(-1L);
        return Optional.of(new LocalSandbox(bwrap.get(), init, anchor.get().pid(), nsenter, env, work, channels, egress,
                group, described.uid(), users));
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        var entered = started.processes();
        var all = new ArrayList<ProcessHandle>(started.snapshot());
        bwrap.descendants().forEach(all::add);
        // SIGKILL to bubblewrap's init ends the sandbox's pid namespace, and with it every process inside (the anchor
        // alone is not enough: the init waits for the egress forwarder, which the anchor started). The nsenter
        // processes outside then reap their children and exit, and bubblewrap follows; killing them first would leave
        // orphans that this host's init reaps only a second or two later.
        ProcessHandle.of(initPid).filter(h -> h.info().command().map(c -> c.endsWith("/bwrap")).orElse(false))
                .ifPresent(ProcessHandle::destroyForcibly);
        ProcessHandle.of(anchorPid).ifPresent(ProcessHandle::destroyForcibly);
        for (var p : entered) awaitExit(p);
        try {
            bwrap.onExit().get(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            bwrap.destroyForcibly();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            bwrap.destroyForcibly();
        }
        all.forEach(ProcessHandle::destroyForcibly);
        all.add(bwrap);
        ProcessTrees.awaitGone(all, 5000);
        egress.close();
        extraEgress.forEach(EgressChannel::close);
        group.ifPresent(Cgroups::remove);
        Files2.deleteTree(channels);
        users.release(uid);
    }

    @Override
    public void freeze() {
        Signals.freeze(group, this::everyProcess, true);
    }

    @Override
    public void thaw() {
        Signals.freeze(group, this::everyProcess, false);
    }

    @Override
    public boolean freezesUnnoticed() {
        return group.map(g -> g.freezerDir() != null).orElse(false);
    }

    @Override
    public List<ProcessHandle> processes() {
        var ns = pidNamespace(anchorPid);
        if (ns == null) return List.of();
        return ProcessHandle.allProcesses().filter(h -> ns.equals(pidNamespace(h.pid()))).toList();
    }

    private static String pidNamespace(long pid) {
        try {
            return java.nio.file.Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", "pid")).toString();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Every process inside: the sandbox's own and all below it, and what entered it. */
    private List<ProcessHandle> everyProcess() {
        var all = new ArrayList<ProcessHandle>();
        ProcessHandle.of(anchorPid).ifPresent(h -> {
            all.add(h);
            h.descendants().forEach(all::add);
        });
        all.addAll(started.snapshot());
        return all;
    }

    @Override
    public boolean outOfMemory() {
        return group.map(g -> Cgroups.oomKills(g) > 0).orElse(false);
    }

    @Override
    public String toString() {
        return "sandbox(" + work + ", pid " + anchorPid + ", uid " + uid + ")";
    }
}
