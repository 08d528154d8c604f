package io.porthole.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** One open tab of a browser computer, as {@code GET /computers/{id}/tabs} lists it. */
public record TabInfo(
        @JsonProperty("tab_id") String tabId,
        String url,
        String title,
        @JsonProperty("is_main_tab") boolean isMainTab) {}
