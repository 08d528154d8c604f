package io.porthole.sdk;

import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * One event of a computer's screencast ({@code GET /computers/{id}/screencast}): for a browser a JPEG frame
 * ({@code message}, with {@code image_data} and {@code metadata}); for a desktop {@code h264} NAL units,
 * {@code cursor_update} and {@code cursor_position}; {@code error} when the stream ends.
 *
 * @param name the SSE event name ({@code message} for the default event)
 * @param data the event's JSON, parsed
 */
public record ScreencastEvent(String name, Map<String, Object> data) {

    /**
     * A browser frame's JPEG bytes (or a cursor sprite's PNG).
     *
     * @return the decoded {@code image_data}, when the event has it
     */
    public Optional<byte[]> image() {
        var v = data.get("image_data");
        return v instanceof String ? Optional.of(Base64.getDecoder().decode((String) v)) : Optional.empty();
    }
}
