package io.porthole.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The page both browsers are pointed at: one button at a fixed place and a click counter, on 127.0.0.1 and a free
 * port. Clicking the centre of the button ({@link #BUTTON_X}, {@link #BUTTON_Y}, CSS pixels at scale 1) counts.
 * Also serves {@code /big}: a body of a fixed size, made in memory once, sent with a Content-Length (the egress
 * throughput rows download it).
 */
final class PageServer implements AutoCloseable {
    static final int BUTTON_X = 200;
    static final int BUTTON_Y = 140;
    private static final int CHUNK = 256 * 1024;

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
    private final byte[] big;

    /** @param bigBytes the size of the body served at {@code /big} */
    PageServer(int bigBytes) throws IOException {
        // bytes that no transfer encoding along the way could shrink
        big = new byte[bigBytes];
        new SplittableRandom(42).nextBytes(big);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.createContext("/big", this::handleBig);
        server.setExecutor(executor);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    /** The URL of the large body. */
    String bigUrl() {
        return url() + "big";
    }

    int bigSize() {
        return big.length;
    }

    private void handleBig(HttpExchange ex) throws IOException {
        try (ex) {
            if (!ex.getRequestURI().getPath().equals("/big")) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            ex.sendResponseHeaders(200, big.length);
            var body = ex.getResponseBody();
            for (int at = 0; at < big.length; at += CHUNK) body.write(big, at, Math.min(CHUNK, big.length - at));
        }
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
