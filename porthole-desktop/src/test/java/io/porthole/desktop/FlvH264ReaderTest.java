package io.porthole.desktop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.porthole.core.live.CaptureSettings;
import io.porthole.core.live.Frame;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The encoder's FLV stream read into access units: on what Debian's ffmpeg writes (a test pattern, encoded with the
 * screencast's own settings, and without repeated headers), and on streams a hostile computer could write instead.
 */
class FlvH264ReaderTest {
    private static final int MAX = 1 << 20;

    /** ffmpeg's test pattern of 10 s at 10 fps, encoded as the screencast encodes, but from lavfi, not x11grab. */
    private static byte[] encoded(boolean repeatHeaders) throws Exception {
        var argv = new ArrayList<>(List.of("/usr/bin/ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i",
                "testsrc=size=320x240:rate=10:duration=10"));
        // the screencast's encoder arguments, from "-an" on
        var screencast = FfmpegEncoder.command(FfmpegEncoder.DEFAULT, ":1", 320, 240, new CaptureSettings(10, 60, 2));
        var encoding = new ArrayList<>(screencast.subList(screencast.indexOf("-an"), screencast.size()));
        if (!repeatHeaders) {
            int i = encoding.indexOf("repeat-headers=1");
            encoding.remove(i);
            encoding.remove(i - 1);
        }
        argv.addAll(encoding);
        var p = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        var out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        return out;
    }

    private static List<Frame.H264> read(byte[] flv) throws IOException {
        var reader = new FlvH264Reader(new ByteArrayInputStream(flv), MAX);
        var out = new ArrayList<Frame.H264>();
        while (true) {
            var f = reader.next();
            if (f.isEmpty()) return out;
            out.add(f.get());
        }
    }

    static List<Integer> nalTypes(byte[] b) {
        var types = new ArrayList<Integer>();
        for (int i = 0; i + 4 < b.length; i++) {
            if (b[i] == 0 && b[i + 1] == 0 && b[i + 2] == 0 && b[i + 3] == 1) {
                types.add(b[i + 4] & 0x1f);
                i += 4;
            }
        }
        return types;
    }

    private static void checkStream(List<Frame.H264> pictures) throws Exception {
        assertEquals(100, pictures.size(), "one access unit per picture");
        var keyframes = pictures.stream().filter(Frame.H264::keyframe).count();
        assertEquals(5, keyframes, "an IDR every 2 s");
        for (var p : pictures) {
            var types = nalTypes(p.nalus());
            assertFalse(types.contains(6), "no SEI: " + types);
            if (p.keyframe()) {
                assertEquals(List.of(7, 8), types.subList(0, 2), "SPS and PPS first: " + types);
                assertTrue(types.subList(2, types.size()).stream().allMatch(t -> t == 5), types.toString());
            } else {
                assertTrue(types.stream().allMatch(t -> t == 1), types.toString());
            }
        }
        assertTrue(pictures.getFirst().keyframe());
        // a decoder that starts at the second keyframe decodes everything from there
        int second = 0;
        for (int i = 1; i < pictures.size(); i++) {
            if (pictures.get(i).keyframe()) {
                second = i;
                break;
            }
        }
        var annexB = new ByteArrayOutputStream();
        for (var p : pictures.subList(second, pictures.size())) annexB.writeBytes(p.nalus());
        var file = Files.createTempFile("flv-reader-", ".h264");
        try {
            Files.write(file, annexB.toByteArray());
            var p = new ProcessBuilder("/usr/bin/ffprobe", "-v", "error", "-f", "h264", "-count_frames",
                    "-show_entries", "stream=width,height,nb_read_frames", "-of", "csv=p=0", file.toString())
                    .redirectErrorStream(true).start();
            var said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals("320,240," + (pictures.size() - second), said);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void theScreencastsEncodingIsReadAsOneKeyframeOrPictureAtATime() throws Exception {
        checkStream(read(encoded(true)));
    }

    @Test
    void anIdrPictureWithoutItsHeadersGetsTheLastOnesTheStreamSent() throws Exception {
        var flv = encoded(false);
        checkStream(read(flv));
    }

    // ---- hostile streams ----

    private static byte[] header() {
        return new byte[] {'F', 'L', 'V', 1, 1, 0, 0, 0, 9, 0, 0, 0, 0};
    }

    private static byte[] tag(int type, byte[] body) {
        var b = ByteBuffer.allocate(11 + body.length + 4);
        b.put((byte) type).put((byte) (body.length >> 16)).put((byte) (body.length >> 8)).put((byte) body.length);
        b.put(new byte[7]).put(body).putInt(11 + body.length);
        return b.array();
    }

    private static byte[] concat(byte[]... parts) {
        var out = new ByteArrayOutputStream();
        for (var p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    /** A video tag of AVC NAL units (4-byte lengths). */
    private static byte[] avc(int frameType, byte[]... nals) {
        var out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) (frameType << 4 | 7), 1, 0, 0, 0});
        for (var n : nals) out.writeBytes(concat(ByteBuffer.allocate(4).putInt(n.length).array(), n));
        return out.toByteArray();
    }

    private static IOException refused(byte[] stream) {
        return assertThrows(IOException.class, () -> read(stream));
    }

    @Test
    void anEmptyStreamHasNoPictures() throws Exception {
        assertTrue(read(new byte[0]).isEmpty());
        assertTrue(read(header()).isEmpty());
    }

    @Test
    void whatIsNotAnFlvStreamOfH264IsRefused() {
        assertTrue(refused("GIF89a and more".getBytes(StandardCharsets.US_ASCII)).getMessage().contains("not FLV"));
        var vp6 = new byte[] {0x14, 0, 0, 0, 0, 0};
        assertTrue(refused(concat(header(), tag(9, vp6))).getMessage().contains("not H.264"));
        assertTrue(refused(concat(header(), tag(7, new byte[3]))).getMessage().contains("type 7"));
    }

    @Test
    void aTagLargerThanAllowedIsRefusedBeforeItIsRead() {
        var big = new byte[] {9, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0, 0, 0, 0, 0, 0, 0};
        var e = refused(concat(header(), big));
        assertTrue(e.getMessage().contains("16777215 bytes"), e.getMessage());
    }

    @Test
    void lengthsThatDoNotAddUpAreRefused() {
        var nal = new byte[] {0x41, 1, 2, 3};
        var body = avc(2, nal);
        // a NAL unit said to be longer than its tag
        var tooLong = body.clone();
        tooLong[8] = 100;
        assertTrue(refused(concat(header(), tag(9, tooLong))).getMessage().contains("longer than itself"));
        // a tag cut short by the end of the stream
        var whole = concat(header(), tag(9, body));
        var cut = java.util.Arrays.copyOf(whole, whole.length - 6);
        assertTrue(refused(cut).getMessage().contains("inside a tag"));
        // a previous-tag size that is not the tag's
        var wrongSize = whole.clone();
        wrongSize[wrongSize.length - 1] ^= 1;
        assertTrue(refused(wrongSize).getMessage().contains("sizes disagree"));
    }

    @Test
    void anIdrPictureBeforeAnyHeadersIsRefused() {
        var idr = new byte[] {0x65, (byte) 0x88, 0, 0};
        assertTrue(refused(concat(header(), tag(9, avc(1, idr)))).getMessage().contains("before any SPS and PPS"));
    }

    @Test
    void tagsWithoutSlicesGiveNoPicture() throws Exception {
        var sei = new byte[] {0x06, 5, 1, 0};
        var stream = concat(header(), tag(18, new byte[20]), tag(8, new byte[4]), tag(9, avc(2, sei)),
                tag(9, avc(2, new byte[] {0x41, 1})));
        var pictures = read(stream);
        assertEquals(1, pictures.size());
        assertEquals(List.of(1), nalTypes(pictures.getFirst().nalus()));
        assertFalse(pictures.getFirst().keyframe());
    }
}
