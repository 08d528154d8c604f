package io.porthole.runtime.local;

import io.porthole.core.internal.ProcessTrees;
import io.porthole.core.sandbox.Egress;
import io.porthole.core.sandbox.Sandbox;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One computer of {@link UnisolatedRuntime}: processes of the server's user, paths mapped to its directory. */
final class UnisolatedSandbox implements Sandbox {
    /** How the paths of a sandbox with namespaces map onto one computer's directory on the host. */
    record Paths(Path work) {
        private static final Pattern INSIDE = Pattern.compile(
                "(?<![\\w.\\-/])(" + Pattern.quote(Sandbox.CHANNELS) + "|" + Pattern.quote(Sandbox.HOME) + "|"
                        + Pattern.quote(Sandbox.WORKSPACE) + ")(?![\\w.\\-])");

        Path home() {
            return work.resolve("home");
        }

        /** {@code text} with every inside path (as a whole path element) replaced by its host path. */
        String map(String text) {
            var m = INSIDE.matcher(text);
            var out = new StringBuilder();
            while (m.find()) {
                var host = switch (m.group(1)) {
                    case Sandbox.CHANNELS -> work.resolve("run");
                    case Sandbox.HOME -> work.resolve("home");
                    default -> work.resolve("workspace");
                };
                m.appendReplacement(out, Matcher.quoteReplacement(host.toString()));
            }
            m.appendTail(out);
            return out.toString();
        }
    }

    private final Paths paths;
    private final Map<String, String> env;
    private final EgressChannel egress;
    private final String proxy;
    private final String display;
    private final Optional<Cgroups.Group> group;
    private final Runnable onClose;
    private final StartedProcesses started = new StartedProcesses();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CompletableFuture<Void> exit = new CompletableFuture<>();

    UnisolatedSandbox(Paths paths, Map<String, String> env, EgressChannel egress, String proxy, String display,
                      Optional<Cgroups.Group> group, Runnable onClose) {
        this.paths = paths;
        this.env = Map.copyOf(env);
        this.egress = egress;
        this.proxy = proxy;
        this.display = display;
        this.group = group;
        this.onClose = onClose;
    }

    @Override
    public Path fifo(String name) throws IOException {
        return fifos(List.of(name)).getFirst();
    }

    @Override
    public List<Path> fifos(List<String> names) throws IOException {
        var out = new java.util.ArrayList<Path>();
        for (var name : names) out.add(paths.work().resolve("run").resolve(LocalSandbox.checkName(name)));
        for (var path : out) Files.deleteIfExists(path);
        LocalSandbox.makeFifos(out);
        return List.copyOf(out);
    }

    @Override
    public Optional<Path> existingFifo(String name) {
        var path = paths.work().resolve("run").resolve(LocalSandbox.checkName(name));
        return Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS) ? Optional.of(path) : Optional.empty();
    }

    @Override
    public Optional<String> engineState(String name) {
        return EngineState.read(paths.work(), name);
    }

    @Override
    public void saveEngineState(String name, String value) throws IOException {
        EngineState.write(paths.work(), name, value);
    }

    @Override
    public Process start(List<String> argv, Map<String, String> extraEnv, String cwd, boolean withInput) throws IOException {
        if (closed.get()) throw new IOException("the computer has ended");
        var cmd = new ArrayList<String>(List.of("/usr/bin/setsid", "/bin/sh", "-c", "cd -- \"$0\" && exec \"$@\"",
                paths.map(cwd)));
        argv.forEach(a -> cmd.add(paths.map(a)));
        var builder = new ProcessBuilder(group.map(g -> Cgroups.joinThenExec(g, cmd)).orElse(cmd))
                .redirectInput(withInput ? ProcessBuilder.Redirect.PIPE : ProcessBuilder.Redirect.from(new File("/dev/null")));
        var processEnv = builder.environment();
        processEnv.clear();
        processEnv.putAll(env);
        extraEnv.forEach((k, v) -> processEnv.put(k, k.equals("DISPLAY") ? display : paths.map(v)));
        var process = builder.start();
        started.add(process);
        return process;
    }

    /** Nothing is isolated: the endpoint is the host's (the loopback port, the socket at its mapped path). */
    @Override
    public SocketChannel connect(Endpoint endpoint) throws IOException {
        return switch (endpoint) {
            case Endpoint.Tcp tcp -> SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), tcp.port()));
            case Endpoint.Unix unix -> SocketChannel.open(UnixDomainSocketAddress.of(paths.map(unix.path())));
        };
    }

    private final List<EgressChannel> extraEgress = new java.util.concurrent.CopyOnWriteArrayList<>();
    private java.util.function.Supplier<EgressChannel> egressFactory;

    void egressFactory(java.util.function.Supplier<EgressChannel> factory) {
        this.egressFactory = factory;
    }

    @Override
    public String openEgress(Optional<java.net.URI> upstream) {
        var channel = egressFactory.get();
        channel.useUpstream(upstream);
        channel.har(egress.harLog());
        extraEgress.add(channel);
        try {
            return "http://127.0.0.1:" + channel.port();
        } catch (IOException e) {
            throw new io.porthole.core.PortholeException.Unavailable("the context's proxy has no port: " + e.getMessage());
        }
    }

    @Override
    public List<ProcessHandle> processes() {
        return started.snapshot();
    }

    @Override
    public void closeEgress(String url) {
        for (var channel : extraEgress) {
            try {
                if (url.equals("http://127.0.0.1:" + channel.port())) {
                    channel.close();
                    extraEgress.remove(channel);
                    return;
                }
            } catch (IOException ignored) {
                // closed already
            }
        }
    }

    @Override
    public Egress egress() {
        return egress;
    }

    @Override
    public Optional<String> httpProxy() {
        return Optional.of(proxy);
    }

    @Override
    public String display() {
        return display;
    }

    @Override
    public void freeze() {
        Signals.freeze(group, started::snapshot, true);
    }

    @Override
    public void thaw() {
        Signals.freeze(group, started::snapshot, false);
    }

    @Override
    public boolean freezesUnnoticed() {
        return group.map(g -> g.freezerDir() != null).orElse(false);
    }

    @Override
    public boolean outOfMemory() {
        return group.map(g -> Cgroups.oomKills(g) > 0).orElse(false);
    }

    @Override
    public boolean isDirectory(String path) {
        return Files.isDirectory(Path.of(paths.map(path)));
    }

    @Override
    public void killGroup(Process started) {
        // setsid made the started process the leader of its own group (a cgroup join execs in place)
        var tree = new ArrayList<ProcessHandle>();
        started.descendants().forEach(tree::add);
        ProcessTrees.killGroup(started.pid());
        tree.forEach(ProcessHandle::destroyForcibly);
        started.destroyForcibly();
        tree.add(started.toHandle());
        ProcessTrees.awaitGone(tree, 5000);
    }

    @Override
    public boolean isAlive() {
        return !closed.get();
    }

    @Override
    public CompletableFuture<Void> onExit() {
        return exit;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        var all = started.snapshot();
        for (var p : started.processes()) ProcessTrees.killGroup(p.pid());
        all.forEach(ProcessHandle::destroyForcibly);
        // what left its group and its parent (a daemon) is still in the cgroup
        group.ifPresent(Cgroups::remove);
        ProcessTrees.awaitGone(all, 5000);
        egress.close();
        extraEgress.forEach(EgressChannel::close);
        onClose.run();
        exit.complete(null);
    }

    @Override
    public String toString() {
        return "unisolated(" + paths.work() + ", display " + display + ")";
    }
}
