package io.porthole.core.sandbox;

import java.nio.file.Path;

/**
 * Seam: makes the isolated environment a computer lives in (bubblewrap namespaces on this host now;
 * Kubernetes pods or microVMs later). Chosen by configuration. Implementations are thread-safe.
 */
public interface SandboxRuntime extends AutoCloseable {
    /** The runtime's name as configuration knows it. */
    String name();

    /**
     * Creates a running sandbox for one computer, its files under {@code spec.workDir()}. Its way out may still be
     * coming up: {@link Sandbox#awaitReady} says when it is.
     *
     * @throws io.porthole.core.PortholeException.Unavailable if it cannot be made; the message says why and
     *     how to fix it
     */
    Sandbox start(SandboxSpec spec);

    /**
     * The sandbox an earlier run of the server made with {@code spec}, if it still runs, taken over by this
     * run (its processes are not this run's children). Empty if it is gone or the runtime cannot re-adopt.
     */
    default java.util.Optional<Sandbox> adopt(SandboxSpec spec) {
        return java.util.Optional.empty();
    }

    /**
     * Ends sandboxes an earlier run left behind under {@code computersDir}, but those of the computers in
     * {@code keep} (re-adopted); returns how many processes it ended.
     */
    int sweepLeftovers(Path computersDir, java.util.Set<String> keep);

    /**
     * The memory the machine that runs the sandboxes can still give new processes, in bytes, if the runtime can
     * tell: what decides whether another computer can start safely.
     */
    default java.util.OptionalLong availableMemory() {
        return java.util.OptionalLong.empty();
    }

    /**
     * What keeps the runtime from making sandboxes now, found cheaply (no sandbox is started): a program it found at
     * start that is gone, a cgroup hierarchy it used that is no longer there. Empty when it looks usable. For the
     * readiness probe; messages name no host path. Called often: implementations answer in microseconds.
     */
    default java.util.List<String> problems() {
        return java.util.List.of();
    }

    /** Releases what the runtime holds for the server as a whole, once its sandboxes are closed. */
    @Override
    default void close() {}
}
