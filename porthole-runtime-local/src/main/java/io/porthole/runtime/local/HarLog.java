package io.porthole.runtime.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A HAR 1.2 log of what a computer's egress proxy carried, one entry per connection: for plain HTTP the
 * request and the response's status and headers; for HTTPS (a CONNECT tunnel, which the proxy does not
 * decrypt) the host, the tunnel's status and its bytes. Bodies are not kept. Thread-safe.
 */
final class HarLog {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ENTRIES = 10_000;

    /** One connection through the proxy. */
    static final class Entry {
        final Instant started = Instant.now();
        final long startedNanos = System.nanoTime();
        final String method;
        final String url;
        final String httpVersion;
        final List<String[]> requestHeaders;
        volatile int status;
        volatile String statusText = "";
        volatile List<String[]> responseHeaders = List.of();
        volatile long sent;
        volatile long received;
        volatile long durationNanos = -1;
        volatile String serverAddress = "";
        volatile String error = "";

        Entry(String method, String url, String httpVersion, String headers) {
            this.method = method;
            this.url = url;
            this.httpVersion = httpVersion;
            this.requestHeaders = headers(headers);
        }

        /** Reads the status line and headers from the first bytes of a plain-HTTP answer. */
        void response(byte[] first, int length) {
            var text = new String(first, 0, length, StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            var head = end < 0 ? text : text.substring(0, end);
            int lineEnd = head.indexOf("\r\n");
            var statusLine = lineEnd < 0 ? head : head.substring(0, lineEnd);
            var parts = statusLine.split(" ", 3);
            if (parts.length >= 2 && parts[0].startsWith("HTTP/")) {
                try {
                    status = Integer.parseInt(parts[1]);
                } catch (NumberFormatException ignored) {
                    // not HTTP after all
                }
                statusText = parts.length > 2 ? parts[2] : "";
            }
            if (lineEnd >= 0 && end >= 0) responseHeaders = headers(head.substring(lineEnd + 2));
        }

        void done() {
            durationNanos = System.nanoTime() - startedNanos;
        }

        private static List<String[]> headers(String block) {
            var out = new ArrayList<String[]>();
            for (var line : block.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon <= 0) continue;
                var name = line.substring(0, colon).trim();
                // the credentials Porthole adds or the browser sends to its proxy are nobody's business
                if (name.toLowerCase(Locale.ROOT).startsWith("proxy-")) continue;
                out.add(new String[] {name, line.substring(colon + 1).trim()});
            }
            return out;
        }
    }

    private final List<Entry> entries = new ArrayList<>();

    Entry start(String method, String url, String httpVersion, String headers) {
        var e = new Entry(method, url, httpVersion, headers);
        synchronized (entries) {
            if (entries.size() < MAX_ENTRIES) entries.add(e);
        }
        return e;
    }

    /** The log as HAR 1.2 JSON. */
    byte[] toJson() {
        List<Entry> copy;
        synchronized (entries) {
            copy = List.copyOf(entries);
        }
        var root = JSON.createObjectNode();
        var log = root.putObject("log");
        log.put("version", "1.2");
        log.putObject("creator").put("name", "Porthole egress proxy").put("version", "1");
        var list = log.putArray("entries");
        for (var e : copy) {
            var entry = list.addObject();
            entry.put("startedDateTime", e.started.toString());
            double ms = e.durationNanos < 0 ? -1 : e.durationNanos / 1e6;
            entry.put("time", ms);
            var req = entry.putObject("request");
            req.put("method", e.method).put("url", e.url).put("httpVersion", e.httpVersion);
            headers(req.putArray("headers"), e.requestHeaders);
            req.putArray("cookies");
            req.putArray("queryString");
            req.put("headersSize", -1).put("bodySize", e.sent);
            var res = entry.putObject("response");
            res.put("status", e.status).put("statusText", e.statusText).put("httpVersion", e.httpVersion);
            headers(res.putArray("headers"), e.responseHeaders);
            res.putArray("cookies");
            res.putObject("content").put("size", e.received).put("mimeType", header(e.responseHeaders, "content-type"));
            res.put("redirectURL", header(e.responseHeaders, "location"));
            res.put("headersSize", -1).put("bodySize", e.received);
            entry.putObject("cache");
            entry.putObject("timings").put("send", 0).put("wait", ms).put("receive", 0);
            if (!e.serverAddress.isEmpty()) entry.put("serverIPAddress", e.serverAddress);
            if (!e.error.isEmpty()) entry.put("_error", e.error);
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static void headers(ArrayNode out, List<String[]> headers) {
        for (var h : headers) out.addObject().put("name", h[0]).put("value", h[1]);
    }

    private static String header(List<String[]> headers, String name) {
        for (var h : headers) if (h[0].equalsIgnoreCase(name)) return h[1];
        return "";
    }

}
