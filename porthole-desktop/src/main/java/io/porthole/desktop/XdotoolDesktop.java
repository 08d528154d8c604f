package io.porthole.desktop;

import io.porthole.core.PortholeException;
import io.porthole.core.action.MouseButton;
import io.porthole.core.action.Point;
import io.porthole.core.desktop.DesktopDriver;
import io.porthole.core.desktop.DesktopEngine;
import io.porthole.core.internal.Threads;
import io.porthole.core.sandbox.Sandbox;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Input through XTest with xdotool and capture with xwd, each run inside the sandbox against display
 * {@code :1}. Coordinates are screen pixels. Not safe for concurrent actions.
 */
final class XdotoolDesktop implements DesktopDriver {
    private static final String XDOTOOL = "/usr/bin/xdotool";
    private static final int ACTION_TIMEOUT_SECONDS = 30;
    /** Pixels of scrolling per wheel click. */
    static final int PIXELS_PER_WHEEL_CLICK = 100;

    private final Sandbox sandbox;
    private final int width;
    private final int height;
    private final List<Process> background = new CopyOnWriteArrayList<>();

    XdotoolDesktop(Sandbox sandbox, int width, int height) {
        this.sandbox = sandbox;
        this.width = width;
        this.height = height;
    }

    private Map<String, String> display() {
        return Map.of("DISPLAY", sandbox.display());
    }

    /** Starts a long-running program of the desktop; its output is discarded. */
    void background(List<String> argv) throws IOException {
        var p = sandbox.start(argv, display(), Sandbox.HOME);
        p.getOutputStream().close();
        drain(p.getInputStream());
        drain(p.getErrorStream());
        background.add(p);
    }

    private static void drain(InputStream in) {
        Threads.onPipeThread(() -> {
            try (in) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
            } catch (IOException ignored) {
                // ended
            }
        });
    }

    /** Waits, within a bound, until the X server answers. */
    void awaitScreen() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                var out = run(List.of(XDOTOOL, "getdisplaygeometry"), display(), 5);
                if (out.trim().equals(width + " " + height)) return;
                last = out;
            } catch (RuntimeException e) {
                last = e.getMessage();
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new PortholeException.Unavailable("the X server did not answer within 15 s: " + last);
    }

    /** Waits, within a bound, until a window manager has announced itself on the root window (EWMH). */
    void awaitWindowManager() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            try {
                if (run(List.of("/usr/bin/xprop", "-root", "_NET_SUPPORTING_WM_CHECK"), display(), 5).contains("window id")) {
                    return;
                }
            } catch (RuntimeException ignored) {
                // not yet
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new PortholeException.Unavailable("the window manager did not start within 15 s");
    }

    /** Runs a short command inside and returns its standard output; fails with its standard error. */
    String run(List<String> argv, Map<String, String> env, int timeoutSeconds) {
        return new String(runBytes(argv, env, timeoutSeconds), StandardCharsets.UTF_8);
    }

    private byte[] runBytes(List<String> argv, Map<String, String> env, int timeoutSeconds) {
        Process p;
        try {
            p = sandbox.start(argv, env, "/");
            p.getOutputStream().close();
        } catch (IOException e) {
            throw new PortholeException.ActionFailed("the desktop is not running: " + e.getMessage());
        }
        var err = Threads.onPipeThread(() -> readAll(p.getErrorStream()));
        var out = Threads.onPipeThread(() -> readAll(p.getInputStream()));
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                sandbox.killGroup(p);
                throw new PortholeException.ActionFailed(shortName(argv) + " did not finish within " + timeoutSeconds + " s");
            }
            var stdout = out.get(10, TimeUnit.SECONDS);
            if (p.exitValue() != 0) {
                throw new PortholeException.ActionFailed(shortName(argv) + " failed (exit " + p.exitValue() + "): "
                        + new String(err.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8).strip());
            }
            return stdout;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new PortholeException.ActionFailed(shortName(argv) + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sandbox.killGroup(p);
            throw new PortholeException.ActionFailed("interrupted");
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }

    private static String shortName(List<String> argv) {
        var first = argv.getFirst();
        return first.substring(first.lastIndexOf('/') + 1);
    }

    private void xdotool(List<String> args) {
        var argv = new ArrayList<String>();
        argv.add(XDOTOOL);
        argv.addAll(args);
        run(argv, display(), ACTION_TIMEOUT_SECONDS);
    }

    private List<String> moveTo(Optional<Point> at) {
        if (at.isEmpty()) return List.of();
        var p = at.get();
        return List.of("mousemove", coord(p.x(), width), coord(p.y(), height));
    }

    private static String coord(double v, int max) {
        return Long.toString(Math.max(0, Math.min(max - 1, Math.round(v))));
    }

    private static String button(MouseButton b) {
        return switch (b) {
            case LEFT -> "1";
            case MIDDLE -> "2";
            case RIGHT -> "3";
            case BACK -> "8";
            case FORWARD -> "9";
        };
    }

    @Override
    public void click(Optional<Point> at, MouseButton button, int clicks) {
        var args = new ArrayList<>(moveTo(at));
        // xdotool sleeps --delay after every click, the last one too: a pause between the clicks of a double or
        // triple click (well inside the double-click time), none worth having after a single one
        args.addAll(List.of("click", "--repeat", Integer.toString(clicks), "--delay", clicks > 1 ? "60" : "1",
                button(button)));
        xdotool(args);
    }

    @Override
    public void mouseMove(Point to) {
        xdotool(moveTo(Optional.of(to)));
    }

    @Override
    public void mouseDown(Optional<Point> at, MouseButton button) {
        var args = new ArrayList<>(moveTo(at));
        args.addAll(List.of("mousedown", button(button)));
        xdotool(args);
    }

    @Override
    public void mouseUp(Optional<Point> at, MouseButton button) {
        var args = new ArrayList<>(moveTo(at));
        args.addAll(List.of("mouseup", button(button)));
        xdotool(args);
    }

    @Override
    public void drag(List<Point> path) {
        var args = new ArrayList<>(moveTo(Optional.of(path.getFirst())));
        args.addAll(List.of("mousedown", "1"));
        for (int i = 1; i < path.size(); i++) {
            var from = path.get(i - 1);
            var to = path.get(i);
            for (int s = 1; s <= 5; s++) {
                double x = from.x() + (to.x() - from.x()) * s / 5;
                double y = from.y() + (to.y() - from.y()) * s / 5;
                args.addAll(List.of("mousemove", coord(x, width), coord(y, height), "sleep", "0.01"));
            }
        }
        args.addAll(List.of("mouseup", "1"));
        xdotool(args);
    }

    @Override
    public void typeText(String text) {
        // Characters the keyboard map has go fast. Others are typed by remapping a spare key for each one and
        // back, and a fast typist loses some of them when the window reads the key after the map has been
        // restored, so they go slowly, as runs of their own.
        int i = 0;
        while (i < text.length()) {
            boolean plain = onKeyboard(text.codePointAt(i));
            int j = i;
            while (j < text.length() && onKeyboard(text.codePointAt(j)) == plain) j += Character.charCount(text.codePointAt(j));
            xdotool(List.of("type", "--delay", plain ? "4" : "60", "--", text.substring(i, j)));
            i = j;
        }
    }

    /** Printable ASCII, newline and tab: on a US keyboard map, no remapping needed. */
    private static boolean onKeyboard(int codePoint) {
        return (codePoint >= 0x20 && codePoint < 0x7f) || codePoint == '\n' || codePoint == '\t';
    }

    @Override
    public void keyChord(List<String> keys) {
        var chord = String.join("+", keys.stream().map(XKeys::keysym).toList());
        xdotool(List.of("key", "--delay", "0", chord));
    }

    @Override
    public void keyDown(String key) {
        xdotool(List.of("keydown", XKeys.keysym(key)));
    }

    @Override
    public void keyUp(String key) {
        xdotool(List.of("keyup", XKeys.keysym(key)));
    }

    @Override
    public void scroll(Optional<Point> at, double dx, double dy) {
        var args = new ArrayList<>(moveTo(at));
        addWheel(args, dy, "5", "4");
        addWheel(args, dx, "7", "6");
        if (!args.isEmpty()) xdotool(args);
    }

    private static void addWheel(List<String> args, double delta, String positive, String negative) {
        if (delta == 0) return;
        long clicks = Math.max(1, Math.round(Math.abs(delta) / PIXELS_PER_WHEEL_CLICK));
        args.addAll(List.of("click", "--repeat", Long.toString(clicks), "--delay", "10", delta > 0 ? positive : negative));
    }

    @Override
    public byte[] screenshotPng() {
        var dump = runBytes(List.of("/usr/bin/xwd", "-root", "-silent"), display(), ACTION_TIMEOUT_SECONDS);
        try {
            return Xwd.toPng(dump);
        } catch (IllegalArgumentException e) {
            throw new PortholeException.ActionFailed("the screen could not be captured: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        for (var p : background) sandbox.killGroup(p);
    }

    @Override
    public String toString() {
        return "desktop " + width + "x" + height + " (" + sandbox.display().toLowerCase(Locale.ROOT) + ")";
    }
}
