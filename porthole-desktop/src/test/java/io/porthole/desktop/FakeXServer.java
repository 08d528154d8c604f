package io.porthole.desktop;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * An X server of the test's own making on a unix socket, for one connection, that answers the set-up and the few
 * requests {@link X11Connection#open} sends like a real one, then does whatever the test says: the hostile server
 * a computer could run.
 */
final class FakeXServer implements AutoCloseable {
    /** What the server does with the connection, given its end. */
    @FunctionalInterface
    interface Script {
        void run(FakeXServer server) throws Exception;
    }

    private final Path dir;
    private final ServerSocketChannel listener;
    private final Thread thread;
    SocketChannel client;
    int sequence;

    private FakeXServer(Script script) throws IOException {
        dir = Files.createTempDirectory("fake-x");
        listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        listener.bind(UnixDomainSocketAddress.of(dir.resolve("X0")));
        thread = Thread.ofPlatform().daemon(true).start(() -> {
            try (var c = listener.accept()) {
                client = c;
                script.run(this);
            } catch (Exception ignored) {
                // the client went away
            }
        });
    }

    static FakeXServer start(Script script) throws IOException {
        return new FakeXServer(script);
    }

    X11Connection connect(Duration timeout) throws IOException {
        return X11Connection.open(SocketChannel.open(UnixDomainSocketAddress.of(dir.resolve("X0"))), timeout);
    }

    /** Reads the client's 12-byte hello. */
    void readHello() throws IOException {
        read(12);
    }

    /** Answers the hello with a valid set-up: one 64x48 TrueColor screen of depth 24, keycodes 8-255. */
    void writeSetup() throws IOException {
        var b = le(8 + 116);
        b.put((byte) 1).put((byte) 0).putShort((short) 11).putShort((short) 0).putShort((short) 29);
        b.putInt(1).putInt(0x200000).putInt(0x1fffff).putInt(0).putShort((short) 4).putShort((short) 65535)
                .put((byte) 1).put((byte) 1).put((byte) 0).put((byte) 0).put((byte) 32).put((byte) 32)
                .put((byte) 8).put((byte) 255).putInt(0);
        b.put("fake".getBytes());
        b.put((byte) 24).put((byte) 32).put((byte) 32).put(new byte[5]);
        b.putInt(0x100).putInt(0x20).putInt(0xffffff).putInt(0).putInt(0).putShort((short) 64).putShort((short) 48)
                .putShort((short) 17).putShort((short) 13).putShort((short) 1).putShort((short) 1).putInt(0x21)
                .put((byte) 0).put((byte) 0).put((byte) 24).put((byte) 1);
        b.put((byte) 24).put((byte) 0).putShort((short) 1).putInt(0);
        b.putInt(0x21).put((byte) 4).put((byte) 8).putShort((short) 256).putInt(0xff0000).putInt(0xff00).putInt(0xff)
                .putInt(0);
        write(b);
    }

    /** A request as read: its opcode, its data byte and its whole bytes. */
    record Request(int opcode, int data, ByteBuffer bytes) {
        int minor() {
            return data;
        }
    }

    Request readRequest() throws IOException {
        var header = read(4);
        int length = header.getShort(2) & 0xffff;
        var rest = read(length * 4 - 4);
        var whole = le(length * 4).put(header.rewind()).put(rest.rewind()).rewind();
        sequence++;
        return new Request(header.get(0) & 0xff, header.get(1) & 0xff, whole);
    }

    /** A reply of 32 bytes to the last request read, with {@code fill} putting bytes 8-31. */
    void reply(int byte1, long extraUnits, java.util.function.Consumer<ByteBuffer> fill) throws IOException {
        var b = le(32);
        b.put((byte) 1).put((byte) byte1).putShort((short) sequence).putInt((int) extraUnits);
        fill.accept(b);
        b.position(32);
        write(b);
    }

    /** Set-up, then what {@link X11Connection#open} asks (XTEST, its version, its grab control, a round trip). */
    void serveOpen() throws IOException {
        readHello();
        writeSetup();
        while (true) {
            var r = readRequest();
            switch (r.opcode()) {
                case 98 -> reply(0, 0, b -> b.put((byte) 1).put((byte) 130).put((byte) 90).put((byte) 150));
                case 130 -> {
                    if (r.minor() == 0) reply(2, 0, b -> b.putShort((short) 2));
                }
                case 43 -> {
                    reply(1, 0, b -> b.putInt(0x100));
                    return;
                }
                default -> throw new IOException("unexpected request " + r.opcode());
            }
        }
    }

    ByteBuffer read(int n) throws IOException {
        var b = le(n);
        while (b.hasRemaining()) {
            if (client.read(b) < 0) throw new IOException("the client closed");
        }
        return b.flip();
    }

    void write(ByteBuffer b) throws IOException {
        b.flip();
        while (b.hasRemaining()) client.write(b);
    }

    static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void close() throws Exception {
        thread.interrupt();
        listener.close();
        if (client != null) client.close();
        thread.join(5000);
        Files.deleteIfExists(dir.resolve("X0"));
        Files.deleteIfExists(dir);
    }
}
