package io.porthole.core.sandbox;

import java.net.URI;
import java.util.Optional;

/**
 * A computer's only way out: the server's egress proxy, as this computer sees it. Thread-safe.
 */
public interface Egress {
    /** Bytes and refusals so far. */
    record Stats(long bytesSent, long bytesReceived, long connections, long refused) {}

    Stats stats();

    /**
     * Chains new connections through {@code upstream} (an {@code http://[user:pass@]host:port} proxy), or
     * connects directly when empty. Connections already open keep their route.
     *
     * @throws io.porthole.core.PortholeException.InvalidRequest if the URL is not a proxy URL this supports
     */
    void useUpstream(Optional<URI> upstream);

    Optional<URI> upstream();

    /** From now on, logs every connection (of the computer and its contexts) for {@link #har}. */
    void recordHar();

    /** The HAR 1.2 log of the connections since {@link #recordHar}, or empty if it was never asked for. */
    Optional<byte[]> har();
}
