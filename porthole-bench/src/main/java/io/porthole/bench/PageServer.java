package io.porthole.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The page both browsers are pointed at: one button at a fixed place and a click counter, on 127.0.0.1 and a free
 * port. Clicking the centre of the button ({@link #BUTTON_X}, {@link #BUTTON_Y}, CSS pixels at scale 1) counts.
 */
final class PageServer implements AutoCloseable {
    static final int BUTTON_X = 200;
    static final int BUTTON_Y = 140;

    static final String PAGE = """
            <!doctype html>
            <html><head><meta charset="utf-8"><title>porthole bench</title>
            <style>
              html, body { margin: 0; font: 16px sans-serif; }
              #b { position: absolute; left: 100px; top: 100px; width: 200px; height: 80px; }
              #n { position: absolute; left: 100px; top: 220px; margin: 0; }
            </style></head>
            <body>
            <button id="b" type="button">Click me</button>
            <p id="n">clicks: <span id="count">0</span></p>
            <script>
              window.clicks = 0;
              document.getElementById('b').addEventListener('click', () => {
                window.clicks++;
                document.getElementById('count').textContent = String(window.clicks);
              });
            </script>
            </body></html>
            """;

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    PageServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!ex.getRequestURI().getPath().equals("/")) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            var body = PAGE.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
