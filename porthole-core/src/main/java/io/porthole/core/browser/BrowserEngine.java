package io.porthole.core.browser;

/**
 * Seam: a kind of browser that Porthole can start for a computer (Chromium over CDP now; Firefox over
 * WebDriver BiDi later). Chosen by configuration. Implementations are thread-safe.
 */
public interface BrowserEngine {
    /** The engine's name as configuration and the wire know it, e.g. {@code chromium}. */
    String name();

    /**
     * Starts a browser for one computer and returns once it answers commands.
     *
     * @throws io.porthole.core.PortholeException.Unavailable if the browser cannot be started; the message
     *     says why and how to fix it
     */
    BrowserDriver launch(LaunchSpec spec);
}
