package io.porthole.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tiny upstream HTTP proxy on loopback for tests: it demands {@code Proxy-Authorization: Basic} with its
 * user and password (407 otherwise), records every request line it is sent, and answers every authorised
 * request itself with a page naming the proxy, so a test can tell which route a request took. Thread-safe.
 */
public final class UpstreamProxy extends LoopbackServer {
    /** What reached the proxy: the request line and whether its credentials were right. */
    public record Seen(String requestLine, boolean authorised) {}

    private final String expectedAuth;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();

    private UpstreamProxy(String user, String password) {
        this.expectedAuth = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    public static UpstreamProxy start(String user, String password) {
        var proxy = new UpstreamProxy(user, password);
        proxy.listen("upstream-proxy");
        return proxy;
    }

    public List<Seen> seen() {
        return List.copyOf(seen);
    }

    @Override
    void handle(Socket socket) {
        try (socket) {
            var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            var requestLine = in.readLine();
            if (requestLine == null) return;
            String auth = null;
            String line;
            while ((line = in.readLine()) != null && !line.isEmpty()) {
                if (line.toLowerCase().startsWith("proxy-authorization:")) auth = line.substring(20).trim();
            }
            boolean ok = expectedAuth.equals(auth);
            seen.add(new Seen(requestLine, ok));
            OutputStream out = socket.getOutputStream();
            if (!ok) {
                out.write(("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\n"
                        + "Content-Length: 0\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                return;
            }
            var body = "<!doctype html><title>via upstream</title><p id=\"via\">served by the upstream proxy for "
                    + requestLine.replace("<", "&lt;") + "</p>";
            var bytes = body.getBytes(StandardCharsets.UTF_8);
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: " + bytes.length
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(bytes);
        } catch (IOException ignored) {
            // the client went away
        }
    }

}
