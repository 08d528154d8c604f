package io.porthole.core;

import io.porthole.core.internal.Threads;
import io.porthole.core.live.Frame;
import io.porthole.core.live.Screencast;
import io.porthole.core.live.StreamEnded;
import io.porthole.core.sandbox.Sandbox;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Records a computer's screencast ({@code recordVideo}) into an MP4 file of the server's, for the whole time the
 * computer runs: it watches like any viewer (so the capture runs while it records, and it is dropped frames like a
 * slow viewer when it falls behind), and feeds an ffmpeg that runs inside the computer's sandbox, so that the
 * encoding counts against the computer's own CPU and memory and no decoder of ours reads the computer's pictures on
 * the host. JPEG pictures are encoded to H.264; a desktop's H.264 is copied as it is. The MP4 is fragmented, so what
 * was written before a crash still plays. The file stops growing at {@code maxBytes}.
 *
 * <p>Thread-safe: one thread feeds the encoder; {@link #finish} may be called from any thread, once.
 */
public final class Recorder {
    private static final System.Logger LOG = System.getLogger(Recorder.class.getName());
    /** How long the encoder may take to write out what it holds once its input ends. */
    private static final Duration FINISH_TIMEOUT = Duration.ofSeconds(20);
    /** Keep this much below the artifact limit: the last fragment is written after the input stops. */
    private static final double FILL = 0.9;

    private final Sandbox sandbox;
    private final Path ffmpeg;
    private final Path file;
    private final long maxBytes;
    private final int width;
    private final int height;
    private final Screencast.Viewer viewer;
    private final Thread feeder;
    private volatile Process encoder;
    private volatile Future<?> output;
    private volatile Future<?> errors;
    private volatile String problem;

    private Recorder(Sandbox sandbox, Path ffmpeg, Screencast screencast, Path file, long maxBytes, int width, int height) {
        this.sandbox = sandbox;
        this.ffmpeg = ffmpeg;
        this.file = file;
        this.maxBytes = maxBytes;
        this.width = even(width);
        this.height = even(height);
        this.viewer = screencast.join("recording", false);
        this.feeder = Threads.startVirtual("porthole-recorder", this::feed);
    }

    /** Whether this host can record: an ffmpeg at {@code ffmpeg} (which sandboxes see, read-only). */
    static boolean available(Path ffmpeg) {
        return Files.isExecutable(ffmpeg);
    }

    /** Where a finished recording goes (the artifact store). */
    public interface Sink {
        void store(ComputerRecord computer, String name, Path file) throws IOException;
    }

    private static final String PART = "recording-";

    /**
     * Starts recording the computer into the next part file of {@code dir} (the server's directory for it: a
     * server that takes the computer over after a restart records on into a new part), at the size of its screen.
     */
    static Recorder start(Computer computer, Path ffmpeg, Path dir, long maxBytes) {
        var r = computer.record();
        double scale = computer.isDesktop() ? 1 : r.scale();
        var file = dir.resolve(PART + (parts(dir).size() + 1) + ".mp4");
        return new Recorder(computer.sandbox(), ffmpeg, computer.screencast(), file, maxBytes,
                (int) Math.round(r.width() * scale), (int) Math.round(r.height() * scale));
    }

    /** The parts of a recording {@code dir} holds, in order. */
    static List<Path> parts(Path dir) {
        var out = new ArrayList<Path>();
        for (int i = 1; Files.isRegularFile(dir.resolve(PART + i + ".mp4")); i++) out.add(dir.resolve(PART + i + ".mp4"));
        return out;
    }

    /** Stores every non-empty part of the computer's recording with {@code sink}: recording.mp4, or -1, -2… */
    static void store(ComputerRecord computer, Path dir, Sink sink) {
        var parts = parts(dir);
        for (int i = 0; i < parts.size(); i++) {
            var name = parts.size() == 1 ? "recording.mp4" : PART + (i + 1) + ".mp4";
            try {
                if (Files.size(parts.get(i)) > 0) sink.store(computer, name, parts.get(i));
            } catch (IOException | RuntimeException e) {
                try (var about = LogContext.about(computer.id(), computer.tenantId())) {
                    LOG.log(System.Logger.Level.WARNING, "the recording of " + computer.id() + " could not be stored", e);
                }
            }
        }
    }

    private void feed() {
        OutputStream in = null;
        try {
            while (true) {
                var next = viewer.next(Duration.ofSeconds(5));
                if (next.isEmpty()) continue;
                var frame = next.get();
                byte[] bytes = switch (frame) {
                    case Frame.Jpeg j -> j.data();
                    case Frame.H264 h -> h.nalus();
                    default -> null;
                };
                if (bytes == null) continue;
                if (in == null) in = startEncoder(frame instanceof Frame.H264);
                if (Files.size(file) > maxBytes * FILL) {
                    problem = "the recording reached its size limit (" + maxBytes + " bytes) and stopped";
                    break;
                }
                in.write(bytes);
                in.flush();
            }
        } catch (StreamEnded e) {
            // the computer (or this recording) has ended
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the encoder stopped taking input (it died, or the sandbox is ending)
            if (problem == null) problem = "the encoder stopped: " + e.getMessage();
        } finally {
            viewer.close();
            if (in != null) {
                try {
                    in.close();
                } catch (IOException ignored) {
                    // the encoder has gone
                }
            }
        }
    }

    /** Starts ffmpeg inside the sandbox: pictures in on its stdin, fragmented MP4 out on its stdout to the file. */
    private OutputStream startEncoder(boolean h264) throws IOException {
        var argv = new ArrayList<>(List.of(ffmpeg.toString(), "-hide_banner", "-nostdin", "-loglevel", "error",
                "-use_wallclock_as_timestamps", "1"));
        if (h264) {
            argv.addAll(List.of("-f", "h264", "-i", "pipe:0", "-c:v", "copy"));
        } else {
            argv.addAll(List.of("-f", "image2pipe", "-c:v", "mjpeg", "-i", "pipe:0",
                    // pictures of another size (a viewport change) are fitted into the first size, as x264 needs
                    "-vf", "scale=" + width + ":" + height + ":force_original_aspect_ratio=decrease,pad=" + width + ":"
                            + height + ":(ow-iw)/2:(oh-ih)/2,format=yuv420p",
                    "-c:v", "libx264", "-preset", "veryfast", "-crf", "30", "-fps_mode", "vfr",
                    // a keyframe, and so a fragment, every 2 s: what was written before a crash plays
                    "-force_key_frames", "expr:gte(t,n_forced*2)"));
        }
        argv.addAll(List.of("-movflags", "frag_keyframe+empty_moov+default_base_moof", "-f", "mp4", "pipe:1"));
        var process = sandbox.start(argv, java.util.Map.of(), Sandbox.WORKSPACE, true);
        encoder = process;
        var out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        output = Threads.onPipeThread(() -> copy(process.getInputStream(), out));
        errors = Threads.onPipeThread(() -> drain(process.getErrorStream()));
        return process.getOutputStream();
    }

    private void copy(InputStream from, OutputStream to) {
        try (from; to) {
            from.transferTo(to);
        } catch (IOException e) {
            // the encoder ended
        }
    }

    /** Keeps the first few lines ffmpeg says about a failure, for the log. */
    private void drain(InputStream err) {
        try (err) {
            var text = new String(err.readNBytes(4096), java.nio.charset.StandardCharsets.UTF_8).strip();
            err.transferTo(OutputStream.nullOutputStream());
            if (!text.isEmpty()) LOG.log(System.Logger.Level.DEBUG, "the recorder''s ffmpeg said: {0}", text);
        } catch (IOException ignored) {
            // the encoder ended
        }
    }

    /**
     * Stops recording and waits for the encoder to write out what it holds.
     *
     * @return the recording, if anything was recorded
     */
    Optional<Path> finish() {
        viewer.close();
        try {
            feeder.join(FINISH_TIMEOUT);
            var p = encoder;
            if (p != null) {
                if (!p.waitFor(FINISH_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                    LOG.log(System.Logger.Level.WARNING, "the recorder's encoder did not finish in time; stopping it");
                    sandbox.killGroup(p);
                }
                await(output);
                await(errors);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (problem != null) LOG.log(System.Logger.Level.INFO, "recording: {0}", problem);
        try {
            return Files.exists(file) && Files.size(file) > 0 ? Optional.of(file) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static void await(Future<?> f) throws InterruptedException {
        if (f == null) return;
        try {
            f.get(FINISH_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // what was written stays
        }
    }

    private static int even(int n) {
        return Math.max(2, n - (n % 2));
    }
}
