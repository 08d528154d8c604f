package io.porthole.bench;

import io.porthole.desktop.Keyboard;
import io.porthole.desktop.X11Connection;
import io.porthole.desktop.ZPixmap;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The baseline of a desktop computer: the same programs with the same arguments as Porthole's desktop (Xvfb,
 * openbox, an xterm) started directly on this host, outside any sandbox, on a display of their own, and driven
 * with Porthole's own X11 client ({@link X11Connection}, {@link Keyboard}) connected straight to the display's
 * socket, or with xdotool and xwd run directly. Every process it starts carries {@link #MARKER_NAME} in its
 * environment, so that a leftover can be found whatever its command line.
 */
final class RawDesktop implements AutoCloseable {
    static final String MARKER_NAME = "PORTHOLE_BENCH";
    static final String XDOTOOL = "/usr/bin/xdotool";
    static final List<String> PROGRAMS = List.of("/usr/bin/Xvfb", "/usr/bin/openbox", "/usr/bin/xterm", XDOTOOL,
            "/usr/bin/xprop", "/usr/bin/xwd");
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(5);

    private final int display;
    private final Path dir;
    private final Map<String, String> env;
    private final List<Process> processes = new CopyOnWriteArrayList<>();
    private final AtomicBoolean killed = new AtomicBoolean();
    private final Keyboard keyboard = new Keyboard();
    private X11Connection x11;

    private RawDesktop(int display, Path dir, Map<String, String> env) {
        this.display = display;
        this.dir = dir;
        this.env = env;
    }

    /** The lowest display number from {@code from} on that has no lock file and no socket in /tmp. */
    static int freeDisplay(int from) {
        for (int n = from; n < from + 1000; n++) {
            if (!Files.exists(lockFile(n)) && !Files.exists(socketFile(n))) return n;
        }
        throw new IllegalStateException("no free X display number from :" + from);
    }

    private static Path lockFile(int n) {
        return Path.of("/tmp", ".X" + n + "-lock");
    }

    private static Path socketFile(int n) {
        return Path.of("/tmp", ".X11-unix", "X" + n);
    }

    /** The first of {@link #PROGRAMS} that is not installed, or null. */
    static String missingProgram() {
        return PROGRAMS.stream().filter(p -> !Files.isExecutable(Path.of(p))).findFirst().orElse(null);
    }

    /**
     * Starts Xvfb on {@code :display}, waits (polling every 20 ms, as Porthole does) until {@code xdotool
     * getdisplaygeometry} prints the size; starts openbox and waits until it has set
     * {@code _NET_SUPPORTING_WM_CHECK} on the root window; starts the xterm and waits until xdotool finds and
     * activates it. Returns then: the baseline of "desktop create → ready". Kills what it started if that fails.
     *
     * @param marker an environment entry ({@code NAME=value}) every process started gets, to find leftovers
     */
    static RawDesktop start(int display, Path dir, Map<String, String> marker, int width, int height, Duration timeout)
            throws IOException {
        Files.createDirectories(dir.resolve("home"));
        // the environment of a process inside a computer, with this host's paths
        var env = new LinkedHashMap<String, String>();
        env.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        env.put("HOME", dir.resolve("home").toString());
        env.put("USER", "root");
        env.put("LANG", "C.UTF-8");
        env.put("TERM", "xterm-256color");
        env.put("TMPDIR", "/tmp");
        env.put("DISPLAY", ":" + display);
        env.putAll(marker);
        var desktop = new RawDesktop(display, dir, Map.copyOf(env));
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            var xvfb = desktop.background("xvfb", List.of("/usr/bin/Xvfb", ":" + display, "-screen", "0",
                    width + "x" + height + "x24", "-dpi", "96", "-nolisten", "tcp", "-nolisten", "local", "-noreset"));
            desktop.poll(deadline, xvfb, "Xvfb answering xdotool getdisplaygeometry",
                    () -> desktop.run(List.of(XDOTOOL, "getdisplaygeometry"), STEP_TIMEOUT).trim()
                            .equals(width + " " + height));
            desktop.background("openbox", List.of("/usr/bin/openbox", "--sm-disable"));
            desktop.poll(deadline, xvfb, "openbox setting _NET_SUPPORTING_WM_CHECK",
                    () -> desktop.run(List.of("/usr/bin/xprop", "-root", "_NET_SUPPORTING_WM_CHECK"), STEP_TIMEOUT)
                            .contains("window id"));
            desktop.background("xterm", List.of("/usr/bin/xterm", "-fa", "DejaVu Sans Mono", "-fs", "11",
                    "-geometry", "100x30+20+20", "-title", "Terminal"));
            desktop.run(List.of(XDOTOOL, "search", "--sync", "--classname", "xterm", "windowactivate", "--sync"),
                    Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            return desktop;
        } catch (IOException | RuntimeException e) {
            var logs = desktop.logTail();
            desktop.kill();
            throw new IOException("raw desktop on :" + display + " did not start: " + e.getMessage() + logs, e);
        }
    }

    @FunctionalInterface
    private interface Check {
        boolean done() throws IOException;
    }

    private void poll(long deadline, Process server, String what, Check check) throws IOException {
        String last = "";
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) throw new IOException("Xvfb exited with code " + server.exitValue());
            try {
                if (check.done()) return;
            } catch (IOException e) {
                last = e.getMessage();
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }
        throw new IOException("timed out waiting for " + what + (last.isEmpty() ? "" : "; last: " + last));
    }

    /** Starts a program of this desktop, its output in {@code <name>.log}; {@link #kill} ends it and its children. */
    Process background(String name, List<String> argv) throws IOException {
        var pb = new ProcessBuilder(argv).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        var p = pb.start();
        processes.add(p);
        return p;
    }

    /** Like {@link #background}, with the program's standard output for the caller to read. */
    Process piped(String name, List<String> argv) throws IOException {
        var pb = new ProcessBuilder(argv).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectError(dir.resolve(name + ".log").toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        var p = pb.start();
        processes.add(p);
        return p;
    }

    private String logTail() {
        var sb = new StringBuilder();
        for (var name : List.of("xvfb", "openbox", "xterm")) {
            try {
                var lines = Files.readAllLines(dir.resolve(name + ".log"), StandardCharsets.UTF_8);
                if (lines.isEmpty()) continue;
                sb.append("\n  ").append(name).append(".log: ")
                        .append(String.join("\n    ", lines.subList(Math.max(0, lines.size() - 5), lines.size())));
            } catch (IOException | RuntimeException ignored) {
                // not written
            }
        }
        return sb.toString();
    }

    int display() {
        return display;
    }

    /** Runs {@code argv} against this desktop and returns its standard output as text. */
    String run(List<String> argv, Duration timeout) throws IOException {
        return new String(Cmd.run(argv, env, timeout), StandardCharsets.UTF_8);
    }

    /** The X11 connection to this desktop's socket, opened on first use and kept (as Porthole keeps its own). */
    X11Connection x11() throws IOException {
        if (x11 == null || !x11.isOpen()) {
            x11 = X11Connection.open(SocketChannel.open(UnixDomainSocketAddress.of(socketFile(display))), Duration.ofSeconds(10));
            keyboard.use(x11);
        }
        return x11;
    }

    /** The X requests of Porthole's click: XTEST motion, press and release, then a round trip. */
    void clickX11(int x, int y) throws IOException {
        var c = x11();
        c.fakeMotion(x, y);
        c.fakeButton(1, true);
        c.fakeButton(1, false);
        c.sync();
    }

    /** Types {@code text} as Porthole does, with its typist on this desktop's own connection. */
    void typeX11(String text) throws IOException {
        x11();
        keyboard.type(text);
    }

    /** Clears the focused shell's line (ctrl+u) over the X11 connection, so typed text does not pile up. */
    void clearLineX11() throws IOException {
        x11();
        keyboard.chord(List.of("Control", "u"));
    }

    /** The screen as {@code GetImage} answers it, over the X11 connection. */
    ZPixmap getImage(int width, int height) throws IOException {
        return x11().getImage(0, 0, width, height);
    }

    /** What Porthole's xdotool driver ran for a click, with the same arguments. */
    void click(int x, int y) throws IOException {
        Cmd.run(List.of(XDOTOOL, "mousemove", Integer.toString(x), Integer.toString(y), "click", "--repeat", "1",
                "--delay", "1", "1"), env, Duration.ofSeconds(30));
    }

    /**
     * What Porthole's xdotool driver ran to type {@code text}: its ASCII runs with {@code --delay 4}, the runs of
     * other characters (which xdotool types by remapping a spare key for each) with {@code --delay 60}.
     */
    void typeXdotool(String text) throws IOException {
        int i = 0;
        while (i < text.length()) {
            boolean plain = text.charAt(i) < 0x7f;
            int j = i;
            while (j < text.length() && (text.charAt(j) < 0x7f) == plain) j++;
            Cmd.run(List.of(XDOTOOL, "type", "--delay", plain ? "4" : "60", "--", text.substring(i, j)), env,
                    Duration.ofSeconds(30));
            i = j;
        }
    }

    /** {@code xwd -root -silent}, read to its end. */
    byte[] xwd() throws IOException {
        return Cmd.run(List.of("/usr/bin/xwd", "-root", "-silent"), env, Duration.ofSeconds(30));
    }

    /** Where the pointer is, from {@code xdotool getmouselocation}: "x:X y:Y". */
    String pointer() throws IOException {
        var out = run(List.of(XDOTOOL, "getmouselocation"), Duration.ofSeconds(10)).trim();
        var parts = out.split("\\s+");
        return parts.length >= 2 ? parts[0] + " " + parts[1] : out;
    }

    /**
     * The baseline of "delete": SIGKILL Xvfb, openbox, the xterm and everything they started, wait (bounded)
     * until each has exited, remove the display's lock and socket files and the directory. Idempotent: a second
     * call answers 0.
     *
     * @return nanoseconds taken
     */
    long kill() {
        if (!killed.compareAndSet(false, true)) return 0;
        long t0 = System.nanoTime();
        if (x11 != null) x11.close();
        var tree = new ArrayList<ProcessHandle>();
        for (var p : processes) {
            p.descendants().forEach(tree::add);
            tree.add(p.toHandle());
        }
        tree.forEach(ProcessHandle::destroyForcibly);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (tree.stream().anyMatch(h -> !Procs.exited(h.pid())) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        // SIGKILL leaves the display's files; remove them if they are this Xvfb's
        try {
            var lock = lockFile(display);
            var xvfb = processes.isEmpty() ? -1 : processes.getFirst().pid();
            if (Files.exists(lock) && Files.readString(lock).trim().equals(Long.toString(xvfb))) {
                Files.deleteIfExists(lock);
                Files.deleteIfExists(socketFile(display));
            }
        } catch (IOException | RuntimeException ignored) {
            // someone else's display, or already gone
        }
        RawBrowser.deleteTree(dir);
        return System.nanoTime() - t0;
    }

    /** Whether every process started has exited. */
    boolean allExited() {
        for (var p : processes) {
            if (!Procs.exited(p.pid())) return false;
        }
        return true;
    }

    @Override
    public void close() {
        kill();
    }

    /** Width and height from an xwd dump's header. */
    static int[] xwdSize(byte[] xwd) {
        if (xwd.length < 100) return new int[] {0, 0};
        var header = ByteBuffer.wrap(xwd).order(ByteOrder.BIG_ENDIAN);
        return new int[] {header.getInt(16), header.getInt(20)};
    }

    /** Short commands run directly, with their output collected, bounded in time. */
    static final class Cmd {
        private Cmd() {}

        /**
         * Runs {@code argv} (with exactly {@code env}, or this JVM's environment when null) and returns its
         * standard output; throws with its standard error if it exits non-zero, and kills it if it outlives
         * {@code timeout}.
         */
        static byte[] run(List<String> argv, Map<String, String> env, Duration timeout) throws IOException {
            var pb = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            if (env != null) {
                pb.environment().clear();
                pb.environment().putAll(env);
            }
            var p = pb.start();
            var out = read(p.getInputStream());
            var err = read(p.getErrorStream());
            var name = Path.of(argv.getFirst()).getFileName().toString();
            try {
                if (!p.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    p.waitFor(5, TimeUnit.SECONDS);
                    throw new IOException(name + " did not finish within " + timeout.toMillis() + " ms");
                }
                var stdout = out.get(10, TimeUnit.SECONDS);
                if (p.exitValue() != 0) {
                    throw new IOException(name + " failed (exit " + p.exitValue() + "): "
                            + new String(err.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8).strip());
                }
                return stdout;
            } catch (ExecutionException | TimeoutException e) {
                throw new IOException(name + ": its output could not be read: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
                throw new IOException("interrupted");
            }
        }

        private static CompletableFuture<byte[]> read(InputStream in) {
            var f = new CompletableFuture<byte[]>();
            Thread.ofVirtual().start(() -> {
                try (in) {
                    f.complete(in.readAllBytes());
                } catch (IOException e) {
                    f.completeExceptionally(e);
                }
            });
            return f;
        }
    }
}
