package io.porthole.desktop;

import io.porthole.core.PortholeException;
import io.porthole.core.action.MouseButton;
import io.porthole.core.action.Point;
import io.porthole.core.desktop.DesktopDriver;
import io.porthole.core.internal.Threads;
import io.porthole.core.live.Capture;
import io.porthole.core.live.CaptureSettings;
import io.porthole.core.sandbox.Sandbox;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The screen of one desktop, driven over one long-lived X11 connection of our own ({@link X11Connection}) to the
 * display's socket inside the sandbox, reached through {@link Sandbox#connect}: input with XTEST, screenshots with
 * {@code GetImage}. No action starts a process; a screencast starts its encoder inside the sandbox
 * ({@link DesktopCapture}) and watches the cursor on a connection of its own. A connection that has dropped is opened
 * again by the next action; one that drops during an action fails that action with a clear error. Coordinates are
 * screen pixels. Not safe for concurrent actions (the core runs one at a time); {@link #screencast} and
 * {@link #close} may be called from any thread.
 */
final class X11Desktop implements DesktopDriver {
    /** The bound on every reply of the X server, and on setting up a connection. */
    static final Duration X_TIMEOUT = Duration.ofSeconds(10);
    /** Pixels of scrolling per wheel click. */
    static final int PIXELS_PER_WHEEL_CLICK = 100;
    private static final long MAX_WHEEL_CLICKS = 10_000;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
    private static final long DRAG_STEP_MILLIS = 10;
    private static final int ATOM_WINDOW = 33;
    private static final int ATOM_WM_CLASS = 67;

    private final Sandbox sandbox;
    private final int width;
    private final int height;
    private final List<Process> background = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicBoolean exitReported = new AtomicBoolean();
    /** The typist, one for the X server's whole life (its slots' last uses outlive a connection). */
    private final Keyboard keyboard = new Keyboard();
    private final FfmpegEncoder encoder;
    /** The screencasts running now. */
    private final List<DesktopCapture> captures = new CopyOnWriteArrayList<>();
    /** The open connection; replaced when it has ended. */
    private Session session;

    private record Session(X11Connection x, Keyboard keyboard) {}

    /** An action on the open connection. */
    @FunctionalInterface
    private interface XAction<T> {
        T run(X11Connection x, Keyboard keyboard) throws IOException;
    }

    X11Desktop(Sandbox sandbox, int width, int height, FfmpegEncoder encoder) {
        this.sandbox = sandbox;
        this.encoder = encoder;
        this.width = width;
        this.height = height;
    }

    /** The display's socket, as processes inside see it. */
    private Sandbox.Endpoint.Unix socket() {
        var display = sandbox.display();
        if (!display.matches(":[0-9]{1,5}")) throw new IllegalStateException("not a local display: " + display);
        return new Sandbox.Endpoint.Unix("/tmp/.X11-unix/X" + display.substring(1));
    }

    private synchronized Session session() throws IOException {
        if (closing.get()) throw new IOException("the desktop has been closed");
        if (session == null || !session.x().isOpen()) {
            var x = X11Connection.open(sandbox.connect(socket()), X_TIMEOUT);
            keyboard.use(x);
            session = new Session(x, keyboard);
        }
        return session;
    }

    private <T> T act(String what, XAction<T> action) {
        Session s;
        try {
            s = session();
        } catch (IOException e) {
            throw new PortholeException.ActionFailed("the desktop's display does not answer: " + e.getMessage());
        }
        try {
            return action.run(s.x(), s.keyboard());
        } catch (X11Connection.XError e) {
            throw new PortholeException.ActionFailed(what + " failed: " + e.getMessage());
        } catch (IOException e) {
            throw new PortholeException.ActionFailed(what + " failed: " + e.getMessage()
                    + (s.x().isOpen() ? "" : " (the next action connects to the display again)"));
        }
    }

    private void run(String what, XAction<Void> action) {
        act(what, action);
    }

    // ---- start-up (XvfbDesktopEngine) ----

    /** Starts a long-running program of the desktop; its output is discarded. */
    Process background(List<String> argv) throws IOException {
        var p = sandbox.start(argv, Map.of("DISPLAY", sandbox.display()), Sandbox.HOME);
        p.getOutputStream().close();
        drain(p.getInputStream());
        drain(p.getErrorStream());
        background.add(p);
        return p;
    }

    private static void drain(InputStream in) {
        Threads.onPipeThread(() -> {
            try (in) {
                in.transferTo(OutputStream.nullOutputStream());
            } catch (IOException ignored) {
                // ended
            }
        });
    }

    /**
     * Calls {@code onExit} once, with a reason, if the X server or another program of the desktop ends before
     * {@link #close}. The X server's clients end with it, often a moment before it is seen to end: the reason names
     * the X server if it is gone too within two seconds.
     */
    void watch(String xServerName, ProcessHandle xServer, Map<String, ProcessHandle> others, Consumer<String> onExit) {
        xServer.onExit().thenRun(() -> Threads.startVirtual("porthole-desktop-exit", () -> exited(onExit, xServerName, xServer)));
        others.forEach((name, program) -> program.onExit().thenRun(() -> Threads.startVirtual("porthole-desktop-exit", () -> {
            try {
                xServer.onExit().get(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                // the X server runs on: this program's end is the reason
            }
            if (xServer.isAlive()) exited(onExit, name, program);
            else exited(onExit, xServerName, xServer);
        })));
    }

    private void exited(Consumer<String> onExit, String name, ProcessHandle program) {
        if (closing.get() || !exitReported.compareAndSet(false, true)) return;
        var own = background.stream().filter(p -> p.pid() == program.pid()).findFirst();
        String code = "";
        try {
            if (own.isPresent() && own.get().waitFor(2, TimeUnit.SECONDS)) code = " with code " + own.get().exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        onExit.accept(name + " exited" + code);
    }

    /** Waits, within a bound, until the X server answers with a screen of the desktop's size. */
    void awaitScreen(Optional<Process> server) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        String last = "nothing tried";
        while (System.nanoTime() < deadline) {
            if (server.isPresent() && !server.get().isAlive()) {
                throw new PortholeException.Unavailable("Xvfb exited with code " + server.get().exitValue());
            }
            try {
                var s = session();
                var screen = s.x().screen();
                if (screen.width() == width && screen.height() == height) return;
                last = "its screen is " + screen.width() + "x" + screen.height();
                s.x().close();
            } catch (IOException e) {
                last = e.getMessage();
            }
            pause(20);
        }
        throw new PortholeException.Unavailable("the X server did not answer within " + START_TIMEOUT.toSeconds()
                + " s: " + last);
    }

    /** Waits, within a bound, until a window manager has announced itself on the root window (EWMH). */
    void awaitWindowManager() {
        awaitOnScreen("the window manager did not start", x -> {
            var check = x.getProperty(x.screen().root(), x.internAtom("_NET_SUPPORTING_WM_CHECK"), 1);
            return check.filter(p -> p.type() == ATOM_WINDOW && p.ints().length == 1 && p.ints()[0] != 0).isPresent();
        });
    }

    /** Waits, within a bound, until the window manager has a window of class {@code instance} active. */
    void awaitActive(String instance) {
        long[] lastAsked = {0};
        awaitOnScreen("no " + instance + " window became active", x -> {
            int root = x.screen().root();
            int active = x.internAtom("_NET_ACTIVE_WINDOW");
            var clients = x.getProperty(root, x.internAtom("_NET_CLIENT_LIST"), 1024).map(X11Connection.Property::ints)
                    .orElse(new int[0]);
            for (int w : clients) {
                var wmClass = x.getProperty(w, ATOM_WM_CLASS, 64);
                if (wmClass.isEmpty() || !instanceOf(wmClass.get().value()).equals(instance)) continue;
                var now = x.getProperty(root, active, 1).map(X11Connection.Property::ints).orElse(new int[0]);
                if (now.length == 1 && now[0] == w) return true;
                // ask the window manager (EWMH: source 2, a pager or tool acting for the user), every 200 ms
                if (System.nanoTime() - lastAsked[0] > TimeUnit.MILLISECONDS.toNanos(200)) {
                    x.clientMessageToRoot(w, active, 2, 0, 0);
                    x.flush();
                    lastAsked[0] = System.nanoTime();
                }
            }
            return false;
        });
    }

    private static String instanceOf(byte[] wmClass) {
        int end = 0;
        while (end < wmClass.length && wmClass[end] != 0) end++;
        return new String(wmClass, 0, end, StandardCharsets.ISO_8859_1);
    }

    @FunctionalInterface
    private interface Check {
        boolean done(X11Connection x) throws IOException;
    }

    private void awaitOnScreen(String failure, Check check) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                if (check.done(session().x())) return;
            } catch (IOException e) {
                last = ": " + e.getMessage();
            }
            pause(20);
        }
        throw new PortholeException.Unavailable(failure + " within " + START_TIMEOUT.toSeconds() + " s" + last);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PortholeException.Unavailable("interrupted while the desktop started");
        }
    }

    // ---- input ----

    private static int coord(double v, int max) {
        return (int) Math.max(0, Math.min(max - 1, Math.round(v)));
    }

    private void moveTo(X11Connection x, Optional<Point> at) throws IOException {
        if (at.isPresent()) x.fakeMotion(coord(at.get().x(), width), coord(at.get().y(), height));
    }

    private static int button(MouseButton b) {
        return switch (b) {
            case LEFT -> 1;
            case MIDDLE -> 2;
            case RIGHT -> 3;
            case BACK -> 8;
            case FORWARD -> 9;
        };
    }

    @Override
    public void click(Optional<Point> at, MouseButton button, int clicks) {
        run("the click", (x, k) -> {
            moveTo(x, at);
            // the clicks of a double or triple click go back to back: the window tells them apart by the server's
            // timestamps, well inside any double-click time
            for (int i = 0; i < clicks; i++) {
                x.fakeButton(button(button), true);
                x.fakeButton(button(button), false);
            }
            x.sync();
            return null;
        });
    }

    @Override
    public void mouseMove(Point to) {
        run("the pointer move", (x, k) -> {
            moveTo(x, Optional.of(to));
            x.sync();
            return null;
        });
    }

    @Override
    public void mouseDown(Optional<Point> at, MouseButton button) {
        run("the button press", (x, k) -> {
            moveTo(x, at);
            x.fakeButton(button(button), true);
            x.sync();
            return null;
        });
    }

    @Override
    public void mouseUp(Optional<Point> at, MouseButton button) {
        run("the button release", (x, k) -> {
            moveTo(x, at);
            x.fakeButton(button(button), false);
            x.sync();
            return null;
        });
    }

    @Override
    public void drag(List<Point> path) {
        run("the drag", (x, k) -> {
            moveTo(x, Optional.of(path.getFirst()));
            x.fakeButton(1, true);
            x.sync();
            // in steps, each given a moment: a drag-and-drop starts only once the window has seen the button go
            // down and the pointer move past a threshold, and it follows the pointer from there
            for (int i = 1; i < path.size(); i++) {
                var from = path.get(i - 1);
                var to = path.get(i);
                for (int s = 1; s <= 5; s++) {
                    x.fakeMotion(coord(from.x() + (to.x() - from.x()) * s / 5, width),
                            coord(from.y() + (to.y() - from.y()) * s / 5, height));
                    x.sync();
                    pauseInAction(DRAG_STEP_MILLIS);
                }
            }
            x.fakeButton(1, false);
            x.sync();
            return null;
        });
    }

    private static void pauseInAction(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
    }

    @Override
    public void typeText(String text) {
        run("typing", (x, k) -> {
            k.type(text);
            return null;
        });
    }

    @Override
    public void keyChord(List<String> keys) {
        run("the key chord", (x, k) -> {
            k.chord(keys);
            return null;
        });
    }

    @Override
    public void keyDown(String key) {
        run("the key press", (x, k) -> {
            k.down(key);
            return null;
        });
    }

    @Override
    public void keyUp(String key) {
        run("the key release", (x, k) -> {
            k.up(key);
            return null;
        });
    }

    @Override
    public void scroll(Optional<Point> at, double dx, double dy) {
        if (dx == 0 && dy == 0 && at.isEmpty()) return;
        run("the scroll", (x, k) -> {
            moveTo(x, at);
            wheel(x, dy, 5, 4);
            wheel(x, dx, 7, 6);
            x.sync();
            return null;
        });
    }

    private static void wheel(X11Connection x, double delta, int positive, int negative) throws IOException {
        if (delta == 0) return;
        // at most 10,000 clicks (a million pixels) an action, whatever the delta
        long clicks = Math.min(MAX_WHEEL_CLICKS, Math.max(1, Math.round(Math.abs(delta) / PIXELS_PER_WHEEL_CLICK)));
        for (long i = 0; i < clicks; i++) {
            x.fakeButton(delta > 0 ? positive : negative, true);
            x.fakeButton(delta > 0 ? positive : negative, false);
        }
    }

    @Override
    public byte[] screenshotPng() {
        var image = act("the screenshot", (x, k) -> x.getImage(0, 0, width, height));
        return image.toPng();
    }

    // ---- the live view ----

    /**
     * Starts the screencast's encoder inside the sandbox and watches the pointer on an X11 connection of the
     * capture's own (see {@link PointerWatch} for why not this desktop's).
     */
    @Override
    public Capture screencast(CaptureSettings settings, Capture.Sink sink) {
        if (closing.get()) throw new PortholeException.Unavailable("the desktop has been closed");
        var capture = DesktopCapture.start(sandbox, encoder, width, height, settings,
                () -> X11Connection.open(sandbox.connect(socket()), X_TIMEOUT), sink, toString(), captures::remove);
        captures.add(capture);
        // it may have stopped (and left the list) before it was added
        if (capture.isOver()) captures.remove(capture);
        // the desktop closed meanwhile: the capture would outlive it
        if (closing.get()) capture.close();
        return capture;
    }

    @Override
    public void close() {
        closing.set(true);
        synchronized (this) {
            if (session != null) session.x().close();
        }
        for (var c : captures) c.close();
        for (var p : background) sandbox.killGroup(p);
    }

    @Override
    public String toString() {
        return "desktop " + width + "x" + height + " (" + sandbox.display().toLowerCase(Locale.ROOT) + ")";
    }
}
