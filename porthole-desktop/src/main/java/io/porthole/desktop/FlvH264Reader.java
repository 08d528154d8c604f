package io.porthole.desktop;

import io.porthole.core.live.Frame;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Optional;

/**
 * Reads the H.264 pictures of an FLV stream (as ffmpeg's {@code -f flv} writes it) and hands each out as one access
 * unit of Annex-B NAL units. FLV frames every packet with its length, so a picture is handed out as soon as its
 * last byte is read; a raw Annex-B stream would tell where a picture ends only when the next one begins.
 *
 * <p>Each access unit holds its pictures' slices and any SPS and PPS the encoder sent with them; SEI, access unit
 * delimiters and filler are left out (a browser's decoder needs none of them). One holding an IDR slice is a
 * keyframe, and always starts with the SPS and PPS (the last ones the stream sent, when the encoder did not repeat
 * them), so a decoder can start there.
 *
 * <p>The stream comes from inside a computer and is read as hostile: every length is checked before anything is
 * allocated, a tag is at most {@code maxTagBytes}, and anything that is not what ffmpeg writes ends the stream with
 * an {@link IOException} saying what was wrong. Not thread-safe (one reader). Public for the benchmark, which reads
 * its baseline's encoder with it.
 */
public final class FlvH264Reader {
    private static final int TAG_AUDIO = 8;
    private static final int TAG_VIDEO = 9;
    private static final int TAG_SCRIPT = 18;
    private static final int CODEC_AVC = 7;
    private static final int NAL_IDR = 5;
    private static final int NAL_SEI = 6;
    private static final int NAL_SPS = 7;
    private static final int NAL_PPS = 8;
    private static final int NAL_AUD = 9;
    private static final int NAL_FILLER = 12;
    private static final byte[] START_CODE = {0, 0, 0, 1};

    private final DataInputStream in;
    private final int maxTagBytes;
    private boolean headerRead;
    private int lengthSize = 4;
    private byte[] sps;
    private byte[] pps;

    /** @param maxTagBytes the largest FLV tag accepted (a picture and its headers); FLV itself allows 2^24 - 1 */
    public FlvH264Reader(InputStream in, int maxTagBytes) {
        this.in = new DataInputStream(in);
        this.maxTagBytes = maxTagBytes;
    }

    /**
     * The next picture, waiting for it.
     *
     * @return empty at the end of the stream (between two tags)
     * @throws IOException if reading fails, the stream ends inside a tag, or it is not an FLV stream of H.264
     */
    public Optional<Frame.H264> next() throws IOException {
        if (!headerRead) {
            if (!header()) return Optional.empty();
            headerRead = true;
        }
        while (true) {
            int type;
            try {
                type = in.readUnsignedByte();
            } catch (EOFException e) {
                return Optional.empty();
            }
            try {
                var picture = tag(type);
                if (picture.isPresent()) return picture;
            } catch (EOFException e) {
                throw new IOException("the encoder's stream ended inside a tag");
            }
        }
    }

    private boolean header() throws IOException {
        var h = new byte[9];
        try {
            in.readFully(h);
        } catch (EOFException e) {
            return false;
        }
        if (h[0] != 'F' || h[1] != 'L' || h[2] != 'V') throw new IOException("the encoder's stream is not FLV");
        long offset = u32(h, 5);
        if (offset < 9 || offset > 1024) throw new IOException("the encoder's FLV header is " + offset + " bytes");
        in.skipNBytes(offset - 9);
        in.skipNBytes(4); // the size of "tag 0"
        return true;
    }

    private Optional<Frame.H264> tag(int typeByte) throws IOException {
        var h = new byte[10];
        in.readFully(h);
        int type = typeByte & 0x1f;
        if ((typeByte & 0x20) != 0) throw new IOException("the encoder's stream is encrypted");
        int size = (h[0] & 0xff) << 16 | (h[1] & 0xff) << 8 | (h[2] & 0xff);
        if (size > maxTagBytes) throw new IOException("the encoder wrote a tag of " + size + " bytes (at most " + maxTagBytes + ")");
        Optional<Frame.H264> picture = Optional.empty();
        if (type == TAG_VIDEO) {
            var body = new byte[size];
            in.readFully(body);
            picture = video(body);
        } else if (type == TAG_AUDIO || type == TAG_SCRIPT) {
            in.skipNBytes(size);
        } else {
            throw new IOException("the encoder wrote an FLV tag of type " + type);
        }
        long previous = in.readInt() & 0xffffffffL;
        if (previous != size + 11L) throw new IOException("the encoder's FLV tag sizes disagree (" + previous + ", " + (size + 11) + ")");
        return picture;
    }

    private Optional<Frame.H264> video(byte[] b) throws IOException {
        if (b.length < 5) throw new IOException("the encoder wrote a video tag of " + b.length + " bytes");
        if ((b[0] & 0x0f) != CODEC_AVC) throw new IOException("the encoder's video is not H.264 (FLV codec " + (b[0] & 0x0f) + ")");
        return switch (b[1]) {
            case 0 -> {
                configuration(b);
                yield Optional.empty();
            }
            case 1 -> picture(b);
            case 2 -> Optional.empty(); // end of sequence
            default -> throw new IOException("the encoder wrote an AVC packet of type " + b[1]);
        };
    }

    /** An AVCDecoderConfigurationRecord: the NAL length size, SPS and PPS. */
    private void configuration(byte[] b) throws IOException {
        int at = 5;
        if (b.length < at + 6 || b[at] != 1) throw new IOException("the encoder's AVC configuration is malformed");
        lengthSize = (b[at + 4] & 0x03) + 1;
        if (lengthSize == 3) throw new IOException("the encoder's NAL units have lengths of 3 bytes");
        int count = b[at + 5] & 0x1f;
        at += 6;
        for (int list = 0; list < 2; list++) {
            for (int i = 0; i < count; i++) {
                if (at + 2 > b.length) throw new IOException("the encoder's AVC configuration is truncated");
                int n = (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
                at += 2;
                if (n == 0 || at + n > b.length) throw new IOException("the encoder's AVC configuration is truncated");
                var nal = Arrays.copyOfRange(b, at, at + n);
                at += n;
                if ((nal[0] & 0x1f) == NAL_SPS) sps = nal;
                else if ((nal[0] & 0x1f) == NAL_PPS) pps = nal;
            }
            if (list == 0) {
                if (at >= b.length) throw new IOException("the encoder's AVC configuration is truncated");
                count = b[at++] & 0xff;
            }
        }
    }

    private Optional<Frame.H264> picture(byte[] b) throws IOException {
        // the picture's NAL units other than SPS and PPS, which go first (of an IDR picture: always)
        var rest = new ByteArrayOutputStream(b.length + 64);
        var params = new ByteArrayOutputStream();
        boolean idr = false;
        boolean slices = false;
        int at = 5;
        while (at < b.length) {
            if (at + lengthSize > b.length) throw new IOException("the encoder's picture is truncated");
            long n = 0;
            for (int i = 0; i < lengthSize; i++) n = n << 8 | (b[at + i] & 0xff);
            at += lengthSize;
            if (n > b.length - at) throw new IOException("the encoder's picture holds a NAL unit longer than itself");
            int start = at;
            at += (int) n;
            if (n == 0) continue;
            int type = b[start] & 0x1f;
            switch (type) {
                case NAL_SEI, NAL_AUD, NAL_FILLER -> {
                    continue;
                }
                case NAL_SPS -> sps = Arrays.copyOfRange(b, start, at);
                case NAL_PPS -> pps = Arrays.copyOfRange(b, start, at);
                default -> {
                    idr |= type == NAL_IDR;
                    slices |= type >= 1 && type <= 5;
                }
            }
            var to = type == NAL_SPS || type == NAL_PPS ? params : rest;
            to.write(START_CODE);
            to.write(b, start, (int) n);
        }
        if (!slices) return Optional.empty();
        var unit = new ByteArrayOutputStream(rest.size() + params.size() + 64);
        if (idr) {
            if (sps == null || pps == null) throw new IOException("the encoder sent an IDR picture before any SPS and PPS");
            unit.write(START_CODE);
            unit.write(sps);
            unit.write(START_CODE);
            unit.write(pps);
        } else {
            params.writeTo(unit);
        }
        rest.writeTo(unit);
        return Optional.of(new Frame.H264(unit.toByteArray(), idr));
    }

    private static long u32(byte[] b, int at) {
        return (b[at] & 0xffL) << 24 | (b[at + 1] & 0xffL) << 16 | (b[at + 2] & 0xffL) << 8 | (b[at + 3] & 0xffL);
    }
}
