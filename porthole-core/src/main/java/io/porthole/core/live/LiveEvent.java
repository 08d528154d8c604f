package io.porthole.core.live;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Map;

/**
 * One entry of a computer's live event stream ({@code GET /computers/{id}/events}): an action queued or done,
 * a chunk of a command's output, control taken or handed back, a viewer joining or leaving. {@code seq}
 * increases along one computer's stream and is the SSE {@code id}. The JSON is made once, when the event is
 * published, in both spellings: snake_case for the Computers API, camelCase (top-level keys) for the native one.
 */
public record LiveEvent(long seq, String type, Instant at, String json, String camelJson) {
    static final ObjectMapper JSON = new ObjectMapper();

    /** Types. */
    public static final String ACTION_REQUEST = "action_request";
    public static final String ACTION_RESPONSE = "action_response";
    public static final String COMMAND_OUTPUT = "command_output";
    public static final String CONTROL = "control";
    public static final String PREVIEW = "preview";
    /** A resumed stream asked for events older than the buffer holds: some were missed. */
    public static final String EVENTS_LOST = "events_lost";

    /** Builds the event: {@code type} and {@code fields} in that order, then {@code timestamp}. */
    static LiveEvent of(long seq, String type, Map<String, ?> fields, Instant at) {
        ObjectNode node = JSON.createObjectNode();
        node.put("type", type);
        node.setAll((ObjectNode) JSON.valueToTree(fields));
        node.put("timestamp", at.toString());
        ObjectNode camel = JSON.createObjectNode();
        node.properties().forEach(e -> camel.set(camel(e.getKey()), e.getValue()));
        try {
            return new LiveEvent(seq, type, at, JSON.writeValueAsString(node), JSON.writeValueAsString(camel));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("an event that is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** {@code request_id} as {@code requestId}: the native surface's spelling of a Computers API key. */
    public static String camel(String snake) {
        var sb = new StringBuilder(snake.length());
        boolean up = false;
        for (char c : snake.toCharArray()) {
            if (c == '_') {
                up = sb.length() > 0;
                continue;
            }
            sb.append(up ? Character.toUpperCase(c) : c);
            up = false;
        }
        return sb.toString();
    }

    /** Bytes this event holds, for the bounds of buffers and queues. */
    long size() {
        return 64L + 2L * (json.length() + camelJson.length());
    }
}
