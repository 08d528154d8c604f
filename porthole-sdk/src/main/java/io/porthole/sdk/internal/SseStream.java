package io.porthole.sdk.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.function.Function;

/**
 * Server-sent events parsed by the rules of the HTML standard (fields {@code event}, {@code data}, {@code id};
 * comments and heartbeats skipped; an event ends at a blank line), each made into a {@code T}. Not thread-safe.
 */
final class SseStream<T> extends ResponseStream<T> {
    /** One parsed server-sent event; {@code name} is {@code message} when the event named none. */
    record Sse(String name, String id, String data) {
        Map<String, Object> json() {
            return data.isEmpty() ? Map.of() : Json.map(Json.parse(data));
        }
    }

    private final Function<Sse, T> convert;

    SseStream(InputStream body, Function<Sse, T> convert) {
        super(body);
        this.convert = convert;
    }

    @Override
    T readEvent(BufferedReader reader) throws IOException {
        String name = null;
        String id = null;
        StringBuilder data = null;
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.isEmpty()) {
                if (data != null) return convert.apply(new Sse(name == null ? "message" : name, id, data.toString()));
                name = null;
                continue;
            }
            if (line.startsWith(":")) continue;
            int colon = line.indexOf(':');
            var field = colon < 0 ? line : line.substring(0, colon);
            var value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) value = value.substring(1);
            switch (field) {
                case "event":
                    name = value;
                    break;
                case "data":
                    if (data == null) data = new StringBuilder(value);
                    else data.append('\n').append(value);
                    break;
                case "id":
                    id = value;
                    break;
                default:
                    // retry and unknown fields: nothing for a client that does not reconnect by itself
            }
        }
        // an event the body ended in the middle of is dropped, as the standard says
        return null;
    }
}
