package io.porthole.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.porthole.api.ErrorCode;
import io.porthole.core.Computers;
import io.porthole.core.Exec;
import io.porthole.core.Origin;
import io.porthole.core.PortholeException;
import io.porthole.core.internal.Ids;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;

/**
 * Commands inside a computer (contract §5.1).
 *
 * <pre>
 * POST /computers/{id}/exec        NDJSON stream: {"type":"stdout"|"stderr","data"}..., then exactly one
 *                                  {"type":"exit","code"}; on failure one {"type":"error","code","message"}
 * POST /computers/{id}/exec/sync   {"exit_code", "stdout", "stderr"} once the command is done
 * </pre>
 *
 * An unknown or ended computer and a bad key are ordinary JSON errors (the SDKs raise before reading the
 * stream); everything after that is in the stream, which never carries a blank line and is flushed per line.
 */
final class ExecRoutes {
    static final String NDJSON = "application/x-ndjson";
    static final io.helidon.http.HeaderName REQUEST_ID = HeaderNames.create("X-Request-Id");

    private final Exec exec;
    private final Computers computers;
    private final Auth auth;
    private final long maxBody;
    private final RetryJoin retries;

    ExecRoutes(Exec exec, Computers computers, Auth auth, long maxBody, RetryJoin retries) {
        this.retries = retries;
        this.exec = exec;
        this.computers = computers;
        this.auth = auth;
        this.maxBody = maxBody;
    }

    void register(HttpRouting.Builder r) {
        r.post("/computers/{id}/exec", this::stream).post("/computers/{id}/exec/sync", this::sync);
    }

    private void stream(ServerRequest req, ServerResponse res) {
        var p = auth.require(req);
        var id = req.path().pathParameters().get("id");
        computers.requireRunning(p.tenantId(), id);
        // the command's output chunks on GET /computers/{id}/events carry this id
        var requestId = Ids.id("req");
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, NDJSON);
        res.header(REQUEST_ID, requestId);
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        try (OutputStream out = res.outputStream()) {
            var lines = new Lines(out);
            Exec.Request request;
            try {
                request = Exec.Request.parse(Http.body(req, maxBody));
            } catch (PortholeException e) {
                lines.error(e.code().wireName(), e.getMessage());
                return;
            }
            try {
                var outcome = exec.run(p.tenantId(), id, requestId, Origin.API, request, new Exec.Sink() {
                    @Override
                    public void stdout(String text) {
                        lines.data("stdout", text);
                    }

                    @Override
                    public void stderr(String text) {
                        lines.data("stderr", text);
                    }
                });
                if (outcome.outputTooLarge()) {
                    lines.error("output_too_large", "the command wrote more than " + exec.maxOutputBytes()
                            + " bytes and was stopped");
                } else {
                    lines.exit(outcome.exitCode());
                }
            } catch (PortholeException e) {
                lines.error(e.code().wireName(), e.getMessage());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One JSON object per line, flushed as it is written; writes from two threads never interleave. */
    private static final class Lines {
        private final OutputStream out;
        private boolean clientGone;

        Lines(OutputStream out) {
            this.out = out;
        }

        void data(String type, String text) {
            if (text.isEmpty()) return;
            var line = Http.JSON.createObjectNode().put("type", type).put("data", text);
            write(line);
        }

        void exit(int code) {
            write(Http.JSON.createObjectNode().put("type", "exit").put("code", code));
        }

        void error(String code, String message) {
            write(Http.JSON.createObjectNode().put("type", "error").put("code", code).put("message", message));
        }

        private synchronized void write(ObjectNode node) {
            if (clientGone) return;
            try {
                out.write((node.toString() + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException | UncheckedIOException e) {
                clientGone = true; // the command goes on to its end or timeout; nobody reads it any more
            }
        }
    }

    private void sync(ServerRequest req, ServerResponse res) {
        var p = auth.require(req);
        var id = req.path().pathParameters().get("id");
        var node = Http.body(req, maxBody);
        var request = Exec.Request.parse(node);
        var answer = retries.run(req, p.tenantId(), node.toString(), () -> {
            var result = exec.runCollected(p.tenantId(), id, Ids.id("req"), Origin.API, request);
            if (result.outcome().outputTooLarge()) {
                throw new PortholeException(ErrorCode.ACTION_FAILED, "the command wrote more than "
                        + exec.maxOutputBytes() + " bytes and was stopped; use POST /computers/{id}/exec to stream large output");
            }
            var body = new LinkedHashMap<String, Object>();
            body.put("exit_code", result.outcome().exitCode());
            body.put("stdout", result.stdout());
            body.put("stderr", result.stderr());
            if (result.outcome().timedOut()) body.put("timed_out", true);
            return new RetryJoin.Answer(200, Http.json(body));
        });
        Http.sendJsonBytes(res, answer.status(), answer.body());
    }
}
