package io.porthole.server;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.porthole.api.ErrorCode;
import io.porthole.core.store.NodeRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * Another node: a request is forwarded to it as it came (method, path, query, headers, the body streamed), marked as
 * forwarded by this node, and its answer streamed back as it arrives, so NDJSON and SSE streams flow at the owner's
 * pace (ADR 0026). A node that cannot be reached gets the caller a 503 {@code unavailable} with {@code Retry-After}.
 * Thread-safe.
 */
final class RemoteNode implements Node {
    private static final System.Logger LOG = System.getLogger(RemoteNode.class.getName());
    /** How long a connection to another node may take before it counts as unreachable. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /** Headers of one hop (RFC 9110 §7.6.1), those Java's client sets itself, and the node marks (set anew). */
    private static final Set<String> NOT_FORWARDED = Set.of("connection", "keep-alive", "proxy-connection",
            "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host",
            "content-length", "expect", "date", "http2-settings",
            Cluster.FORWARDED_BY.lowerCase(), Cluster.FORWARDED_AT.lowerCase(), Cluster.SIGNATURE.lowerCase());
    /** Answers up to this size are read whole and sent with their length; longer ones and streams go on in chunks. */
    private static final long WHOLE = 1 << 20;

    private final String id;
    private final String url;
    private final Cluster cluster;
    private final HttpClient http;
    private volatile NodeRecord record;

    RemoteNode(String id, String url, Cluster cluster) {
        this.id = id;
        this.url = url;
        this.cluster = cluster;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public String id() {
        return id;
    }

    String url() {
        return url;
    }

    void record(NodeRecord r) {
        this.record = r;
    }

    @Override
    public void serve(ServerRequest req, ServerResponse res) {
        var method = req.prologue().method().text();
        var path = req.prologue().uriPath().rawPath();
        var r = record;
        if (r != null && !cluster.reachable(r)) {
            unavailable(req, res, "the node that runs it (" + id + ") has not been heard from; it is being marked down");
            return;
        }
        var query = req.prologue().query().rawValue();
        var target = URI.create(url + path + (query == null || query.isEmpty() ? "" : "?" + query));
        var builder = HttpRequest.newBuilder(target).expectContinue(false);
        for (var header : req.headers()) {
            if (NOT_FORWARDED.contains(header.name().toLowerCase(Locale.ROOT))) continue;
            for (var value : header.allValues()) builder.header(header.name(), value);
        }
        cluster.sign(method, path).forEach((name, value) -> builder.header(name.defaultCase(), value));
        builder.method(method, body(req));
        HttpResponse<Answer> answer;
        try {
            answer = http.send(builder.build(), ANSWER);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.INFO, "node {0} at {1} did not answer {2} {3}: {4}", id, url, method, path,
                    e.toString());
            unavailable(req, res, "the node that runs it (" + id + ") does not answer");
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            unavailable(req, res, "the request was interrupted");
            return;
        }
        relay(answer, res);
    }

    /** The request's body as it arrives, with its length when the client gave one. */
    private static HttpRequest.BodyPublisher body(ServerRequest req) {
        if (!req.content().hasEntity()) return HttpRequest.BodyPublishers.noBody();
        var stream = HttpRequest.BodyPublishers.ofInputStream(() -> req.content().inputStream());
        var length = req.headers().contentLength();
        return length.isPresent() ? HttpRequest.BodyPublishers.fromPublisher(stream, length.getAsLong()) : stream;
    }

    /**
     * An answer's body: read whole by the client when its length is given and at most {@link #WHOLE} (so that the
     * request's thread wakes once, with the answer complete), else a stream read as it comes.
     */
    private record Answer(byte[] whole, InputStream stream) {}

    private static final HttpResponse.BodyHandler<Answer> ANSWER = info -> {
        var length = info.headers().firstValueAsLong("content-length");
        if (length.isPresent() && length.getAsLong() <= WHOLE) {
            return HttpResponse.BodySubscribers.mapping(HttpResponse.BodySubscribers.ofByteArray(), b -> new Answer(b, null));
        }
        return HttpResponse.BodySubscribers.mapping(HttpResponse.BodySubscribers.ofInputStream(), in -> new Answer(null, in));
    };

    private static void relay(HttpResponse<Answer> answer, ServerResponse res) {
        res.status(answer.statusCode());
        answer.headers().map().forEach((name, values) -> {
            if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                res.header(name, values.toArray(String[]::new));
            }
        });
        if (answer.body().whole() != null) {
            try {
                res.send(answer.body().whole());
            } catch (UncheckedIOException e) {
                LOG.log(System.Logger.Level.DEBUG, "a forwarded answer ended early: {0}", e.toString());
            }
            return;
        }
        var length = answer.headers().firstValueAsLong("content-length");
        try (var in = answer.body().stream()) {
            if (length.isPresent()) res.header(HeaderNames.CONTENT_LENGTH, String.valueOf(length.getAsLong()));
            try (var out = res.outputStream()) {
                var buffer = new byte[16 << 10];
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    // a stream's event goes on at once; a large answer is written as it comes
                    if (in.available() == 0) out.flush();
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // the client or the owner went away mid-answer; closing the body ends the other side
            LOG.log(System.Logger.Level.DEBUG, "a forwarded answer ended early: {0}", e.toString());
        }
    }

    private static void unavailable(ServerRequest req, ServerResponse res, String why) {
        res.header(HeaderNames.RETRY_AFTER, "1");
        Http.error(HeadResponse.of(req, res), ErrorCode.UNAVAILABLE, why + "; try again in a moment");
    }

    void close() {
        http.close();
    }
}
