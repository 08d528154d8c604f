package io.porthole.sdk.internal;

import io.porthole.sdk.ExecEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;

/** The NDJSON of {@code POST /computers/{id}/exec}, a line per event. Not thread-safe. */
final class ExecStream extends ResponseStream<ExecEvent> {
    ExecStream(InputStream body) {
        super(body);
    }

    @Override
    ExecEvent readEvent(BufferedReader reader) throws IOException {
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.isBlank()) continue;
            var n = Json.MAPPER.readTree(line);
            var type = Json.textOr(n, "type", "");
            switch (type) {
                case "stdout":
                    return new ExecEvent.Stdout(Json.textOr(n, "data", ""));
                case "stderr":
                    return new ExecEvent.Stderr(Json.textOr(n, "data", ""));
                case "exit":
                    return new ExecEvent.Exit(n.path("code").asInt(-1));
                case "error":
                    return new ExecEvent.Failure(Json.textOr(n, "code", ""), Json.textOr(n, "message", ""));
                default:
                    // a line type newer than this SDK: skipped
            }
        }
        return null;
    }
}
