package io.porthole.sdk;

import java.util.List;

/**
 * The browsing contexts of a sandbox ({@code /browser-sandboxes/{id}/contexts}). Creating one never restarts the
 * browser. Implementations are thread-safe.
 */
public interface Contexts {

    /**
     * The open contexts.
     *
     * @return the contexts, the default one included
     */
    List<BrowserContext> list();

    /**
     * Opens a context with the sandbox's own network path.
     *
     * @return the new context
     */
    BrowserContext create();

    /**
     * Opens a context whose traffic goes through its own proxy (immutable for the context's life).
     *
     * @param proxyUrl an http, socks5 or socks5h URL, credentials allowed
     * @return the new context
     */
    BrowserContext create(String proxyUrl);

    /**
     * Closes a context and its tabs.
     *
     * @param contextId the context's id
     */
    void delete(String contextId);

    /**
     * The tabs of a context.
     *
     * @param contextId the context's id
     * @return its tabs
     */
    List<Tab> tabs(String contextId);

    /**
     * Opens a tab in a context.
     *
     * @param contextId the context's id
     * @param url the page to open, or null for a blank tab
     * @return the new tab
     */
    Tab newTab(String contextId, String url);
}
