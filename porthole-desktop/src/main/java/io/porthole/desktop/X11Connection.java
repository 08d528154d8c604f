package io.porthole.desktop;

import io.porthole.core.internal.Threads;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * A client of the X Window System protocol (version 11) over one connection to one X server, with the requests a
 * desktop needs: the core ones for the keyboard map, the pointer, properties, atoms and screen images, XTEST's
 * {@code FakeInput} for the mouse and keyboard, and XFIXES for the cursor. Little-endian on the wire.
 *
 * <p>The server may be hostile (it runs inside a computer): every length it sends is checked against what the
 * request can answer before anything is allocated, every reply is awaited within the connection's bound, and a
 * server that breaks the protocol, stops answering or stops reading ends the connection. Every failure is an
 * {@link IOException} whose message says what happened; an X error answering a request is an {@link XError},
 * after which the connection stays usable.
 *
 * <p>Requests are queued in order and written on {@link #flush}, or when a reply is awaited. A request without a
 * reply that the server refuses reports its error at the next round trip ({@link #sync}). Thread-safe; listeners run
 * on the connection's reader thread and must not block. Public for the benchmark, which sends the same requests.
 */
public final class X11Connection implements AutoCloseable {
    /** Bytes of any reply that has a fixed size (32, plus slack for a newer server's additions). */
    private static final int FIXED_REPLY_EXTRA = 1024;
    /** The largest cursor image accepted (a cursor is at most 64x64 pixels on common servers). */
    private static final int MAX_CURSOR_PIXELS = 512 * 512;
    /** The largest generic event skipped (none is selected; a server could still send one). */
    private static final int MAX_GENERIC_EVENT_EXTRA = 1 << 20;
    private static final int OUT_BUFFER = 1 << 16;

    static final int MAPPING_NOTIFY = 34;
    private static final int GENERIC_EVENT = 35;

    private final SocketChannel channel;
    private final long timeoutNanos;
    private final String timeoutText;
    private final Setup setup;
    private final ReentrantLock writeLock = new ReentrantLock();
    /** Queued requests; guarded by writeLock. */
    private final ByteBuffer out = ByteBuffer.allocate(OUT_BUFFER).order(ByteOrder.LITTLE_ENDIAN);
    /** The sequence number of the last request queued; guarded by writeLock. */
    private long sequence;
    /** Requests that await a reply, in the order sent (which is the order the server answers in). */
    private final ConcurrentLinkedDeque<Pending> pending = new ConcurrentLinkedDeque<>();
    /** The first error of a request without a reply, not yet reported by a round trip. */
    private final AtomicReference<XError> voidError = new AtomicReference<>();
    private final Map<String, Optional<Extension>> extensions = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private volatile String brokenBecause;
    /** When the write under way began (System.nanoTime), or 0. */
    private volatile long writingSince;
    private volatile Consumer<ByteBuffer> mappingListener = e -> { };
    private volatile Consumer<CursorNotify> cursorListener = e -> { };
    private volatile int xfixesFirstEvent = -1;
    private final Extension xtest;

    /** An extension's opcode, first event and first error codes. */
    public record Extension(String name, int majorOpcode, int firstEvent, int firstError) {}

    /** The screen (the first one; Xvfb desktops have one) and how its pixels are laid out in an image. */
    public record Screen(int root, int width, int height, int depth, int visual, int redMask, int greenMask,
                         int blueMask, int bitsPerPixel, int scanlinePad, boolean imageLittleEndian) {}

    private record Setup(int minKeycode, int maxKeycode, int maxRequestBytes, Screen screen) {}

    /** The core keyboard map from {@code firstKeycode}: {@code perKeycode} keysyms for each keycode. */
    public record KeyboardMapping(int firstKeycode, int perKeycode, int[] keysyms) {
        public int keysym(int keycode, int column) {
            int i = (keycode - firstKeycode) * perKeycode + column;
            return column < perKeycode && i >= 0 && i < keysyms.length ? keysyms[i] : 0;
        }

        public int count() {
            return perKeycode == 0 ? 0 : keysyms.length / perKeycode;
        }
    }

    /** Where the pointer is on the root window, and the modifier and button state (the core mask). */
    public record Pointer(int x, int y, int mask) {}

    /** The cursor as XFIXES shows it: where it is, its hot spot, and its pixels as premultiplied ARGB, row by row. */
    public record CursorImage(int x, int y, int width, int height, int xhot, int yhot, long serial, int[] argb) {}

    /** XFIXES's announcement that the displayed cursor changed (to the cursor of that serial). */
    public record CursorNotify(int window, long serial, long timestamp) {}

    /** A window property: its type, format (8, 16 or 32) and value. */
    public record Property(int type, int format, byte[] value) {
        public int[] ints() {
            var b = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
            var ints = new int[format == 32 ? value.length / 4 : 0];
            for (int i = 0; i < ints.length; i++) ints[i] = b.getInt();
            return ints;
        }
    }

    /** An X error answering one of this connection's requests. */
    public static final class XError extends IOException {
        private final int code;

        XError(String request, int code, long badValue, int major, int minor) {
            super("the X server refused " + request + ": " + errorName(code) + " (error " + code + ", value " + badValue
                    + ", request " + major + "." + minor + ")");
            this.code = code;
        }

        public int code() {
            return code;
        }
    }

    private static String errorName(int code) {
        return switch (code) {
            case 1 -> "BadRequest";
            case 2 -> "BadValue";
            case 3 -> "BadWindow";
            case 5 -> "BadAtom";
            case 8 -> "BadMatch";
            case 9 -> "BadDrawable";
            case 10 -> "BadAccess";
            case 11 -> "BadAlloc";
            case 16 -> "BadLength";
            case 17 -> "BadImplementation";
            default -> "error";
        };
    }

    /** A request that awaits a reply: its full sequence number and the most reply bytes past the first 32. */
    private record Pending(long sequence, String name, long maxExtra, CompletableFuture<ByteBuffer> reply) {}

    private X11Connection(SocketChannel channel, Duration timeout, Setup setup) throws IOException {
        this.channel = channel;
        this.timeoutNanos = timeout.toNanos();
        this.timeoutText = timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms";
        this.setup = setup;
        // a platform thread, woken by the kernel when a reply comes: a virtual one is woken through the poller and
        // a carrier, which made each round trip about twice as long
        Threads.onPipeThread(this::readLoop);
        Threads.startVirtual("porthole-x11-watchdog", this::watchWrites);
        try {
            xtest = extension("XTEST").orElseThrow(() -> new IOException("the X server has no XTEST extension"));
            var version = call("XTestGetVersion", FIXED_REPLY_EXTRA,
                    request(xtest.majorOpcode(), 0, 2).put((byte) 2).put((byte) 0).putShort((short) 2));
            if ((version.get(1) & 0xff) != 2) throw new IOException("the X server's XTEST is version " + (version.get(1) & 0xff));
            // impervious to a grab of the server by another client: a program inside that grabs the server would
            // otherwise hold back our input until the bound, and every action would fail
            send(request(xtest.majorOpcode(), 3, 2).put((byte) 1).put((byte) 0).putShort((short) 0));
            sync();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Sets up the X11 connection on {@code channel} (a stream to the server, blocking) without authorization, and
     * its XTEST extension, within {@code timeout}, which also bounds every reply after.
     *
     * @throws IOException if the server refuses, does not answer in time, breaks the protocol or has no XTEST
     */
    public static X11Connection open(SocketChannel channel, Duration timeout) throws IOException {
        channel.configureBlocking(true);
        var setup = new CompletableFuture<Setup>();
        // read on a thread of its own, so that a server that never answers costs the bound and no more
        Threads.startVirtual("porthole-x11-setup", () -> {
            try {
                setup.complete(handshake(channel));
            } catch (IOException | RuntimeException e) {
                setup.completeExceptionally(e);
            }
        });
        try {
            return new X11Connection(channel, timeout, setup.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            closeQuietly(channel);
            throw new IOException("the X server did not complete the connection set-up within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            closeQuietly(channel);
            if (e.getCause() instanceof IOException io) throw io;
            throw new IOException("the X server's connection set-up is malformed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(channel);
            throw new InterruptedIOException("interrupted while connecting to the X server");
        }
    }

    private static Setup handshake(SocketChannel channel) throws IOException {
        var hello = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        hello.put((byte) 'l').put((byte) 0).putShort((short) 11).putShort((short) 0).putShort((short) 0)
                .putShort((short) 0).putShort((short) 0).flip();
        while (hello.hasRemaining()) channel.write(hello);
        var prefix = readFully(channel, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN));
        int status = prefix.get(0) & 0xff;
        // at most 65535 * 4 bytes: the length is 16 bits
        var rest = readFully(channel, ByteBuffer.allocate((prefix.getShort(6) & 0xffff) * 4).order(ByteOrder.LITTLE_ENDIAN));
        if (status == 0) {
            int n = Math.min(prefix.get(1) & 0xff, rest.capacity());
            throw new IOException("the X server refused the connection: " + ascii(rest.array(), 0, n));
        }
        if (status == 2) throw new IOException("the X server asks for authentication: " + ascii(rest.array(), 0, rest.capacity()));
        if (status != 1) throw new IOException("the X server answered the connection set-up with status " + status);
        try {
            return parseSetup(rest);
        } catch (BufferUnderflowException | IndexOutOfBoundsException | IllegalArgumentException e) {
            throw new IOException("the X server's connection set-up is malformed");
        }
    }

    private static Setup parseSetup(ByteBuffer b) throws IOException {
        int vendorLength = b.getShort(16) & 0xffff;
        int maxRequestUnits = b.getShort(18) & 0xffff;
        int screens = b.get(20) & 0xff;
        int formats = b.get(21) & 0xff;
        boolean imageLittleEndian = b.get(22) == 0;
        int minKeycode = b.get(26) & 0xff;
        int maxKeycode = b.get(27) & 0xff;
        if (screens == 0) throw new IOException("the X server has no screen");
        if (minKeycode < 8 || maxKeycode < minKeycode) {
            throw new IOException("the X server's keycodes are out of range (" + minKeycode + "-" + maxKeycode + ")");
        }
        int at = 32 + pad4(vendorLength);
        int[][] pixmapFormats = new int[formats][];
        for (int i = 0; i < formats; i++, at += 8) {
            pixmapFormats[i] = new int[] {b.get(at) & 0xff, b.get(at + 1) & 0xff, b.get(at + 2) & 0xff};
        }
        int root = b.getInt(at);
        int width = b.getShort(at + 20) & 0xffff;
        int height = b.getShort(at + 22) & 0xffff;
        int rootVisual = b.getInt(at + 32);
        int rootDepth = b.get(at + 38) & 0xff;
        int depths = b.get(at + 39) & 0xff;
        at += 40;
        int[] masks = null;
        for (int d = 0; d < depths; d++) {
            int visuals = b.getShort(at + 2) & 0xffff;
            at += 8;
            for (int v = 0; v < visuals; v++, at += 24) {
                if (b.getInt(at) == rootVisual) masks = new int[] {b.getInt(at + 8), b.getInt(at + 12), b.getInt(at + 16)};
            }
        }
        if (masks == null) throw new IOException("the X server's root visual is not among its visuals");
        int bitsPerPixel = 0;
        int scanlinePad = 0;
        for (var f : pixmapFormats) {
            if (f[0] == rootDepth) {
                bitsPerPixel = f[1];
                scanlinePad = f[2];
            }
        }
        var screen = new Screen(root, width, height, rootDepth, rootVisual, masks[0], masks[1], masks[2], bitsPerPixel,
                scanlinePad, imageLittleEndian);
        return new Setup(minKeycode, maxKeycode, maxRequestUnits * 4, screen);
    }

    public Screen screen() {
        return setup.screen();
    }

    public int minKeycode() {
        return setup.minKeycode();
    }

    public int maxKeycode() {
        return setup.maxKeycode();
    }

    /** Whether the connection still works (it ends on any failure of the server's). */
    public boolean isOpen() {
        return brokenBecause == null;
    }

    /** Completes when the connection has ended, for whatever reason. */
    public CompletableFuture<Void> onClose() {
        return closed;
    }

    /** Called with each MappingNotify event (32 bytes; byte 4 is the request, 5 the first keycode, 6 the count). */
    public void onMappingNotify(Consumer<ByteBuffer> listener) {
        mappingListener = listener;
    }

    /** Called with each cursor change once {@link #selectCursorInput} has asked for them. */
    public void onCursorChange(Consumer<CursorNotify> listener) {
        cursorListener = listener;
    }

    // ---- requests ----

    /** A round trip (GetInputFocus): returns once the server has processed every request before it. */
    public void sync() throws IOException {
        call("GetInputFocus", FIXED_REPLY_EXTRA, request(43, 0, 1));
        var error = voidError.getAndSet(null);
        if (error != null) throw error;
    }

    /** Writes the queued requests. */
    public void flush() throws IOException {
        writeLock.lock();
        try {
            flushLocked();
        } finally {
            writeLock.unlock();
        }
    }

    /** The extension of that name, if the server has it (asked once, then remembered). */
    public Optional<Extension> extension(String name) throws IOException {
        var known = extensions.get(name);
        if (known != null) return known;
        var bytes = name.getBytes(StandardCharsets.US_ASCII);
        var b = request(98, 0, 2 + pad4(bytes.length) / 4);
        b.putShort((short) bytes.length).putShort((short) 0).put(bytes).put(new byte[pad4(bytes.length) - bytes.length]);
        var reply = call("QueryExtension", FIXED_REPLY_EXTRA, b);
        var found = reply.get(8) == 0 ? Optional.<Extension>empty()
                : Optional.of(new Extension(name, reply.get(9) & 0xff, reply.get(10) & 0xff, reply.get(11) & 0xff));
        extensions.put(name, found);
        return found;
    }

    /** The core keyboard map of every keycode. */
    public KeyboardMapping keyboardMapping() throws IOException {
        int count = setup.maxKeycode() - setup.minKeycode() + 1;
        var b = request(101, 0, 2).put((byte) setup.minKeycode()).put((byte) count).putShort((short) 0);
        var reply = call("GetKeyboardMapping", (long) count * 255 * 4, b);
        int per = reply.get(1) & 0xff;
        long n = reply.getInt(4) & 0xffffffffL;
        if (n != (long) count * per) {
            throw fail("the X server sent a keyboard map of " + n + " keysyms for " + count + " keycodes of " + per);
        }
        var syms = new int[(int) n];
        reply.position(32);
        reply.asIntBuffer().get(syms);
        return new KeyboardMapping(setup.minKeycode(), per, syms);
    }

    /** Gives {@code keycode} these keysyms (its columns; {@code 0} is NoSymbol). No reply. */
    public void changeKeyboardMapping(int keycode, int[] keysyms) throws IOException {
        checkKeycode(keycode);
        if (keysyms.length == 0 || keysyms.length > 255) throw new IllegalArgumentException("1-255 keysyms, not " + keysyms.length);
        var b = request(100, 1, 2 + keysyms.length).put((byte) keycode).put((byte) keysyms.length).putShort((short) 0);
        for (int k : keysyms) b.putInt(k);
        send(b);
    }

    /** The keycodes of each of the 8 modifiers (Shift, Lock, Control, Mod1-Mod5), without the zeros. */
    public int[][] modifierMapping() throws IOException {
        var reply = call("GetModifierMapping", 8 * 255, request(119, 0, 1));
        int per = reply.get(1) & 0xff;
        if (reply.capacity() < 32 + 8 * per) throw fail("the X server sent a short modifier map");
        var mods = new int[8][];
        for (int m = 0; m < 8; m++) {
            int base = 32 + m * per;
            mods[m] = IntStream.range(0, per).map(i -> reply.get(base + i) & 0xff).filter(k -> k != 0).toArray();
        }
        return mods;
    }

    /** Moves the pointer to {@code (x, y)} of the screen (XTEST FakeInput MotionNotify). No reply. */
    public void fakeMotion(int x, int y) throws IOException {
        fakeInput(6, 0, setup.screen().root(), x, y);
    }

    /** Presses or releases pointer button {@code button} (1-255). No reply. */
    public void fakeButton(int button, boolean press) throws IOException {
        if (button < 1 || button > 255) throw new IllegalArgumentException("no button " + button);
        fakeInput(press ? 4 : 5, button, 0, 0, 0);
    }

    /** Presses or releases {@code keycode}. No reply. */
    public void fakeKey(int keycode, boolean press) throws IOException {
        checkKeycode(keycode);
        fakeInput(press ? 2 : 3, keycode, 0, 0, 0);
    }

    private void fakeInput(int type, int detail, int root, int x, int y) throws IOException {
        // type, detail, 2 unused, time (0: now), root, 8 unused, root x, root y, 7 unused, device (0: the core one)
        send(request(xtest.majorOpcode(), 2, 9).put((byte) type).put((byte) detail).putShort((short) 0).putInt(0)
                .putInt(root).putLong(0).putShort((short) x).putShort((short) y).put(new byte[8]));
    }

    /** The root window's area as a ZPixmap in the screen's layout (checked to be one {@link ZPixmap} reads). */
    public ZPixmap getImage(int x, int y, int width, int height) throws IOException {
        var s = setup.screen();
        if (s.bitsPerPixel() != 24 && s.bitsPerPixel() != 32 || s.scanlinePad() % 8 != 0 || s.scanlinePad() == 0) {
            throw new IOException("the X server's screen has " + s.bitsPerPixel() + " bits per pixel, padded to "
                    + s.scanlinePad() + "; this reads 24 or 32");
        }
        if (width < 1 || height < 1 || width > 0x7fff || height > 0x7fff) {
            throw new IllegalArgumentException("no image of " + width + "x" + height);
        }
        int padBits = s.scanlinePad();
        long bytesPerLine = ((long) width * s.bitsPerPixel() + padBits - 1) / padBits * padBits / 8;
        long expected = bytesPerLine * height;
        if (expected > Integer.MAX_VALUE - 64) throw new IllegalArgumentException("an image of " + width + "x" + height + " is too large");
        var b = request(73, 2, 5).putInt(s.root()).putShort((short) x).putShort((short) y).putShort((short) width)
                .putShort((short) height).putInt(-1);
        var reply = call("GetImage", expected + 3, b);
        if (reply.capacity() - 32 < expected) {
            throw fail("the X server sent an image of " + (reply.capacity() - 32) + " bytes, not " + expected);
        }
        try {
            return new ZPixmap(reply.array(), 32, width, height, (int) bytesPerLine, s.bitsPerPixel(), s.imageLittleEndian(),
                    s.redMask(), s.greenMask(), s.blueMask());
        } catch (IllegalArgumentException e) {
            throw new IOException("the X server's image cannot be read: " + e.getMessage());
        }
    }

    /** Where the pointer is (QueryPointer on the root window). */
    public Pointer queryPointer() throws IOException {
        var r = call("QueryPointer", FIXED_REPLY_EXTRA, request(38, 0, 2).putInt(setup.screen().root()));
        return new Pointer(r.getShort(16), r.getShort(18), r.getShort(24) & 0xffff);
    }

    /** The atom of {@code name}, made if it does not exist. */
    public int internAtom(String name) throws IOException {
        var bytes = name.getBytes(StandardCharsets.US_ASCII);
        var b = request(16, 0, 2 + pad4(bytes.length) / 4);
        b.putShort((short) bytes.length).putShort((short) 0).put(bytes).put(new byte[pad4(bytes.length) - bytes.length]);
        return call("InternAtom", FIXED_REPLY_EXTRA, b).getInt(8);
    }

    /** Up to {@code maxLongs} 4-byte units of a window's property, of any type; empty if the window has none. */
    public Optional<Property> getProperty(int window, int property, int maxLongs) throws IOException {
        if (maxLongs < 0 || maxLongs > 1 << 20) throw new IllegalArgumentException("0-2^20 units, not " + maxLongs);
        var b = request(20, 0, 6).putInt(window).putInt(property).putInt(0).putInt(0).putInt(maxLongs);
        var r = call("GetProperty", (long) maxLongs * 4, b);
        int type = r.getInt(8);
        int format = r.get(1) & 0xff;
        long items = r.getInt(16) & 0xffffffffL;
        if (type == 0) return Optional.empty();
        if (format != 8 && format != 16 && format != 32) throw fail("the X server sent a property of format " + format);
        long length = items * (format / 8);
        if (length > r.capacity() - 32) throw fail("the X server sent a property shorter than it says");
        var value = new byte[(int) length];
        r.get(32, value);
        return Optional.of(new Property(type, format, value));
    }

    /** Replaces a window's property with {@code value}, of format 8 (bytes). No reply. */
    public void changeProperty(int window, int property, int type, byte[] value) throws IOException {
        if (value.length > 4096) throw new IllegalArgumentException("a property of at most 4096 bytes");
        var b = request(18, 0, 6 + pad4(value.length) / 4).putInt(window).putInt(property).putInt(type)
                .put((byte) 8).put(new byte[3]).putInt(value.length).put(value).put(new byte[pad4(value.length) - value.length]);
        send(b);
    }

    /**
     * Sends a ClientMessage of format 32 about {@code window} to the root window, for the window manager
     * (SubstructureRedirect and SubstructureNotify, as EWMH asks). No reply.
     */
    public void clientMessageToRoot(int window, int type, int... data) throws IOException {
        if (data.length > 5) throw new IllegalArgumentException("at most 5 data words");
        var b = request(25, 0, 11).putInt(setup.screen().root()).putInt((1 << 19) | (1 << 20));
        b.put((byte) 33).put((byte) 32).putShort((short) 0).putInt(window).putInt(type);
        for (int i = 0; i < 5; i++) b.putInt(i < data.length ? data[i] : 0);
        send(b);
    }

    /** Asks for (or stops) {@link #onCursorChange} events about the displayed cursor. */
    public void selectCursorInput(boolean on) throws IOException {
        var fixes = xfixes();
        send(request(fixes.majorOpcode(), 3, 3).putInt(setup.screen().root()).putInt(on ? 1 : 0));
        sync();
    }

    /** The cursor's image and position (XFIXES GetCursorImage). */
    public CursorImage cursorImage() throws IOException {
        var fixes = xfixes();
        var r = call("XFixesGetCursorImage", (long) MAX_CURSOR_PIXELS * 4, request(fixes.majorOpcode(), 4, 1));
        int width = r.getShort(12) & 0xffff;
        int height = r.getShort(14) & 0xffff;
        long pixels = (long) width * height;
        if (pixels > MAX_CURSOR_PIXELS || pixels * 4 > r.capacity() - 32) {
            throw fail("the X server sent a cursor of " + width + "x" + height + " in " + (r.capacity() - 32) + " bytes");
        }
        var argb = new int[(int) pixels];
        r.position(32);
        r.asIntBuffer().get(argb);
        return new CursorImage(r.getShort(8), r.getShort(10), width, height, r.getShort(16) & 0xffff,
                r.getShort(18) & 0xffff, r.getInt(20) & 0xffffffffL, argb);
    }

    private Extension xfixes() throws IOException {
        var fixes = extension("XFIXES").orElseThrow(() -> new IOException("the X server has no XFIXES extension"));
        if (xfixesFirstEvent < 0) {
            // XFIXES answers nothing before its version is agreed
            var r = call("XFixesQueryVersion", FIXED_REPLY_EXTRA, request(fixes.majorOpcode(), 0, 3).putInt(5).putInt(0));
            if (r.getInt(8) < 2) throw new IOException("the X server's XFIXES is version " + r.getInt(8));
            xfixesFirstEvent = fixes.firstEvent();
        }
        return fixes;
    }

    private void checkKeycode(int keycode) {
        if (keycode < setup.minKeycode() || keycode > setup.maxKeycode()) {
            throw new IllegalArgumentException("keycode " + keycode + " is outside " + setup.minKeycode() + "-" + setup.maxKeycode());
        }
    }

    // ---- framing ----

    /** A request of {@code lengthUnits} 4-byte units with its header written, for the caller to fill. */
    private static ByteBuffer request(int major, int data, int lengthUnits) {
        var b = ByteBuffer.allocate(lengthUnits * 4).order(ByteOrder.LITTLE_ENDIAN);
        return b.put((byte) major).put((byte) data).putShort((short) lengthUnits);
    }

    /** Queues a filled request that has no reply. */
    private void send(ByteBuffer request) throws IOException {
        enqueue(request, null, 0, null);
    }

    /** Queues a filled request and waits for its reply, which may have at most {@code maxExtra} bytes past 32. */
    private ByteBuffer call(String name, long maxExtra, ByteBuffer request) throws IOException {
        var reply = new CompletableFuture<ByteBuffer>();
        enqueue(request, name, maxExtra, reply);
        flush();
        try {
            return reply.get(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw fail("the X server did not answer " + name + " within " + timeoutText);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof XError x) throw x;
            // a fresh exception, so that the stack shows where it was awaited
            if (e.getCause() instanceof IOException io) throw new IOException(io.getMessage(), io);
            throw new IOException(name + " failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for " + name);
        }
    }

    private void enqueue(ByteBuffer request, String name, long maxExtra, CompletableFuture<ByteBuffer> reply)
            throws IOException {
        if (request.hasRemaining()) throw new IllegalStateException("a request was not filled: " + request);
        int bytes = request.capacity();
        if (bytes > setup.maxRequestBytes() || bytes > OUT_BUFFER) {
            throw new IllegalArgumentException("a request of " + bytes + " bytes is longer than the server takes");
        }
        Pending added = null;
        writeLock.lock();
        try {
            checkOpen();
            if (out.remaining() < bytes) flushLocked();
            long seq = ++sequence;
            if (reply != null) {
                added = new Pending(seq, name, maxExtra, reply);
                pending.addLast(added);
            }
            out.put(request.flip());
        } finally {
            writeLock.unlock();
        }
        // the connection may have ended while this was added, after the waiting requests were answered
        var why = brokenBecause;
        if (why != null && added != null && pending.remove(added)) {
            reply.completeExceptionally(new IOException("the connection to the X server has ended: " + why));
        }
    }

    private void flushLocked() throws IOException {
        checkOpen();
        if (out.position() == 0) return;
        out.flip();
        writingSince = System.nanoTime();
        try {
            while (out.hasRemaining()) channel.write(out);
        } catch (IOException e) {
            // a write can notice the server's close before the reader does; say the same thing either way
            throw fail(peerClosed(e) ? "the X server closed the connection" : "writing to the X server failed: " + e.getMessage());
        } finally {
            writingSince = 0;
            out.clear();
        }
    }

    private static boolean peerClosed(IOException e) {
        var m = String.valueOf(e.getMessage());
        return m.contains("Broken pipe") || m.contains("Connection reset");
    }

    private void checkOpen() throws IOException {
        var why = brokenBecause;
        if (why != null) throw new IOException("the connection to the X server has ended: " + why);
    }

    /** Ends the connection for {@code why} (the first reason sticks) and answers every waiting request with it. */
    private IOException fail(String why) {
        synchronized (this) {
            if (brokenBecause == null) brokenBecause = why;
        }
        closeQuietly(channel);
        var error = new IOException(brokenBecause);
        Pending p;
        while ((p = pending.pollFirst()) != null) p.reply().completeExceptionally(error);
        closed.complete(null);
        return error;
    }

    private void readLoop() {
        var header = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        try {
            while (true) {
                header.clear();
                readFully(channel, header);
                int type = header.get(0) & 0x7f;
                int seq16 = header.getShort(2) & 0xffff;
                if (type == 0) {
                    error(header, seq16);
                } else if (type == 1) {
                    reply(header, seq16);
                } else if (type == GENERIC_EVENT) {
                    long extra = (header.getInt(4) & 0xffffffffL) * 4;
                    if (extra > MAX_GENERIC_EVENT_EXTRA) throw new ProtocolViolation("an event of " + extra + " bytes");
                    readFully(channel, ByteBuffer.allocate((int) extra));
                } else {
                    event(type, header);
                }
            }
        } catch (ProtocolViolation e) {
            fail("the X server broke the protocol: " + e.getMessage());
        } catch (EOFException e) {
            fail("the X server closed the connection");
        } catch (IOException | RuntimeException e) {
            fail(brokenBecause != null ? brokenBecause : "reading from the X server failed: " + e.getMessage());
        }
    }

    private static final class ProtocolViolation extends IOException {
        ProtocolViolation(String message) {
            super(message);
        }
    }

    private void reply(ByteBuffer header, int seq16) throws IOException {
        var p = pending.peekFirst();
        if (p == null || (p.sequence() & 0xffff) != seq16) {
            throw new ProtocolViolation("a reply to request " + seq16 + ", which awaits none");
        }
        long extra = (header.getInt(4) & 0xffffffffL) * 4;
        if (extra > p.maxExtra()) {
            throw new ProtocolViolation("a reply of " + extra + " bytes to " + p.name() + " (at most " + p.maxExtra() + ")");
        }
        var reply = ByteBuffer.allocate(32 + (int) extra).order(ByteOrder.LITTLE_ENDIAN);
        reply.put(header.rewind());
        readFully(channel, reply);
        pending.pollFirst();
        p.reply().complete(reply.clear());
    }

    private void error(ByteBuffer h, int seq16) {
        var p = pending.peekFirst();
        int code = h.get(1) & 0xff;
        long bad = h.getInt(4) & 0xffffffffL;
        int minor = h.getShort(8) & 0xffff;
        int major = h.get(10) & 0xff;
        if (p != null && (p.sequence() & 0xffff) == seq16) {
            pending.pollFirst();
            p.reply().completeExceptionally(new XError(p.name(), code, bad, major, minor));
        } else {
            // a request without a reply: reported by the next round trip
            voidError.compareAndSet(null, new XError("request " + major + "." + minor, code, bad, major, minor));
        }
    }

    private void event(int type, ByteBuffer h) {
        try {
            if (type == MAPPING_NOTIFY) {
                mappingListener.accept(h.duplicate().order(ByteOrder.LITTLE_ENDIAN).rewind().asReadOnlyBuffer());
            } else if (xfixesFirstEvent >= 0 && type == xfixesFirstEvent + 1) {
                cursorListener.accept(new CursorNotify(h.getInt(4), h.getInt(8) & 0xffffffffL, h.getInt(12) & 0xffffffffL));
            }
        } catch (RuntimeException e) {
            System.getLogger(X11Connection.class.getName()).log(System.Logger.Level.WARNING, "an X event listener failed", e);
        }
    }

    /** Ends the connection when a write has not gone through within the bound (a server that stopped reading). */
    private void watchWrites() {
        long tick = Math.max(TimeUnit.MILLISECONDS.toNanos(50), timeoutNanos / 4);
        while (brokenBecause == null) {
            try {
                closed.get(tick, TimeUnit.NANOSECONDS);
                return;
            } catch (TimeoutException e) {
                long since = writingSince;
                if (since != 0 && System.nanoTime() - since > timeoutNanos) {
                    fail("the X server took nothing written for " + timeoutText);
                }
            } catch (InterruptedException | ExecutionException e) {
                return;
            }
        }
    }

    private static ByteBuffer readFully(SocketChannel channel, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (channel.read(b) < 0) throw new EOFException("the X server closed the connection");
        }
        return b;
    }

    private static int pad4(int n) {
        return (n + 3) & ~3;
    }

    private static String ascii(byte[] b, int from, int length) {
        var s = new StringBuilder();
        for (int i = from; i < from + length && i < b.length; i++) {
            int c = b[i] & 0xff;
            if (c >= 0x20 && c < 0x7f) s.append((char) c);
            else if (c == '\n') s.append(' ');
        }
        return s.toString().strip();
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** Ends the connection (the server frees what it held for it). Idempotent. */
    @Override
    public void close() {
        fail("closed");
    }
}
