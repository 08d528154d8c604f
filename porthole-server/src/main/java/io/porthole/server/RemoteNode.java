package io.porthole.server;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webclient.http1.Http1ClientRequest;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.porthole.api.ErrorCode;
import io.porthole.core.store.NodeRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * Another node: a request is forwarded to it as it came (method, path, query, headers, the body streamed), marked as
 * forwarded by this node, and its answer streamed back as it arrives, so NDJSON and SSE streams flow at the owner's
 * pace (ADR 0026). A node that cannot be reached gets the caller a 503 {@code unavailable} with {@code Retry-After}.
 * The exchange runs in the request's own (virtual) thread on a kept-alive connection (Helidon's blocking client): no
 * hand-off to a selector thread and back. Thread-safe.
 */
final class RemoteNode implements Node {
    private static final System.Logger LOG = System.getLogger(RemoteNode.class.getName());
    /** How long a connection to another node may take before it counts as unreachable. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /** Headers of one hop (RFC 9110 §7.6.1), those the client sets itself, and the node marks (set anew). */
    private static final Set<String> NOT_FORWARDED = Set.of("connection", "keep-alive", "proxy-connection",
            "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host",
            "content-length", "expect", "date", "http2-settings",
            Cluster.FORWARDED_BY.lowerCase(), Cluster.FORWARDED_AT.lowerCase(), Cluster.SIGNATURE.lowerCase());
    /** The longest a forwarded answer may be silent (the socket's own limit: about 24 days). */
    private static final Duration READ_TIMEOUT = Duration.ofMillis(Integer.MAX_VALUE);
    /** Answers up to this size are read whole and sent with their length; longer ones and streams go on in chunks. */
    private static final long WHOLE = 1 << 20;

    private final String id;
    private final String url;
    private final Cluster cluster;
    private final Http1Client http;
    private volatile NodeRecord record;

    RemoteNode(String id, String url, Cluster cluster) {
        this.id = id;
        this.url = url;
        this.cluster = cluster;
        this.http = Http1Client.builder()
                .baseUri(url)
                .connectTimeout(CONNECT_TIMEOUT)
                // no read timeout to speak of: an SSE or NDJSON stream may be quiet for as long as its client likes.
                // Not zero: Helidon 4.5.0's watch over an idle kept-alive connection then gives up after 101 ms, and
                // the next request on that connection fails if its answer takes longer than that
                .readTimeout(READ_TIMEOUT)
                .followRedirects(false)
                .sendExpectContinue(false)
                // connections of their own, closed with this node
                .shareConnectionCache(false)
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
        // as it came: the raw path and query, not decoded and encoded again
        Http1ClientRequest forward = http.method(Method.create(method))
                .skipUriEncoding(true)
                .path(path + (query == null || query.isEmpty() ? "" : "?" + query));
        for (var header : req.headers()) {
            if (NOT_FORWARDED.contains(header.name().toLowerCase(Locale.ROOT))) continue;
            forward.header(header.headerName(), header.allValues());
        }
        cluster.sign(method, path).forEach((name, value) -> forward.header(name, value));
        HttpClientResponse answer;
        try {
            answer = send(req, forward);
        } catch (UncheckedIOException e) {
            LOG.log(System.Logger.Level.INFO, "node {0} at {1} did not answer {2} {3}: {4}", id, url, method, path,
                    e.toString());
            unavailable(req, res, "the node that runs it (" + id + ") does not answer");
            return;
        }
        try (answer) {
            relay(req.prologue().method() == Method.HEAD, answer, res);
        }
    }

    /** Sends the request with its body streamed as it arrives (with its length when the client gave one, else chunked). */
    private static HttpClientResponse send(ServerRequest req, Http1ClientRequest forward) {
        if (!req.content().hasEntity()) return forward.request();
        var length = req.headers().contentLength();
        if (length.isPresent()) forward.header(HeaderNames.CONTENT_LENGTH, String.valueOf(length.getAsLong()));
        return forward.outputStream(out -> {
            try (var in = req.content().inputStream()) {
                in.transferTo(out);
            }
            out.close();
        });
    }

    private static void relay(boolean head, HttpClientResponse answer, ServerResponse res) {
        res.status(answer.status());
        for (var header : answer.headers()) {
            if (!NOT_FORWARDED.contains(header.name().toLowerCase(Locale.ROOT))) {
                res.header(header.name(), header.allValues().toArray(String[]::new));
            }
        }
        var length = answer.headers().contentLength();
        var code = answer.status().code();
        if (head || code == 204 || code == 304) {
            // no body follows, whatever the length says (the client would wait for one after a HEAD)
            if (head && length.isPresent()) res.header(HeaderNames.CONTENT_LENGTH, String.valueOf(length.getAsLong()));
            res.send();
            return;
        }
        try (var in = answer.inputStream()) {
            if (length.isPresent() && length.getAsLong() <= WHOLE) {
                // one write with its length
                res.send(in.readAllBytes());
                return;
            }
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
            // the client or the owner went away mid-answer; closing the answer unread closes its connection, which
            // ends the request on the owner
            LOG.log(System.Logger.Level.DEBUG, "a forwarded answer ended early: {0}", e.toString());
        }
    }

    private static void unavailable(ServerRequest req, ServerResponse res, String why) {
        res.header(HeaderNames.RETRY_AFTER, "1");
        Http.error(HeadResponse.of(req, res), ErrorCode.UNAVAILABLE, why + "; try again in a moment");
    }

    void close() {
        http.closeResource();
    }
}
