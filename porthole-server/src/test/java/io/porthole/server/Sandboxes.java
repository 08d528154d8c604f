package io.porthole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.porthole.core.internal.WebSocketClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Helpers for the browser-sandboxes tests: the native API's calls, NDJSON RPC and raw WebSocket clients. */
final class Sandboxes {
    private Sandboxes() {}

    /** Creates a sandbox for tenant A and returns the sandbox object (asserting 201). */
    static JsonNode create(TestServer t, String body) {
        var r = t.post("/browser-sandboxes", body);
        if (r.status() != 201) throw new AssertionError("create failed: " + r.status() + " " + r.body());
        return r.json();
    }

    static void delete(TestServer t, String id) {
        if (id != null) t.call("DELETE", "/browser-sandboxes/" + id, null);
    }

    static TestServer.Response get(TestServer t, String id) {
        return t.call("GET", "/browser-sandboxes/" + id, null);
    }

    /** Asserts an error answer: the status and the JSON {code, message}. */
    static void assertError(TestServer.Response r, int status, String code) {
        assertEquals(status, r.status(), r.body());
        if (r.json() == null) throw new AssertionError("not a JSON error: " + r.body());
        assertEquals(code, r.json().path("code").asText(), r.body());
        if (r.json().path("message").asText().isBlank()) throw new AssertionError("no message: " + r.body());
    }

    /** Posts NDJSON to the sandbox's rpc route and returns the answer lines, parsed. */
    static List<JsonNode> rpc(TestServer t, String id, String ndjson) {
        var r = t.request("POST", "/browser-sandboxes/" + id + "/rpc", ndjson,
                Map.of("Authorization", "Bearer " + TestServer.KEY, "Content-Type", "application/x-ndjson"));
        assertEquals(200, r.status(), r.body());
        var out = new ArrayList<JsonNode>();
        for (var line : r.body().split("\n")) {
            if (line.isBlank()) continue;
            try {
                out.add(TestServer.JSON.readTree(line));
            } catch (IOException e) {
                throw new AssertionError("an answer line is not JSON: " + line, e);
            }
        }
        return out;
    }

    /** One RPC call; its result, failing on an error line. */
    static JsonNode rpcResult(TestServer t, String id, String method, String params) {
        var lines = rpc(t, id, "{\"id\":1,\"method\":\"" + method + "\",\"params\":" + params + "}\n");
        assertEquals(1, lines.size(), lines.toString());
        if (lines.getFirst().has("error")) throw new AssertionError(method + " failed: " + lines.getFirst());
        return lines.getFirst().path("result");
    }

    /** A raw WebSocket to the server (over TCP), speaking JSON messages with numbered ids (CDP style). */
    static final class Ws implements AutoCloseable {
        final WebSocketClient client;
        final CompletableFuture<String> closed = new CompletableFuture<>();
        private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
        private final AtomicInteger ids = new AtomicInteger();

        private Ws(String url) throws IOException {
            var uri = URI.create(url);
            var ch = SocketChannel.open(new InetSocketAddress(uri.getHost(), uri.getPort()));
            var path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
            client = WebSocketClient.connect(ch, uri.getHost() + ":" + uri.getPort(), path, new WebSocketClient.Listener() {
                @Override
                public void onText(String message) {
                    try {
                        var node = TestServer.JSON.readTree(message);
                        if (node.has("id")) {
                            var f = pending.remove(node.path("id").asInt());
                            if (f != null) f.complete(node);
                        }
                    } catch (IOException ignored) {
                        // not JSON: not ours
                    }
                }

                @Override
                public void onClosed(String reason) {
                    closed.complete(reason);
                    pending.values().forEach(f -> f.completeExceptionally(new IOException("closed: " + reason)));
                }
            });
        }

        /** Connects to a ws:// URL; throws with the server's status line if the upgrade is refused. */
        static Ws connect(String url) throws IOException {
            return new Ws(url);
        }

        /** Sends {@code {"id", "method", "params"}} and waits (bounded) for the answer with that id. */
        JsonNode call(String method, String paramsJson) throws Exception {
            int id = ids.incrementAndGet();
            var f = new CompletableFuture<JsonNode>();
            pending.put(id, f);
            client.sendText("{\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + paramsJson + "}");
            return f.get(20, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            client.close();
        }
    }

    /** What a raw HTTP exchange answered: the status line's code, the headers (lower-case names) and the body. */
    record RawResponse(int status, Map<String, String> headers, String body) {
        JsonNode json() {
            try {
                return TestServer.JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    /**
     * Sends a WebSocket upgrade request for {@code pathAndQuery} with extra header lines and reads the answer,
     * for the cases where the server refuses the upgrade and answers over HTTP.
     */
    static RawResponse rawUpgrade(TestServer t, String pathAndQuery, String extraHeaders) {
        var uri = URI.create(t.server.baseUrl());
        try (var s = new Socket(uri.getHost(), uri.getPort())) {
            s.setSoTimeout(20_000);
            var req = "GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n" + extraHeaders + "\r\n";
            s.getOutputStream().write(req.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            var in = s.getInputStream();
            var head = new ByteArrayOutputStream();
            int matched = 0;
            while (matched < 4) {
                int b = in.read();
                if (b < 0) throw new AssertionError("the server closed before answering: " + head);
                head.write(b);
                matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            var lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            var headers = new java.util.HashMap<String, String>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) headers.put(lines[i].substring(0, colon).trim().toLowerCase(), lines[i].substring(colon + 1).trim());
            }
            String body = "";
            if (status != 101) {
                int length = Integer.parseInt(headers.getOrDefault("content-length", "-1"));
                body = new String(length >= 0 ? in.readNBytes(length) : in.readAllBytes(), StandardCharsets.UTF_8);
            }
            return new RawResponse(status, headers, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
