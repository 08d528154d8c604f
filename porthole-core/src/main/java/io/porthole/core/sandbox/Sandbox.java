package io.porthole.core.sandbox;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One running sandbox: processes started here see its filesystem (private {@code /tmp}, {@link #HOME},
 * {@link #WORKSPACE}, the host's system read-only), its process tree and hostname. Everything started in
 * it ends with {@link #close}. The server reaches into it only through this interface: commands it starts,
 * sockets it connects to, pipes in {@link #CHANNELS}; never by a host path of the computer's files, which the
 * computer could have replaced with a link. Thread-safe.
 */
public interface Sandbox extends AutoCloseable {
    /** The computer's own directory inside, the default working directory of commands. */
    String WORKSPACE = "/workspace";
    /** The home directory inside. */
    String HOME = "/home/user";
    /**
     * Where the server and the sandbox meet: named pipes and the server's sockets. Processes inside open what is
     * there; they cannot add, remove or replace anything, nor list it.
     */
    String CHANNELS = "/run/porthole";

    /**
     * Makes a named pipe (replacing an earlier one of that name) that processes inside open at
     * {@code CHANNELS/name}, and returns the server's path to it. Only the server and the sandbox's own user
     * can open it.
     *
     * @param name letters, digits and {@code -._}
     * @throws IOException if it cannot be made
     */
    java.nio.file.Path fifo(String name) throws IOException;

    /**
     * {@link #fifo} for each of {@code names}, in that order; a sandbox that can makes them all in one go (a
     * browser's start needs two).
     */
    default List<java.nio.file.Path> fifos(List<String> names) throws IOException {
        var out = new java.util.ArrayList<java.nio.file.Path>();
        for (var name : names) out.add(fifo(name));
        return List.copyOf(out);
    }

    /** The named pipe {@link #fifo} made, for a sandbox taken over after a restart; empty if there is none. */
    java.util.Optional<java.nio.file.Path> existingFifo(String name);

    /**
     * What an engine kept with {@link #saveEngineState} for a later run of the server (a take-over), if
     * anything. Kept by the server; nothing inside the sandbox can see or change it.
     */
    java.util.Optional<String> engineState(String name);

    /** Keeps {@code value} under {@code name} (letters, digits and {@code -._}) for {@link #engineState}. */
    void saveEngineState(String name, String value) throws IOException;

    /**
     * Starts {@code argv} inside, with the sandbox's environment plus {@code env}, in {@code cwd}, as the
     * leader of a new process group. The returned process's output streams are the command's; its standard
     * input is {@code /dev/null}.
     *
     * @throws IOException if the process cannot be started
     */
    default Process start(List<String> argv, Map<String, String> env, String cwd) throws IOException {
        return start(argv, env, cwd, false);
    }

    /**
     * Like {@link #start(List, Map, String)}; with {@code withInput}, the command's standard input is the
     * returned process's output stream, which the caller must close.
     */
    Process start(List<String> argv, Map<String, String> env, String cwd, boolean withInput) throws IOException;

    /** A socket inside the sandbox that the server connects to (a browser's debugging port, an X display). */
    sealed interface Endpoint {
        /** A TCP port on the sandbox's own loopback. */
        record Tcp(int port) implements Endpoint {
            public Tcp {
                if (port < 1 || port > 65535) throw new IllegalArgumentException("no TCP port " + port);
            }
        }

        /** A unix socket, by its path as processes inside see it (letters, digits and {@code /._-} only). */
        record Unix(String path) implements Endpoint {
            public Unix {
                if (!path.matches("/[A-Za-z0-9/._-]+")) throw new IllegalArgumentException("not a socket path: " + path);
            }
        }
    }

    /**
     * Connects to {@code endpoint} inside the sandbox and returns the connection, a socket of the server's. The
     * address is resolved inside, by the sandbox's own user, so nothing a computer plants in its files can send
     * the server anywhere else. Waits a few seconds at most.
     *
     * @throws IOException if nothing accepts there
     */
    SocketChannel connect(Endpoint endpoint) throws IOException;

    /** The computer's way out: its egress proxy, its counts and its upstream. */
    Egress egress();

    /**
     * Waits until the way out that the sandbox started with ({@link #httpProxy}) is up. A runtime may return from
     * {@code start} while it is still coming up, so that the browser or desktop starts meanwhile; the computer
     * must not be answered as running before this returns.
     *
     * @throws IOException if it did not come up
     */
    default void awaitReady() throws IOException {}

    /**
     * The proxy that programs inside must use to reach anything ({@code http://127.0.0.1:3128}); the
     * sandbox's network has no route out. Empty for a runtime that gives direct network access.
     */
    java.util.Optional<String> httpProxy();

    /**
     * The X display a desktop in this sandbox runs on, as {@code DISPLAY} names it inside. A sandbox with its
     * own namespaces always uses {@code :1}; one without gives each computer a number of its own, and maps
     * {@code DISPLAY} in the spec's environment to it.
     */
    default String display() {
        return ":1";
    }

    /**
     * Stops every process inside where it is (cgroup freezer, or SIGSTOP where the host has none) and returns
     * once they are stopped; {@link #thaw} resumes them. Idempotent.
     */
    void freeze();

    void thaw();

    /**
     * Whether {@link #freeze} uses a freezer the processes inside cannot notice (the cgroup freezer), rather than
     * stop signals, which they can (a parent is told its child stopped). Auto-standby freezes only such sandboxes.
     */
    default boolean freezesUnnoticed() {
        return false;
    }

    /**
     * Opens another way out through the egress proxy, chained to {@code upstream} (or direct), for one
     * browsing context, and returns the proxy URL as programs inside reach it. It lives as long as the
     * sandbox and obeys the same address rules.
     */
    String openEgress(java.util.Optional<java.net.URI> upstream);

    /** Closes a way out {@link #openEgress} opened (its context has gone); unknown URLs are ignored. */
    void closeEgress(String url);

    /** Whether the kernel has killed a process inside for going over the memory limit. */
    boolean outOfMemory();

    /** Every process inside the sandbox (as the host sees them), whoever started it. */
    List<ProcessHandle> processes();

    /** Whether {@code path} is a directory inside the sandbox. */
    boolean isDirectory(String path);

    /** Kills every process of {@code started}'s process group inside the sandbox, then its tree. */
    void killGroup(Process started);

    boolean isAlive();

    /** Completes when the sandbox has ended, for whatever reason. */
    CompletableFuture<Void> onExit();

    /** Ends every process inside and waits for them; idempotent. Files are the caller's to remove. */
    @Override
    void close();
}
