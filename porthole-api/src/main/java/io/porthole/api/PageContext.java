package io.porthole.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The state of the tab an action ran in, filled when the action asks for {@code include_context}. */
public record PageContext(
        String url,
        String title,
        @JsonProperty("tab_id") String tabId,
        @JsonProperty("is_main_tab") boolean isMainTab,
        @JsonProperty("viewport_width") int viewportWidth,
        @JsonProperty("viewport_height") int viewportHeight,
        @JsonProperty("page_width") int pageWidth,
        @JsonProperty("page_height") int pageHeight,
        @JsonProperty("scroll_x") double scrollX,
        @JsonProperty("scroll_y") double scrollY,
        @JsonProperty("device_scale_factor") double deviceScaleFactor) {}
