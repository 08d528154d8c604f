package io.porthole.core;

import java.net.URI;
import java.util.Optional;

/**
 * Finds where an upstream proxy's traffic comes out (ADR 0037): its exit address, looked up in a GeoIP database.
 * Implementations are thread-safe, bound their waits, and never put the proxy's credentials in a log or a message.
 */
public interface ProxyLocator {
    /** No GeoIP: nothing is ever found. */
    ProxyLocator NONE = new ProxyLocator() {
        @Override
        public boolean enabled() {
            return false;
        }

        @Override
        public Optional<ProxyPlace> locate(URI upstream) {
            return Optional.empty();
        }
    };

    /** Whether this server has a GeoIP database (so {@code from_proxy} defaults to true). */
    boolean enabled();

    /** Where {@code upstream}'s exit address is; empty when it cannot be found or the database knows nothing of it. */
    Optional<ProxyPlace> locate(URI upstream);
}
