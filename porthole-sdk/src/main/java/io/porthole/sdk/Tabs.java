package io.porthole.sdk;

import java.util.List;

/**
 * The tabs of a browser computer ({@code /computers/{id}/tabs}). Implementations are thread-safe.
 */
public interface Tabs {

    /**
     * The open tabs ({@code GET /tabs}), including ones opened by a CDP client.
     *
     * @return the tabs
     */
    List<Tab> list();

    /**
     * Opens a tab, which becomes the main tab ({@code POST /tabs}).
     *
     * @param url the page to open, or null for a blank tab
     * @return the new tab's id
     */
    String create(String url);

    /**
     * Closes a tab ({@code DELETE /tabs/{tabId}}); the last tab cannot be closed.
     *
     * @param tabId the tab's id
     * @return the result
     * @throws ActionFailedException when the tab is unknown or the last one
     */
    ActionResult close(String tabId);

    /**
     * Makes a tab the main tab ({@code POST /tabs/{tabId}/switch}).
     *
     * @param tabId the tab's id
     * @return the result
     * @throws ActionFailedException when the tab is unknown
     */
    ActionResult switchTo(String tabId);
}
