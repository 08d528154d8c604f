package io.porthole.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * What every action route answers. {@code status} is {@code "success"} or {@code "error"}; on error
 * {@code errorMessage} says what went wrong and {@code errorCode} names it. {@code result} holds the
 * action's payload ({@code screenshot_url}, {@code html_content}, {@code tabs}, ...).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ActionResult(
        String status,
        Map<String, Object> result,
        @JsonProperty("error_message") String errorMessage,
        @JsonProperty("error_code") String errorCode,
        @JsonProperty("request_id") String requestId,
        @JsonProperty("executed_tab_id") String executedTabId,
        String timestamp,
        @JsonProperty("page_context") PageContext pageContext) {

    public static final String SUCCESS = "success";
    public static final String ERROR = "error";

    public boolean succeeded() {
        return SUCCESS.equals(status);
    }
}
