package io.porthole.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

/**
 * Serves the fixture pages of this module ({@code pages/*.html}, and the scripts beside them, {@code pages/*.js}) on
 * a free loopback port. Also {@code /status/<code>} answers that status, {@code /echo-headers?ctx=<name>} answers
 * the request's headers as a JSON object (lower-case names; a repeated header's values joined by ", ") and keeps
 * them for {@link #echoedHeaders}, and {@link #serveDirectory} adds a directory of files (scripts a fixture page
 * loads, e.g. from an installed node_modules). Thread-safe; close it when done.
 */
public final class PageServer implements AutoCloseable {
    private final HttpServer server;
    private final String address;
    private final Map<String, Map<String, String>> echoed;

    private PageServer(HttpServer server, String address, Map<String, Map<String, String>> echoed) {
        this.server = server;
        this.address = address;
        this.echoed = echoed;
    }

    public static PageServer start() {
        return start("127.0.0.1");
    }

    /** Listening on {@code address} (an IPv4 address of this host) instead of loopback. */
    public static PageServer start(String address) {
        try {
            var server = HttpServer.create(new InetSocketAddress(address, 0), 0);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            var echoed = new ConcurrentHashMap<String, Map<String, String>>();
            server.createContext("/", exchange -> {
                try (exchange) {
                    var path = exchange.getRequestURI().getPath();
                    if (path.startsWith("/status/")) {
                        int code = Integer.parseInt(path.substring(8));
                        var body = ("status " + code).getBytes(StandardCharsets.UTF_8);
                        exchange.sendResponseHeaders(code, body.length);
                        exchange.getResponseBody().write(body);
                        return;
                    }
                    if (path.equals("/echo-headers")) {
                        echo(exchange, echoed);
                        return;
                    }
                    var name = path.equals("/") ? "input.html" : path.substring(1);
                    if (!name.matches("[a-z0-9_-]+\\.(html|js)")) {
                        exchange.sendResponseHeaders(404, -1);
                        return;
                    }
                    try (InputStream in = PageServer.class.getResourceAsStream("pages/" + name)) {
                        if (in == null) {
                            exchange.sendResponseHeaders(404, -1);
                            return;
                        }
                        var bytes = in.readAllBytes();
                        exchange.getResponseHeaders().set("Content-Type", contentType(name));
                        exchange.sendResponseHeaders(200, bytes.length);
                        exchange.getResponseBody().write(bytes);
                    }
                }
            });
            server.start();
            return new PageServer(server, address, echoed);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Serves the regular files under {@code dir} at {@code /<prefix>/...} from now on (GET only; nothing outside
     * {@code dir}, no listings), with a content type from the file name. Serving the same prefix again replaces
     * the directory.
     *
     * @param prefix one path segment, {@code [a-z0-9_-]+}
     * @return the base URL of the directory, ending in {@code /}
     */
    public synchronized String serveDirectory(String prefix, Path dir) {
        if (!prefix.matches("[a-z0-9_-]+")) throw new IllegalArgumentException("bad prefix " + prefix);
        var root = dir.toAbsolutePath().normalize();
        var context = "/" + prefix + "/";
        try {
            server.removeContext(context);
        } catch (IllegalArgumentException absent) {
            // first time
        }
        server.createContext(context, exchange -> {
            try (exchange) {
                var rel = exchange.getRequestURI().getPath().substring(context.length());
                var file = root.resolve(rel).normalize();
                if (!"GET".equals(exchange.getRequestMethod()) || !file.startsWith(root) || !Files.isRegularFile(file)) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                var bytes = Files.readAllBytes(file);
                exchange.getResponseHeaders().set("Content-Type", contentType(file.getFileName().toString()));
                exchange.getResponseHeaders().set("Cache-Control", "no-store");
                exchange.sendResponseHeaders(200, bytes.length);
                exchange.getResponseBody().write(bytes);
            }
        });
        return url(prefix + "/");
    }

    private static void echo(HttpExchange exchange, Map<String, Map<String, String>> echoed) throws IOException {
        var headers = new TreeMap<String, String>();
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(", ", v)));
        var query = exchange.getRequestURI().getQuery();
        var ctx = query != null && query.startsWith("ctx=") ? query.substring(4) : "";
        echoed.put(ctx, Map.copyOf(headers));
        var json = new StringBuilder("{");
        headers.forEach((k, v) -> json.append(json.length() > 1 ? "," : "").append(quote(k)).append(':').append(quote(v)));
        var body = json.append('}').toString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
    }

    private static String quote(String s) {
        var b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }

    /**
     * The headers of the last {@code /echo-headers?ctx=<ctx>} request (lower-case names), or an empty map when there
     * was none.
     */
    public Map<String, String> echoedHeaders(String ctx) {
        return echoed.getOrDefault(ctx, Map.of());
    }

    private static String contentType(String name) {
        var dot = name.lastIndexOf('.');
        return switch (dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT)) {
            case "html", "htm" -> "text/html; charset=utf-8";
            case "js", "mjs", "cjs" -> "text/javascript; charset=utf-8";
            case "json", "map" -> "application/json";
            case "css" -> "text/css; charset=utf-8";
            case "png" -> "image/png";
            case "txt", "ts" -> "text/plain; charset=utf-8";
            default -> "application/octet-stream";
        };
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:<port>/<page>} (or the address it listens on). */
    public String url(String page) {
        return "http://" + address + ":" + port() + "/" + page;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
