package io.porthole.desktop;

import io.porthole.api.ErrorCode;
import io.porthole.core.PortholeException;
import io.porthole.core.internal.Threads;
import io.porthole.core.live.Capture;
import io.porthole.core.live.CaptureSettings;
import io.porthole.core.live.Frame;
import io.porthole.core.sandbox.Sandbox;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One running screencast of a desktop: the encoder (ffmpeg, {@link FfmpegEncoder#command}) started inside the
 * computer's sandbox, so that it sees only the sandbox and counts against the computer's limits, its pictures read
 * from its standard output, and the pointer ({@link PointerWatch}), all delivered to one sink.
 *
 * <p>The encoder's output is read on a platform thread (a pipe read pins a virtual thread's carrier), its standard
 * error logged at DEBUG (the first {@value #MAX_LOGGED_LINES} lines, each cut at {@value #MAX_LINE} characters) and
 * its last lines kept to say why it ended. If the encoder ends by itself, or writes what is not an FLV stream of
 * H.264, everything stops and the sink hears {@code ended} once. {@link #close} kills the encoder's whole process
 * group and waits for it and for the reader. Thread-safe.
 */
final class DesktopCapture implements Capture {
    private static final System.Logger LOG = System.getLogger(DesktopCapture.class.getName());
    static final int MAX_LOGGED_LINES = 40;
    static final int MAX_LINE = 300;
    private static final int KEPT_LINES = 3;
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);

    private final Sandbox sandbox;
    private final Process encoder;
    private final Sink sink;
    private final String name;
    private final Consumer<DesktopCapture> onStopped;
    /** Frames are handed to the sink under this lock, one at a time, and never once {@code stopped}. */
    private final Object sinkLock = new Object();
    private boolean stopped;
    private final AtomicBoolean over = new AtomicBoolean();
    private final ArrayDeque<String> lastLines = new ArrayDeque<>();
    private final PointerWatch pointer;
    private Future<?> reader;
    private Future<?> errors;

    private DesktopCapture(Sandbox sandbox, Process encoder, Sink sink, String name, CaptureSettings settings,
                           PointerWatch.Connector x11, Consumer<DesktopCapture> onStopped) {
        this.sandbox = sandbox;
        this.encoder = encoder;
        this.sink = sink;
        this.name = name;
        this.onStopped = onStopped;
        this.pointer = new PointerWatch(x11, Duration.ofNanos(TimeUnit.SECONDS.toNanos(1) / settings.maxFps()),
                this::deliver, name);
    }

    /**
     * Starts the encoder in {@code sandbox} on its display and the pointer's watch on connections {@code x11} opens.
     *
     * @param onStopped called with the capture once it has stopped, by {@link #close} or by itself (maybe before
     *     this returns)
     * @throws PortholeException.Unavailable if the encoder is missing or cannot start
     */
    static DesktopCapture start(Sandbox sandbox, FfmpegEncoder ffmpeg, int width, int height, CaptureSettings settings,
                                PointerWatch.Connector x11, Sink sink, String name, Consumer<DesktopCapture> onStopped) {
        var problem = ffmpeg.problem();
        if (problem.isPresent()) throw new PortholeException.Unavailable(problem.get());
        Process p;
        try {
            // nothing of the server's environment goes in (the sandbox's own only), and it writes no file: its
            // working directory is the sandbox's read-only root
            p = sandbox.start(FfmpegEncoder.command(ffmpeg.binary(), sandbox.display(), width, height, settings),
                    Map.of(), "/");
        } catch (IOException e) {
            throw new PortholeException.Unavailable(ErrorCode.UNAVAILABLE, "the screencast's encoder did not start: "
                    + e.getMessage(), e);
        }
        var capture = new DesktopCapture(sandbox, p, sink, name, settings, x11, onStopped);
        try {
            p.getOutputStream().close();
        } catch (IOException ignored) {
            // its input is /dev/null already
        }
        int maxTag = FfmpegEncoder.maxPictureBytes(width, height);
        capture.errors = Threads.onPipeThread(() -> capture.logErrors(p.getErrorStream()));
        capture.reader = Threads.onPipeThread(() -> capture.read(p.getInputStream(), maxTag));
        capture.pointer.start();
        return capture;
    }

    private void deliver(Frame f) {
        synchronized (sinkLock) {
            if (!stopped) sink.frame(f);
        }
    }

    private void read(InputStream out, int maxTag) {
        String broken = null;
        try (var in = new BufferedInputStream(out, 1 << 16)) {
            var flv = new FlvH264Reader(in, maxTag);
            while (true) {
                var picture = flv.next();
                if (picture.isEmpty()) break;
                deliver(picture.get());
            }
        } catch (IOException e) {
            broken = e.getMessage();
        }
        if (!over.compareAndSet(false, true)) return;
        // by itself: the encoder exited (the computer killed it, the display went away) or broke its stream
        stop();
        sink.ended(why(broken));
    }

    /** Why the encoder stopped, from its exit code and its last words. */
    private String why(String broken) {
        String code;
        try {
            code = encoder.waitFor(5, TimeUnit.SECONDS) ? "exited with code " + encoder.exitValue() : "did not exit";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            code = "was interrupted";
        }
        // what it said is read to its end once it has exited (or been killed)
        awaitQuietly(errors);
        String said;
        synchronized (lastLines) {
            said = String.join(" / ", lastLines);
        }
        var reason = broken != null ? "the encoder's stream broke (" + broken + "); ffmpeg " + code : "the encoder (ffmpeg) " + code;
        return said.isEmpty() ? reason : reason + ": " + said;
    }

    private void logErrors(InputStream err) {
        int logged = 0;
        long suppressed = 0;
        try (var in = err) {
            var line = new ByteArrayOutputStream();
            int c;
            boolean cut = false;
            while ((c = in.read()) >= 0) {
                if (c != '\n' && c != '\r') {
                    if (line.size() < MAX_LINE) line.write(c);
                    else cut = true;
                    continue;
                }
                if (line.size() == 0) continue;
                var text = printable(line.toString(StandardCharsets.UTF_8)) + (cut ? "…" : "");
                line.reset();
                cut = false;
                synchronized (lastLines) {
                    lastLines.addLast(text);
                    while (lastLines.size() > KEPT_LINES) lastLines.removeFirst();
                }
                if (logged < MAX_LOGGED_LINES) {
                    logged++;
                    LOG.log(System.Logger.Level.DEBUG, () -> "ffmpeg of " + name + ": " + text);
                } else {
                    suppressed++;
                }
            }
        } catch (IOException e) {
            // ended
        }
        if (suppressed > 0) {
            long n = suppressed;
            LOG.log(System.Logger.Level.DEBUG, () -> "ffmpeg of " + name + ": " + n + " more lines not logged");
        }
    }

    /** What an encoder inside wrote, safe to log and to show: printable characters only. */
    private static String printable(String s) {
        var b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
        return b.toString().strip();
    }

    /** Stops the pointer and the encoder (its whole process group), waiting for both. */
    private void stop() {
        synchronized (sinkLock) {
            stopped = true;
        }
        pointer.close();
        sandbox.killGroup(encoder);
        try {
            encoder.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        onStopped.accept(this);
    }

    /** Whether it has stopped, or is stopping. */
    boolean isOver() {
        return over.get();
    }

    @Override
    public void close() {
        if (!over.compareAndSet(false, true)) return;
        stop();
        // the reader sees its pipe end with the encoder and returns
        awaitQuietly(reader);
        awaitQuietly(errors);
    }

    private void awaitQuietly(Future<?> f) {
        if (f == null) return;
        try {
            f.get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.log(System.Logger.Level.WARNING, "the screencast of " + name + " did not stop cleanly: " + e);
        }
    }

    @Override
    public String toString() {
        return "screencast of " + name;
    }
}
