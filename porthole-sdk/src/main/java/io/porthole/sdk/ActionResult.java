package io.porthole.sdk;

import java.util.Map;
import java.util.Optional;

/**
 * What the server answers for an action (every action route, {@code /execute}, each entry of {@code /batch}).
 *
 * @param status {@code success} or {@code error}
 * @param result the action's payload ({@code screenshot_url}, {@code html_content}, {@code tabs}, ...), as parsed
 *     JSON; empty when it has none
 * @param errorMessage what went wrong, for a failed action
 * @param errorCode the code of what went wrong, for a failed action
 * @param requestId the action's {@code request_id}, echoed
 * @param executedTabId the tab the action ran in (browsers)
 * @param pageContext the page's URL, title, sizes and scroll, when the action asked for it
 */
public record ActionResult(
        String status,
        Map<String, Object> result,
        Optional<String> errorMessage,
        Optional<String> errorCode,
        Optional<String> requestId,
        Optional<String> executedTabId,
        Map<String, Object> pageContext) {

    /**
     * Whether the action succeeded.
     *
     * @return true for status {@code success}
     */
    public boolean succeeded() {
        return "success".equals(status);
    }

    /**
     * A string of the payload.
     *
     * @param key the payload key, e.g. {@code screenshot_url}
     * @return its value when it is present and a string
     */
    public Optional<String> string(String key) {
        var v = result.get(key);
        return v instanceof String ? Optional.of((String) v) : Optional.empty();
    }
}
