package io.porthole.sdk;

/**
 * An open tab of a browser computer.
 *
 * @param tabId the tab's id
 * @param url its URL
 * @param title its title
 * @param mainTab whether actions go to it by default
 * @param contextId the browsing context it belongs to ({@code default} for the first)
 */
public record Tab(String tabId, String url, String title, boolean mainTab, String contextId) {
}
