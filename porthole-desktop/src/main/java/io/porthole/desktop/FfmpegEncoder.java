package io.porthole.desktop;

import io.porthole.core.internal.Threads;
import io.porthole.core.live.CaptureSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The encoder of a desktop's screencast: ffmpeg (Debian's, by default), which grabs the display with x11grab and
 * encodes it with libx264 for a browser's WebCodecs decoder, run inside the computer's sandbox (ADR 0019). Knows
 * where the program is, whether it can do that (asked once, in the background, when this is made), and its command
 * line. Thread-safe. Public for the server, which says at start whether desktop screencasts are on, and for the
 * benchmark, which runs the same command outside any sandbox.
 */
public final class FfmpegEncoder {
    /** Where Debian installs it. */
    public static final Path DEFAULT = Path.of("/usr/bin/ffmpeg");
    private static final long PROBE_TIMEOUT_SECONDS = 20;

    private final Path binary;
    /** Why screencasts cannot run (empty: they can), once the probe is done. */
    private final Future<Optional<String>> problem;

    public FfmpegEncoder(Path binary) {
        this.binary = binary;
        if (!Files.isExecutable(binary)) {
            var missing = Optional.of("ffmpeg, which encodes desktop screencasts, is not installed at " + binary
                    + " on the server's host (Debian: apt-get install ffmpeg)");
            this.problem = java.util.concurrent.CompletableFuture.completedFuture(missing);
        } else {
            this.problem = Threads.onPipeThread(this::probe);
        }
    }

    public Path binary() {
        return binary;
    }

    /**
     * Why desktop screencasts cannot run here, or empty if they can; waits for the probe (a second or so after
     * start, at most {@value #PROBE_TIMEOUT_SECONDS} s).
     */
    public Optional<String> problem() {
        try {
            return problem.get(PROBE_TIMEOUT_SECONDS + 5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while checking " + binary);
        } catch (ExecutionException | TimeoutException e) {
            return Optional.of(binary + " could not be checked: " + e);
        }
    }

    /** Whether the program lists libx264 among its encoders and x11grab among its devices. */
    private Optional<String> probe() {
        try {
            var encoders = run(List.of(binary.toString(), "-hide_banner", "-loglevel", "error", "-encoders"));
            var devices = run(List.of(binary.toString(), "-hide_banner", "-loglevel", "error", "-devices"));
            var lacks = new ArrayList<String>();
            if (!encoders.matches("(?s).*\\slibx264\\s.*")) lacks.add("no libx264 encoder");
            if (!devices.matches("(?s).*\\sx11grab\\s.*")) lacks.add("no x11grab device");
            if (lacks.isEmpty()) return Optional.empty();
            return Optional.of("the ffmpeg at " + binary + " has " + String.join(" and ", lacks) + ", which desktop "
                    + "screencasts need (Debian's ffmpeg package has both)");
        } catch (IOException e) {
            return Optional.of("the ffmpeg at " + binary + ", which encodes desktop screencasts, does not run: " + e.getMessage());
        }
    }

    private static String run(List<String> argv) throws IOException {
        var p = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectErrorStream(true).start();
        try (InputStream out = p.getInputStream()) {
            // a listing of a few hundred lines; more is not ffmpeg
            var text = new String(out.readNBytes(1 << 20), StandardCharsets.UTF_8);
            if (!p.waitFor(PROBE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("it did not finish within " + PROBE_TIMEOUT_SECONDS + " s");
            }
            if (p.exitValue() != 0) throw new IOException("exit code " + p.exitValue() + ": " + text.strip());
            return text;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted");
        } finally {
            if (p.isAlive()) p.destroyForcibly();
        }
    }

    /**
     * The command that captures display {@code display} of {@code width}×{@code height} pixels: x11grab at
     * {@code settings.maxFps()} pictures a second without the pointer (it travels as events of its own), encoded
     * by libx264 as constrained baseline (no B-frames, CAVLC: what every WebCodecs decoder takes), tuned for zero
     * latency (no lookahead, no frame delay, sliced threads), an IDR picture at least every
     * {@code settings.keyframeIntervalSeconds()} seconds (by the pictures' timestamps, so also when fewer pictures
     * than asked are grabbed) with SPS and PPS before it, written as FLV to standard output,
     * each picture flushed as soon as it is encoded. A screen of odd width or height is captured without its last
     * column or row (4:2:0 needs even sizes), so the video's pixels stay the screen's pixels.
     */
    public static List<String> command(Path binary, String display, int width, int height, CaptureSettings settings) {
        int fps = settings.maxFps();
        int w = width & ~1;
        int h = height & ~1;
        return List.of(binary.toString(), "-nostdin", "-hide_banner", "-nostats", "-loglevel", "warning",
                "-f", "x11grab", "-draw_mouse", "0", "-framerate", Integer.toString(fps), "-video_size", w + "x" + h,
                "-i", display + "+0,0",
                "-an", "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-profile:v", "baseline",
                "-pix_fmt", "yuv420p", "-bf", "0", "-threads", "2",
                // an IDR at least every interval of the pictures' time (x11grab's clock), however many were grabbed
                "-g", Integer.toString(fps * settings.keyframeIntervalSeconds()), "-forced-idr", "1",
                "-force_key_frames", "expr:gte(t,n_forced*" + settings.keyframeIntervalSeconds() + ")",
                "-x264-params", "repeat-headers=1",
                "-flush_packets", "1", "-flvflags", "no_duration_filesize", "-f", "flv", "pipe:1");
    }

    /** The largest FLV tag a picture of that screen may take: about its raw size, which no picture comes near. */
    static int maxPictureBytes(int width, int height) {
        return (int) Math.min((1 << 24) - 1, (long) width * height * 2 + (1 << 20));
    }
}
