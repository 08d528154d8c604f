package io.porthole.runtime.local;

import io.porthole.core.PortholeException;
import io.porthole.core.internal.Threads;
import io.porthole.core.sandbox.Egress;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One computer's egress: an HTTP proxy (absolute-form requests, CONNECT, WebSocket upgrades) listening on a
 * unix socket in the computer's channel directory, which a forwarder inside the sandbox exposes as
 * {@code 127.0.0.1:3128}. Every connection on this socket is the computer's, so the policy, the upstream
 * proxy and the byte counts are per computer. Upstream credentials are added here: the browser never sees
 * a 407. Thread-safe.
 */
final class EgressChannel implements Egress, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(EgressChannel.class.getName());
    private static final int MAX_HEAD = 64 * 1024;
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

    private final String computerId;
    private final EgressPolicy policy;
    private final ServerSocketChannel server;
    /** The unix socket listened on, or null for a loopback TCP port. */
    private final Path socket;
    private final Optional<URI> trustedUpstream;
    private final AtomicReference<Optional<URI>> upstream = new AtomicReference<>(Optional.empty());
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong connections = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    /** Where connections are logged as HAR entries, when the computer asked for it; shared by its contexts. */
    private volatile HarLog har;

    void har(HarLog log) {
        this.har = log;
    }

    HarLog harLog() {
        return har;
    }

    @Override
    public void recordHar() {
        if (har == null) har = new HarLog();
    }

    @Override
    public Optional<byte[]> har() {
        var log = har;
        return log == null ? Optional.empty() : Optional.of(log.toJson());
    }

    private EgressChannel(String computerId, EgressPolicy policy, ServerSocketChannel server, Path socket,
                          Optional<URI> trustedUpstream) {
        this.trustedUpstream = trustedUpstream;
        this.computerId = computerId;
        this.policy = policy;
        this.server = server;
        this.socket = socket;
    }

    static EgressChannel listen(String computerId, EgressPolicy policy, Path socket, Optional<URI> trustedUpstream)
            throws IOException {
        Files.deleteIfExists(socket);
        var server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        return start(new EgressChannel(computerId, policy, server, socket, trustedUpstream));
    }

    /**
     * Listens on a free port of the host's loopback instead, for a runtime without network namespaces, where
     * programs reach the proxy directly (and so can any local process: that runtime is not isolated).
     */
    static EgressChannel listenOnLoopback(String computerId, EgressPolicy policy, Optional<URI> trustedUpstream)
            throws IOException {
        var server = ServerSocketChannel.open(StandardProtocolFamily.INET);
        server.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0));
        return start(new EgressChannel(computerId, policy, server, null, trustedUpstream));
    }

    private static EgressChannel start(EgressChannel channel) {
        Threads.startVirtual("egress-" + channel.computerId, channel::acceptLoop);
        return channel;
    }

    /** The loopback port listened on, for {@link #listenOnLoopback}. */
    int port() throws IOException {
        return ((java.net.InetSocketAddress) server.getLocalAddress()).getPort();
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                var client = server.accept();
                Threads.startVirtual("egress-conn-" + computerId, () -> handle(client));
            } catch (IOException e) {
                if (server.isOpen()) LOG.log(System.Logger.Level.WARNING, "egress accept failed for " + computerId, e);
            }
        }
    }

    @Override
    public Stats stats() {
        return new Stats(sent.get(), received.get(), connections.get(), refused.get());
    }

    @Override
    public void useUpstream(Optional<URI> proxy) {
        proxy.ifPresent(EgressChannel::checkUpstream);
        upstream.set(proxy);
    }

    @Override
    public Optional<URI> upstream() {
        return upstream.get();
    }

    static void checkUpstream(URI u) {
        var scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("socks5") && !scheme.equals("socks5h")) {
            throw new PortholeException.InvalidRequest("a proxy URL must be http:// or socks5://[user:password@]host:port"
                    + ", not '" + scheme + "'");
        }
        if (u.getHost() == null || u.getPort() <= 0) {
            throw new PortholeException.InvalidRequest("a proxy URL needs a host and a port, e.g. http://proxy.example:3128");
        }
    }

    /** A parsed request head. */
    private record Head(String method, String target, String version, String headers, byte[] rest) {}

    private void handle(SocketChannel client) {
        try (client) {
            var head = readHead(client);
            if (head == null) return;
            connections.incrementAndGet();
            var log = har;
            var entry = log == null ? null : log.start(head.method(), head.method().equals("CONNECT")
                    ? "https://" + head.target() : head.target(), head.version(), head.headers());
            try {
                handle(client, head, entry);
            } finally {
                if (entry != null) entry.done();
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "egress connection of {0} ended: {1}", computerId, e.getMessage());
        }
    }

    private void handle(SocketChannel client, Head head, HarLog.Entry entry) throws IOException {
        String host;
        int port;
        if (head.method().equals("CONNECT")) {
            var hp = splitHostPort(head.target(), 443);
            host = hp[0];
            port = Integer.parseInt(hp[1]);
        } else {
            URI uri;
            try {
                uri = URI.create(head.target());
            } catch (IllegalArgumentException e) {
                respond(client, 400, "Bad Request", "Porthole's egress proxy needs an absolute URL: " + head.target());
                return;
            }
            if (uri.getHost() == null || !"http".equalsIgnoreCase(uri.getScheme())) {
                respond(client, 400, "Bad Request", "Porthole's egress proxy takes http:// URLs and CONNECT");
                return;
            }
            host = uri.getHost();
            port = uri.getPort() > 0 ? uri.getPort() : 80;
        }
        java.net.InetAddress address;
        try {
            address = policy.resolve(host, port);
        } catch (EgressPolicy.Refused e) {
            refused.incrementAndGet();
            policy.telemetry().egressRefused(e.reason());
            if (entry != null) {
                entry.status = 403;
                entry.error = "refused: " + e.getMessage();
            }
            respond(client, 403, "Forbidden", "Porthole refused this connection: " + e.getMessage() + ".");
            return;
        } catch (java.net.UnknownHostException e) {
            respond(client, 502, "Bad Gateway", "Porthole could not resolve " + host + ".");
            return;
        }
        var via = upstream.get();
        SocketChannel remote;
        try {
            if (via.isPresent()) {
                // a proxy the computer chose is held to the same rules as any other destination;
                // the operator's advanced proxy is trusted
                var proxyAddress = via.get().equals(trustedUpstream.orElse(null))
                        ? java.net.InetAddress.getByName(via.get().getHost())
                        : policy.resolve(via.get().getHost(), via.get().getPort());
                remote = connect(new InetSocketAddress(proxyAddress, via.get().getPort()));
            } else {
                remote = connect(new InetSocketAddress(address, port));
            }
        } catch (EgressPolicy.Refused e) {
            refused.incrementAndGet();
            policy.telemetry().egressRefused("upstream_proxy");
            respond(client, 403, "Forbidden", "Porthole refused the upstream proxy: " + e.getMessage() + ".");
            return;
        } catch (IOException e) {
            respond(client, 502, "Bad Gateway", "Porthole could not connect to " + (via.isPresent() ? "the upstream proxy" : host)
                    + ": " + e.getMessage());
            return;
        }
        try (remote) {
            // through a SOCKS5 upstream the connection reaches the site itself: from here on it is direct
            boolean socks = via.isPresent() && isSocks(via.get());
            if (socks && !socksConnect(remote, via.get(), host, port, client)) return;
            if (head.method().equals("CONNECT")) {
                if (via.isPresent() && !socks && !tunnelThrough(remote, via.get(), host, port, client)) return;
                write(client, "HTTP/1.1 200 Connection Established\r\n\r\n");
            } else {
                forwardRequest(remote, head, host, port, socks ? Optional.empty() : via);
            }
            if (head.rest().length > 0) {
                write(remote, head.rest());
                sent.addAndGet(head.rest().length);
                policy.telemetry().egressBytes(true, head.rest().length);
            }
            if (entry != null) {
                entry.serverAddress = address.getHostAddress();
                if (head.method().equals("CONNECT")) {
                    entry.status = 200;
                    entry.statusText = "Connection Established";
                }
            }
            relay(client, remote, entry, !head.method().equals("CONNECT"));
        }
    }

    private static SocketChannel connect(InetSocketAddress address) throws IOException {
        var ch = SocketChannel.open();
        // a request or a WebSocket message is often small and waited for: no Nagle delay on top
        ch.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
        try {
            ch.socket().connect(address, CONNECT_TIMEOUT_MILLIS);
            return ch;
        } catch (IOException e) {
            ch.close();
            throw e;
        }
    }

    static boolean isSocks(URI proxy) {
        var scheme = proxy.getScheme().toLowerCase(Locale.ROOT);
        return scheme.equals("socks5") || scheme.equals("socks5h");
    }

    /**
     * SOCKS5 (RFC 1928) CONNECT to {@code host:port} by name, with username/password authentication (RFC 1929)
     * when the URL has credentials. On failure tells the client why and returns false.
     */
    private boolean socksConnect(SocketChannel remote, URI proxy, String host, int port, SocketChannel client)
            throws IOException {
        var info = proxy.getUserInfo();
        boolean withPassword = info != null && !info.isEmpty();
        write(remote, withPassword ? new byte[] {5, 2, 0, 2} : new byte[] {5, 1, 0});
        var choice = readFully(remote, 2);
        if (choice[0] != 5 || (choice[1] & 0xff) == 0xff || (choice[1] == 2 && !withPassword)) {
            respond(client, 502, "Bad Gateway", "the SOCKS5 upstream proxy accepts none of our authentication methods");
            return false;
        }
        if (choice[1] == 2) {
            var parts = info.split(":", 2);
            var user = parts[0].getBytes(StandardCharsets.UTF_8);
            var pass = (parts.length > 1 ? parts[1] : "").getBytes(StandardCharsets.UTF_8);
            var auth = ByteBuffer.allocate(3 + user.length + pass.length);
            auth.put((byte) 1).put((byte) user.length).put(user).put((byte) pass.length).put(pass);
            write(remote, auth.array());
            var status = readFully(remote, 2);
            if (status[1] != 0) {
                respond(client, 502, "Bad Gateway", "the SOCKS5 upstream proxy refused our credentials");
                return false;
            }
        }
        var name = host.getBytes(StandardCharsets.US_ASCII);
        var request = ByteBuffer.allocate(7 + name.length);
        request.put((byte) 5).put((byte) 1).put((byte) 0).put((byte) 3).put((byte) name.length).put(name)
                .put((byte) (port >> 8)).put((byte) port);
        write(remote, request.array());
        var reply = readFully(remote, 4);
        if (reply[1] != 0) {
            respond(client, 502, "Bad Gateway", "the SOCKS5 upstream proxy could not connect to " + host + " (reply "
                    + reply[1] + ")");
            return false;
        }
        int addressLength = switch (reply[3]) {
            case 1 -> 4;
            case 4 -> 16;
            case 3 -> readFully(remote, 1)[0] & 0xff;
            default -> throw new IOException("bad SOCKS5 reply address type " + reply[3]);
        };
        readFully(remote, addressLength + 2);
        return true;
    }

    private static byte[] readFully(SocketChannel ch, int n) throws IOException {
        var buf = ByteBuffer.allocate(n);
        while (buf.hasRemaining()) {
            if (ch.read(buf) < 0) throw new IOException("the upstream proxy closed the connection");
        }
        return buf.array();
    }

    /** Asks the upstream proxy for a tunnel; on refusal tells the client why and returns false. */
    private boolean tunnelThrough(SocketChannel remote, URI proxy, String host, int port, SocketChannel client) throws IOException {
        var req = new StringBuilder("CONNECT ").append(host).append(':').append(port).append(" HTTP/1.1\r\nHost: ")
                .append(host).append(':').append(port).append("\r\n");
        authorization(proxy).ifPresent(a -> req.append("Proxy-Authorization: ").append(a).append("\r\n"));
        write(remote, req.append("\r\n").toString());
        var answer = readHead(remote);
        if (answer == null || !answer.target().equals("200")) {
            respond(client, 502, "Bad Gateway", "the upstream proxy refused the tunnel"
                    + (answer == null ? "" : " (" + answer.target() + ")"));
            return false;
        }
        if (answer.rest().length > 0) write(client, answer.rest());
        return true;
    }

    /** Sends the request on: origin-form straight to the site, absolute-form with credentials to a proxy. */
    private void forwardRequest(SocketChannel remote, Head head, String host, int port, Optional<URI> via) throws IOException {
        var uri = URI.create(head.target());
        var out = new StringBuilder(head.method()).append(' ');
        if (via.isPresent()) {
            out.append(head.target());
        } else {
            out.append(uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath());
            if (uri.getRawQuery() != null) out.append('?').append(uri.getRawQuery());
        }
        out.append(' ').append(head.version()).append("\r\n");
        boolean upgrade = false;
        for (var line : head.headers().split("\r\n")) {
            if (line.isEmpty()) continue;
            var lower = line.toLowerCase(Locale.ROOT);
            if (lower.startsWith("proxy-connection:") || lower.startsWith("proxy-authorization:")
                    || lower.startsWith("connection:") || lower.startsWith("keep-alive:")) {
                if (lower.startsWith("connection:") && lower.contains("upgrade")) upgrade = true;
                continue;
            }
            out.append(line).append("\r\n");
        }
        // one request per connection: the next may be for another site, which this connection does not reach
        out.append(upgrade ? "Connection: Upgrade\r\n" : "Connection: close\r\n");
        if (via.isPresent()) authorization(via.get()).ifPresent(a -> out.append("Proxy-Authorization: ").append(a).append("\r\n"));
        out.append("\r\n");
        var bytes = out.toString().getBytes(StandardCharsets.ISO_8859_1);
        write(remote, bytes);
        sent.addAndGet(bytes.length);
        policy.telemetry().egressBytes(true, bytes.length);
    }

    private static Optional<String> authorization(URI proxy) {
        var info = proxy.getUserInfo();
        if (info == null || info.isEmpty()) return Optional.empty();
        return Optional.of("Basic " + Base64.getEncoder().encodeToString(info.getBytes(StandardCharsets.UTF_8)));
    }

    /** Copies both ways until both are done, counting bytes. */
    private void relay(SocketChannel client, SocketChannel remote, HarLog.Entry entry, boolean http) throws IOException {
        var telemetry = policy.telemetry();
        var up = Threads.startVirtual("egress-up", () -> copy(client, remote, n -> {
            sent.addAndGet(n);
            telemetry.egressBytes(true, n);
        }, entry, true, false));
        copy(remote, client, n -> {
            received.addAndGet(n);
            telemetry.egressBytes(false, n);
        }, entry, false, http);
        try {
            up.join(java.time.Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Copies one direction until it ends, counting bytes; with a HAR entry, counts them for it too and (for a
     * plain-HTTP answer) reads the response head from the first bytes.
     */
    private static void copy(SocketChannel from, SocketChannel to, java.util.function.LongConsumer counter, HarLog.Entry entry,
                             boolean upstream, boolean responseHead) {
        // direct: the kernel copies straight from and to it, not through a temporary direct buffer per call
        var buf = ByteBuffer.allocateDirect(64 * 1024);
        boolean first = true;
        try {
            while (from.read(buf) >= 0) {
                buf.flip();
                counter.accept(buf.remaining());
                if (entry != null) {
                    if (upstream) entry.sent += buf.remaining();
                    else entry.received += buf.remaining();
                    if (first && responseHead) {
                        var head = new byte[Math.min(buf.remaining(), 16 * 1024)];
                        buf.duplicate().get(head);
                        entry.response(head, head.length);
                    }
                    first = false;
                }
                while (buf.hasRemaining()) to.write(buf);
                buf.clear();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            try {
                to.close();
                from.close();
            } catch (IOException ignored) {
                // both going away
            }
        }
    }

    /** Reads up to the end of a head; what came after it is kept. Null if the peer closed first. */
    private static Head readHead(SocketChannel ch) throws IOException {
        var buf = ByteBuffer.allocate(8192);
        var acc = new ByteArrayOutputStream();
        while (acc.size() < MAX_HEAD) {
            buf.clear();
            int n = ch.read(buf);
            if (n < 0) return null;
            acc.write(buf.array(), 0, n);
            var bytes = acc.toByteArray();
            int end = indexOf(bytes, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            if (end >= 0) {
                var text = new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
                var firstLineEnd = text.indexOf("\r\n");
                var first = firstLineEnd < 0 ? text : text.substring(0, firstLineEnd);
                var headers = firstLineEnd < 0 ? "" : text.substring(firstLineEnd + 2);
                var parts = first.split(" ", 3);
                if (parts.length < 3) return null;
                var rest = java.util.Arrays.copyOfRange(bytes, end + 4, bytes.length);
                // for a response, "target" is the status code
                return new Head(parts[0], parts[1], parts[2], headers, rest);
            }
        }
        return null;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }

    private static String[] splitHostPort(String authority, int defaultPort) {
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            var host = authority.substring(1, close);
            var port = authority.length() > close + 2 ? authority.substring(close + 2) : Integer.toString(defaultPort);
            return new String[] {host, port};
        }
        int colon = authority.lastIndexOf(':');
        if (colon < 0) return new String[] {authority, Integer.toString(defaultPort)};
        return new String[] {authority.substring(0, colon), authority.substring(colon + 1)};
    }

    private static void respond(SocketChannel client, int status, String reason, String message) throws IOException {
        var body = "<!doctype html><title>" + status + " " + reason + "</title><h1>" + status + " " + reason + "</h1><p>"
                + message.replace("&", "&amp;").replace("<", "&lt;") + "</p>\n";
        var bytes = body.getBytes(StandardCharsets.UTF_8);
        write(client, "HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: "
                + bytes.length + "\r\nConnection: close\r\nX-Porthole-Egress: " + (status == 403 ? "refused" : "error")
                + "\r\n\r\n");
        write(client, bytes);
    }

    private static void write(SocketChannel ch, String s) throws IOException {
        write(ch, s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static void write(SocketChannel ch, byte[] bytes) throws IOException {
        var buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) ch.write(buf);
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        if (socket == null) return;
        try {
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // removed with the computer's files
        }
    }
}
