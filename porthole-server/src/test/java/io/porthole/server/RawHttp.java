package io.porthole.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One TCP connection to a test server, for requests no HTTP client will send (smuggled bodies, broken framing,
 * HEAD): raw bytes out, answers parsed back one by one. Every read is bounded by {@link #TIMEOUT}.
 */
final class RawHttp implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private boolean eof;

    /** An answer: status, headers (names in lower case) and body. */
    record Answer(int status, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        JsonNode json() {
            try {
                return TestServer.JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + text(), e);
            }
        }
    }

    RawHttp(int port) {
        try {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            in = socket.getInputStream();
            out = socket.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    RawHttp send(String s) {
        return send(bytes(s));
    }

    RawHttp send(byte[] b) {
        try {
            out.write(b);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** The next answer; fails if none comes within the timeout or the connection ends first. */
    Answer read() {
        return read(false);
    }

    /** The next answer to a HEAD request: status line and headers, never a body. */
    Answer readHead() {
        return read(true);
    }

    private Answer read(boolean head) {
        var headEnd = indexOf(bytes("\r\n\r\n"));
        while (headEnd < 0) {
            fill("the status line and headers");
            headEnd = indexOf(bytes("\r\n\r\n"));
        }
        var head0 = new String(take(headEnd + 4), StandardCharsets.ISO_8859_1).split("\r\n");
        var status = Integer.parseInt(head0[0].split(" ")[1]);
        var headers = new LinkedHashMap<String, String>();
        for (int i = 1; i < head0.length; i++) {
            var colon = head0[i].indexOf(':');
            if (colon > 0) headers.put(head0[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), head0[i].substring(colon + 1).trim());
        }
        if (head || status == 204 || status == 304 || status / 100 == 1) return new Answer(status, headers, new byte[0]);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            var body = new ByteArrayOutputStream();
            while (true) {
                var line = new String(line(), StandardCharsets.ISO_8859_1);
                int size = Integer.parseInt(line.split(";")[0].trim(), 16);
                if (size == 0) {
                    line(); // the empty line after the last chunk (no trailers are asked for)
                    return new Answer(status, headers, body.toByteArray());
                }
                body.writeBytes(exactly(size));
                exactly(2);
            }
        }
        var length = headers.get("content-length");
        return new Answer(status, headers, length == null ? untilEnd() : exactly(Integer.parseInt(length)));
    }

    /**
     * Reads until the server ends the connection, and returns what it sent after the answers read so far (empty
     * if it sent nothing more); fails if the connection is still open after the timeout.
     */
    byte[] awaitClose() {
        return untilEnd();
    }

    private byte[] untilEnd() {
        while (!eof) fill("the end of the connection");
        return take(pending.size());
    }

    private byte[] line() {
        var end = indexOf(bytes("\r\n"));
        while (end < 0) {
            fill("a chunk line");
            end = indexOf(bytes("\r\n"));
        }
        var line = take(end + 2);
        return Arrays.copyOf(line, end);
    }

    private byte[] exactly(int n) {
        while (pending.size() < n) fill(n + " body bytes");
        return take(n);
    }

    private void fill(String what) {
        if (eof) throw new AssertionError("the server closed the connection before " + what + "; it had sent: " + pending);
        var buf = new byte[8192];
        try {
            int n = in.read(buf);
            if (n < 0) eof = true;
            else pending.write(buf, 0, n);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("nothing came within " + TIMEOUT.toSeconds() + " s while waiting for " + what
                    + "; pending: " + pending);
        } catch (SocketException e) {
            eof = true; // reset by the server: as ended as a close
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private int indexOf(byte[] needle) {
        var hay = pending.toByteArray();
        outer:
        for (int i = 0; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }

    private byte[] take(int n) {
        var all = pending.toByteArray();
        pending.reset();
        pending.write(all, n, all.length - n);
        return Arrays.copyOf(all, n);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a test connection
        }
    }
}
