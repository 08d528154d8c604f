package io.porthole.runtime.local;

import io.porthole.api.ErrorCode;
import io.porthole.core.PortholeException;
import io.porthole.core.internal.Files2;
import io.porthole.core.internal.ProcessTrees;
import io.porthole.core.sandbox.Sandbox;
import io.porthole.core.sandbox.SandboxRuntime;
import io.porthole.core.sandbox.SandboxSpec;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code PORTHOLE_ISOLATION=none}: computers run as plain processes of the server's user on the host, for
 * machines where namespaces cannot be made. Nothing is isolated: a computer sees the host's files and
 * network, the server and every other computer. What still holds: each computer has its own home,
 * {@code /workspace} and channel directories (the inside paths are mapped to them), its own X display, its
 * own egress proxy (counted, with upstream proxies, on a loopback port), cgroup limits where the host has
 * them, and delete ends every process it started. Thread-safe.
 */
public final class UnisolatedRuntime implements SandboxRuntime {
    /** The first display number tried; high, to stay clear of a desktop session on the host. */
    static final int FIRST_DISPLAY = 100;

    private final EgressPolicy egress;
    private final Optional<URI> trustedUpstream;
    private final Optional<Cgroups> cgroups;
    private final LocalSandboxRuntime.Limits limits;
    private final Set<Integer> displays = ConcurrentHashMap.newKeySet();

    /**
     * @param dataDir the server's data directory, which names its cgroups
     */
    public UnisolatedRuntime(Path dataDir, EgressPolicy egress, Optional<URI> trustedUpstream,
                             LocalSandboxRuntime.Limits limits) {
        this.egress = egress;
        this.trustedUpstream = trustedUpstream;
        this.limits = limits;
        this.cgroups = Cgroups.detect(LocalSandboxRuntime.instanceName(List.of(dataDir)));
    }

    @Override
    public String name() {
        return "none";
    }

    @Override
    public Sandbox start(SandboxSpec spec) {
        var work = spec.workDir().toAbsolutePath();
        Optional<Cgroups.Group> group = Optional.empty();
        EgressChannel channel = null;
        int display = -1;
        try {
            for (var d : List.of("home", "workspace", "run")) Files.createDirectories(work.resolve(d));
            // a short path: programs put unix sockets in TMPDIR, and a socket's path has at most 107 bytes
            var tmp = Files.createTempDirectory("porthole-");
            Files.createSymbolicLink(work.resolve("tmp"), tmp);
            channel = EgressChannel.listenOnLoopback(spec.computerId(), egress, trustedUpstream);
            display = claimDisplay();
            var paths = new UnisolatedSandbox.Paths(work);
            var proxy = "http://127.0.0.1:" + channel.port();
            var env = new LinkedHashMap<String, String>();
            env.put("PATH", LocalSandboxRuntime.PATH);
            env.put("HOME", paths.home().toString());
            env.put("USER", System.getProperty("user.name", "user"));
            env.put("LANG", "C.UTF-8");
            env.put("TERM", "xterm-256color");
            env.put("TMPDIR", tmp.toString());
            for (var name : List.of("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")) env.put(name, proxy);
            String displayName = ":" + display;
            spec.env().forEach((k, v) -> env.put(k, k.equals("DISPLAY") ? displayName : paths.map(v)));
            if (cgroups.isPresent()) {
                group = Optional.of(cgroups.get().create(spec.computerId(), limits.memoryBytes(), limits.maxProcesses()));
            }
            int claimed = display;
            var sandbox = new UnisolatedSandbox(paths, env, channel, proxy, displayName, group, () -> {
                releaseDisplay(claimed);
                Files2.deleteTree(tmp);
            });
            sandbox.egressFactory(() -> {
                try {
                    return EgressChannel.listenOnLoopback(spec.computerId(), egress, trustedUpstream);
                } catch (IOException e) {
                    throw new PortholeException.Unavailable("the context's proxy could not listen: " + e.getMessage());
                }
            });
            return sandbox;
        } catch (IOException | RuntimeException e) {
            if (channel != null) channel.close();
            group.ifPresent(Cgroups::remove);
            if (display >= 0) releaseDisplay(display);
            if (e instanceof PortholeException pe) throw pe;
            throw new PortholeException.Unavailable(ErrorCode.UNAVAILABLE, "the computer could not be made: " + e.getMessage(), e);
        }
    }

    /** A display number no computer of this server uses and no X server on the host holds. */
    private int claimDisplay() {
        for (int n = FIRST_DISPLAY; n < FIRST_DISPLAY + 10_000; n++) {
            if (Files.exists(Path.of("/tmp/.X" + n + "-lock")) || Files.exists(Path.of("/tmp/.X11-unix/X" + n))) continue;
            if (displays.add(n)) return n;
        }
        throw new PortholeException.Unavailable("no free X display number");
    }

    private void releaseDisplay(int n) {
        // what a killed X server leaves behind
        try {
            Files.deleteIfExists(Path.of("/tmp/.X" + n + "-lock"));
            Files.deleteIfExists(Path.of("/tmp/.X11-unix/X" + n));
        } catch (IOException ignored) {
            // not ours to remove
        }
        displays.remove(n);
    }

    @Override
    public java.util.OptionalLong availableMemory() {
        return HostMemory.available();
    }

    @Override
    public int sweepLeftovers(Path computersDir, Set<String> keep) {
        var marker = computersDir.toAbsolutePath().toString();
        var self = ProcessHandle.current().pid();
        var leftovers = ProcessHandle.allProcesses()
                .filter(h -> h.pid() != self)
                .filter(h -> h.info().commandLine().map(c -> c.contains(marker)).orElse(false))
                .toList();
        leftovers.forEach(ProcessHandle::destroyForcibly);
        ProcessTrees.awaitGone(leftovers, 5000);
        // the short-named temporary directories of computers that were not closed
        try (var dirs = Files.list(computersDir)) {
            for (var dir : dirs.toList()) {
                var tmp = dir.resolve("tmp");
                if (Files.isSymbolicLink(tmp)) Files2.deleteTree(Files.readSymbolicLink(tmp));
            }
        } catch (IOException ignored) {
            // no computers directory yet
        }
        cgroups.ifPresent(c -> c.sweep(keep));
        return leftovers.size();
    }

    @Override
    public void close() {
        cgroups.ifPresent(Cgroups::close);
    }
}
