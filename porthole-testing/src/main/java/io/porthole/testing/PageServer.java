package io.porthole.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * Serves the fixture pages of this module ({@code pages/*.html}) on a free loopback port. Also
 * {@code /status/<code>} answers that status. Thread-safe; close it when done.
 */
public final class PageServer implements AutoCloseable {
    private final HttpServer server;

    private PageServer(HttpServer server) {
        this.server = server;
    }

    public static PageServer start() {
        try {
            var server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
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
                    var name = path.equals("/") ? "input.html" : path.substring(1);
                    if (!name.matches("[a-z0-9_-]+\\.html")) {
                        exchange.sendResponseHeaders(404, -1);
                        return;
                    }
                    try (InputStream in = PageServer.class.getResourceAsStream("pages/" + name)) {
                        if (in == null) {
                            exchange.sendResponseHeaders(404, -1);
                            return;
                        }
                        var bytes = in.readAllBytes();
                        exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                        exchange.sendResponseHeaders(200, bytes.length);
                        exchange.getResponseBody().write(bytes);
                    }
                }
            });
            server.start();
            return new PageServer(server);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:<port>/<page>}. */
    public String url(String page) {
        return "http://127.0.0.1:" + port() + "/" + page;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
