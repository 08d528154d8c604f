package io.porthole.desktop;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * PNG files of 8-bit RGB or RGBA rows, unfiltered, deflated at the fastest level (screens and cursors are mostly
 * flat colour, which that compresses well). Stateless.
 */
final class Png {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    /** Fills one row: {@code width * (alpha ? 4 : 3)} bytes from {@code line[1]} on. */
    @FunctionalInterface
    interface Rows {
        void row(int y, byte[] line);
    }

    private Png() {}

    static byte[] encode(int width, int height, boolean alpha, Rows rows) {
        var out = new ByteArrayOutputStream(1 << 16);
        out.writeBytes(SIGNATURE);
        // 8 bits a sample; colour type 6 (RGBA) or 2 (RGB); deflate, no filter choice, no interlace
        var ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height)
                .put((byte) 8).put((byte) (alpha ? 6 : 2)).put((byte) 0).put((byte) 0).put((byte) 0).array();
        chunk(out, "IHDR", ihdr);
        var deflater = new Deflater(Deflater.BEST_SPEED);
        var compressed = new ByteArrayOutputStream(1 << 16);
        var line = new byte[1 + width * (alpha ? 4 : 3)];
        var buf = new byte[1 << 16];
        for (int y = 0; y < height; y++) {
            line[0] = 0; // filter: none
            rows.row(y, line);
            deflater.setInput(line);
            while (!deflater.needsInput()) compressed.write(buf, 0, deflater.deflate(buf));
        }
        deflater.finish();
        while (!deflater.finished()) compressed.write(buf, 0, deflater.deflate(buf));
        deflater.end();
        chunk(out, "IDAT", compressed.toByteArray());
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    /**
     * An image of premultiplied ARGB pixels (as XFIXES gives a cursor), row by row, as RGBA PNG with straight
     * alpha (as PNG defines it).
     */
    static byte[] premultipliedArgb(int width, int height, int[] argb) {
        if ((long) width * height > argb.length) throw new IllegalArgumentException("fewer pixels than " + width + "x" + height);
        return encode(width, height, true, (y, line) -> {
            for (int x = 0, o = 1, at = y * width; x < width; x++, at++) {
                int p = argb[at];
                int a = p >>> 24;
                line[o++] = (byte) unpremultiply((p >>> 16) & 0xff, a);
                line[o++] = (byte) unpremultiply((p >>> 8) & 0xff, a);
                line[o++] = (byte) unpremultiply(p & 0xff, a);
                line[o++] = (byte) a;
            }
        });
    }

    private static int unpremultiply(int c, int a) {
        if (a == 0) return 0;
        if (a == 255) return c;
        return Math.min(255, (c * 255 + a / 2) / a);
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        var typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(typeBytes);
        out.writeBytes(data);
        var crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
