package io.porthole.server;

import io.porthole.core.internal.Threads;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * An upstream proxy's exit address, as an echo URL sees it: one GET of the URL through the proxy (an HTTP proxy
 * forwards an {@code http://} URL and tunnels an {@code https://} one with CONNECT; a SOCKS5 proxy connects by name),
 * whose answer is the address as text. Bounded by one deadline for the whole exchange. No message names the proxy's
 * credentials. Stateless; thread-safe.
 */
final class ProxyExit {
    /** An answer longer than this is not an address. */
    private static final int MAX_ANSWER = 4096;
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    private ProxyExit() {}

    /**
     * The address the echo URL answers through {@code proxy}, within {@code timeout}.
     *
     * @param proxyAddress where to connect to the proxy: its host's address, as the egress policy checked it
     */
    static InetAddress fetch(URI proxy, InetAddress proxyAddress, URI echo, Duration timeout) throws IOException {
        var socket = new AtomicReference<Socket>();
        var task = new FutureTask<>(() -> exchange(proxy, proxyAddress, echo, timeout, socket));
        Threads.startVirtual("porthole-geoip-echo", task);
        try {
            return task.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IOException("no answer within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(String.valueOf(e.getCause().getMessage()));
        } finally {
            var s = socket.get();
            if (s != null) s.close();
            task.cancel(true);
        }
    }

    private static InetAddress exchange(URI proxy, InetAddress proxyAddress, URI echo, Duration timeout,
                                        AtomicReference<Socket> holder)
            throws IOException {
        boolean tls = echo.getScheme().equalsIgnoreCase("https");
        var host = echo.getHost();
        int port = echo.getPort() > 0 ? echo.getPort() : tls ? 443 : 80;
        var path = (echo.getRawPath() == null || echo.getRawPath().isEmpty() ? "/" : echo.getRawPath())
                + (echo.getRawQuery() == null ? "" : "?" + echo.getRawQuery());
        var scheme = proxy.getScheme().toLowerCase(Locale.ROOT);
        boolean socks = scheme.startsWith("socks5");
        Socket s = new Socket();
        holder.set(s);
        s.setSoTimeout((int) timeout.toMillis());
        s.connect(new InetSocketAddress(proxyAddress, proxy.getPort()), (int) timeout.toMillis());
        var authorization = authorization(proxy);
        String target;
        if (socks) {
            socksConnect(s, proxy, host, port);
            target = path;
        } else if (tls) {
            var out = s.getOutputStream();
            out.write(("CONNECT " + host + ":" + port + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\n"
                    + (authorization == null ? "" : "Proxy-Authorization: " + authorization + "\r\n") + "\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            var status = head(s.getInputStream());
            if (!status.matches("HTTP/1\\.[01] 200.*")) throw new IOException("the proxy refused the tunnel (" + status + ")");
            target = path;
        } else {
            target = echo.toASCIIString();
        }
        if (tls) {
            var ssl = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault()).createSocket(s, host, port, true);
            var params = ssl.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS");
            ssl.setSSLParameters(params);
            holder.set(ssl);
            s = ssl;
        }
        OutputStream out = s.getOutputStream();
        out.write(("GET " + target + " HTTP/1.0\r\nHost: " + host + (echo.getPort() > 0 ? ":" + port : "") + "\r\n"
                + (!socks && !tls && authorization != null ? "Proxy-Authorization: " + authorization + "\r\n" : "")
                + "Accept: text/plain\r\nUser-Agent: porthole-geoip\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        var in = s.getInputStream();
        var status = head(in);
        if (!status.matches("HTTP/1\\.[01] 200.*")) throw new IOException("the echo URL answered " + status);
        var body = in.readNBytes(MAX_ANSWER + 1);
        if (body.length > MAX_ANSWER) throw new IOException("the echo URL's answer is too long to be an address");
        var text = new String(body, StandardCharsets.UTF_8).trim();
        // a literal only: a name here would be resolved, which is not what the echo means
        if (!IPV4.matcher(text).matches() && !(text.contains(":") && IPV6.matcher(text).matches())) {
            throw new IOException("the echo URL's answer is not an IP address");
        }
        return InetAddress.getByName(text);
    }

    /** Reads a response head; returns its status line. */
    private static String head(InputStream in) throws IOException {
        var line = new ByteArrayOutputStream();
        String status = null;
        int total = 0;
        while (true) {
            int b = in.read();
            if (b < 0) throw new IOException("the connection closed before an answer");
            if (++total > 16384) throw new IOException("the answer's head is too long");
            if (b == '\n') {
                var text = line.toString(StandardCharsets.ISO_8859_1).strip();
                line.reset();
                if (status == null) status = text;
                else if (text.isEmpty()) return status;
            } else {
                line.write(b);
            }
        }
    }

    /** SOCKS5 (RFC 1928) CONNECT by name, with username/password (RFC 1929) when the URL has credentials. */
    private static void socksConnect(Socket s, URI proxy, String host, int port) throws IOException {
        var in = s.getInputStream();
        var out = s.getOutputStream();
        var info = proxy.getUserInfo();
        boolean withPassword = info != null && !info.isEmpty();
        out.write(withPassword ? new byte[] {5, 2, 0, 2} : new byte[] {5, 1, 0});
        out.flush();
        var choice = in.readNBytes(2);
        if (choice.length < 2 || choice[0] != 5 || (choice[1] & 0xff) == 0xff || (choice[1] == 2 && !withPassword)) {
            throw new IOException("the SOCKS5 proxy accepts none of our authentication methods");
        }
        if (choice[1] == 2) {
            var parts = info.split(":", 2);
            var user = parts[0].getBytes(StandardCharsets.UTF_8);
            var pass = (parts.length > 1 ? parts[1] : "").getBytes(StandardCharsets.UTF_8);
            var auth = new ByteArrayOutputStream();
            auth.write(1);
            auth.write(user.length);
            auth.write(user);
            auth.write(pass.length);
            auth.write(pass);
            out.write(auth.toByteArray());
            out.flush();
            var status = in.readNBytes(2);
            if (status.length < 2 || status[1] != 0) throw new IOException("the SOCKS5 proxy refused our credentials");
        }
        var name = host.getBytes(StandardCharsets.US_ASCII);
        var request = new ByteArrayOutputStream();
        request.write(new byte[] {5, 1, 0, 3, (byte) name.length});
        request.write(name);
        request.write(port >> 8);
        request.write(port & 0xff);
        out.write(request.toByteArray());
        out.flush();
        var reply = in.readNBytes(4);
        if (reply.length < 4 || reply[1] != 0) throw new IOException("the SOCKS5 proxy could not connect to the echo URL");
        int length = switch (reply[3]) {
            case 1 -> 4;
            case 4 -> 16;
            case 3 -> in.read();
            default -> throw new IOException("bad SOCKS5 reply");
        };
        if (in.readNBytes(length + 2).length != length + 2) throw new IOException("the SOCKS5 proxy closed the connection");
    }

    private static String authorization(URI proxy) {
        var info = proxy.getUserInfo();
        if (info == null || info.isEmpty()) return null;
        return "Basic " + Base64.getEncoder().encodeToString(info.getBytes(StandardCharsets.UTF_8));
    }
}
