package io.porthole.desktop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.porthole.core.live.CaptureSettings;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Whether the host's ffmpeg can encode screencasts, and the command it is given. */
class FfmpegEncoderTest {
    @Test
    void debiansFfmpegCanEncodeScreencasts() {
        assertEquals(Optional.empty(), new FfmpegEncoder(FfmpegEncoder.DEFAULT).problem());
    }

    @Test
    void aMissingFfmpegSaysWhatToInstall() {
        var problem = new FfmpegEncoder(Path.of("/nonexistent/ffmpeg")).problem().orElseThrow();
        assertTrue(problem.contains("/nonexistent/ffmpeg") && problem.contains("apt-get install ffmpeg"), problem);
    }

    @Test
    void aProgramThatIsNotAnFfmpegWithX11grabAndLibx264IsNamed() {
        var problem = new FfmpegEncoder(Path.of("/bin/true")).problem().orElseThrow();
        assertTrue(problem.contains("no libx264 encoder and no x11grab device"), problem);
        var failing = new FfmpegEncoder(Path.of("/bin/false")).problem().orElseThrow();
        assertTrue(failing.contains("does not run"), failing);
    }

    @Test
    void theCommandGrabsWithoutThePointerAndEncodesForABrowser() {
        var argv = FfmpegEncoder.command(FfmpegEncoder.DEFAULT, ":1", 1281, 721, new CaptureSettings(15, 60, 3));
        var line = String.join(" ", argv);
        assertTrue(line.contains("-f x11grab -draw_mouse 0 -framerate 15 -video_size 1280x720 -i :1+0,0"), line);
        assertTrue(line.contains("-profile:v baseline") && line.contains("-tune zerolatency") && line.contains("-bf 0"), line);
        assertTrue(line.contains("-g 45 ") && line.contains("expr:gte(t,n_forced*3)"), line);
        assertTrue(line.endsWith("-f flv pipe:1"), line);
    }
}
