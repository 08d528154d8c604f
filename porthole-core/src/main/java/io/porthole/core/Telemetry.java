package io.porthole.core;

/**
 * Where the core reports what it does, for the server's metrics ({@code /metrics}, ADR 0033). Every method has a
 * default that does nothing, and {@link #NONE} is that: the core and its tests need no metrics library. The
 * server's implementation counts into Prometheus metrics.
 *
 * <p>Arguments are labels of bounded sets only (a kind, an engine, an action's name, an error code's wire name, a
 * reason the code names): never a computer id, a tenant or anything a client chose freely. Implementations must be
 * thread-safe and quick (they are called on request paths); they must not throw.
 */
public interface Telemetry {
    /** Reports nothing. */
    Telemetry NONE = new Telemetry() { };

    /** The outcome of something that went well. */
    String OK = "ok";

    /**
     * A create ended.
     *
     * @param kind {@code browser} or {@code desktop}
     * @param engine the engine that ran it ({@code chromium}, {@code firefox}), or {@code other} for one this server
     *     does not have
     * @param outcome {@link #OK}, or the wire name of the error code it failed with
     * @param pooled whether the warm pool served it
     * @param nanos how long it took
     */
    default void created(String kind, String engine, String outcome, boolean pooled, long nanos) { }

    /**
     * An action ended (one request of the Computers API or one element of a batch).
     *
     * @param action its name ({@code click}, {@code navigate}, …)
     * @param outcome {@link #OK}, or the wire name of its error code
     * @param nanos how long it took, from being queued to its answer
     */
    default void action(String action, String outcome, long nanos) { }

    /** A command started running in a computer. */
    default void execStarted() { }

    /**
     * A command ended.
     *
     * @param exit {@code 0}, {@code nonzero}, {@code timeout}, {@code output_too_large}, {@code interrupted}, or
     *     {@code error} when waiting for it failed
     * @param nanos how long it ran
     */
    default void execEnded(String exit, long nanos) { }

    /**
     * Bytes went through a computer's egress proxy.
     *
     * @param outbound true for bytes the computer sent, false for bytes it received
     */
    default void egressBytes(boolean outbound, long bytes) { }

    /**
     * The egress proxy refused a connection.
     *
     * @param reason {@code private_address}, {@code this_server}, {@code cluster_node}, {@code no_address} or
     *     {@code upstream_proxy}
     */
    default void egressRefused(String reason) { }
}
