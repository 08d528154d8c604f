package io.porthole.core.browser;

/**
 * Seam: a kind of browser that Porthole can start for a computer (Chromium over CDP, Firefox over WebDriver
 * BiDi). Chosen by configuration. Implementations are thread-safe.
 */
public interface BrowserEngine {
    /** The engine's name as configuration and the wire know it, e.g. {@code chromium}. */
    String name();

    /** The browser's executable on the host, which a sandbox must show (read-only) for it to start there. */
    java.util.Optional<java.nio.file.Path> binary();

    /**
     * Starts a browser for one computer and returns once it answers commands.
     *
     * @throws io.porthole.core.PortholeException.Unavailable if the browser cannot be started; the message
     *     says why and how to fix it
     */
    BrowserDriver launch(LaunchSpec spec);

    /**
     * Takes over the browser an earlier run of the server launched with {@code spec} in the same (re-adopted)
     * sandbox, if it still runs; empty if it does not or the engine cannot.
     */
    default java.util.Optional<BrowserDriver> adopt(LaunchSpec spec) {
        return java.util.Optional.empty();
    }
}
