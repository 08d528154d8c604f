package io.porthole.sdk;

import java.util.Map;
import java.util.Optional;

/**
 * One event of a computer's live event stream ({@code GET /computers/{id}/events}): an action requested or done,
 * a chunk of a command's output, control taken or handed back, a viewer joining or leaving; or, named
 * {@code error}, the reason the stream ended.
 *
 * @param name the SSE event name: {@code message} for events, {@code error} for the stream's end
 * @param id the SSE id (increasing along the stream), when given
 * @param data the event's JSON, parsed
 */
public record ComputerEvent(String name, Optional<String> id, Map<String, Object> data) {

    /**
     * The event's type: {@code action_request}, {@code action_response}, {@code command_output}, {@code control},
     * {@code preview}, ...; for an {@code error} event its code.
     *
     * @return the type, empty when the data has none
     */
    public String type() {
        var v = data.get(name.equals("error") ? "code" : "type");
        return v == null ? "" : v.toString();
    }

    /**
     * The request id the event belongs to, when it has one.
     *
     * @return the request id
     */
    public Optional<String> requestId() {
        var v = data.get("request_id");
        return v == null ? Optional.empty() : Optional.of(v.toString());
    }
}
