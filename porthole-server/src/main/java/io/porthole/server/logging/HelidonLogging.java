package io.porthole.server.logging;

import io.helidon.logging.common.spi.LoggingProvider;

/**
 * Helidon's logging set-up, which is ours: java.util.logging as {@link Logs} configures it. Without a provider on the
 * class path Helidon prints a line of its own to stdout at start ("There is no Helidon logging implementation…"),
 * which is not a log record and so not JSON under {@code PORTHOLE_LOG_FORMAT=json}. Found by the ServiceLoader.
 */
public final class HelidonLogging implements LoggingProvider {
    @Override
    public void initialization() {
        // Main has configured java.util.logging before the server starts
    }

    @Override
    public void runTime() {
        // nothing to redo at run time (a native image's concern)
    }
}
