package io.porthole.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** One open tab of a browser computer, as {@code GET /computers/{id}/tabs} lists it, with the browsing context it belongs to. */
public record TabInfo(
        @JsonProperty("tab_id") String tabId,
        String url,
        String title,
        @JsonProperty("is_main_tab") boolean isMainTab,
        @JsonProperty("context_id") String contextId) {
    /** The id of the context every browser starts with. */
    public static final String DEFAULT_CONTEXT = "default";
}
