package io.porthole.desktop;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reads the X Window Dump format that {@code xwd -root} writes (a ZPixmap of 24 or 32 bits per pixel, as
 * Xvfb's TrueColor screens have) and writes it as PNG: straight from the dump's rows to PNG scanlines, deflated
 * at the fastest level (a screen is mostly flat colour, which that compresses well), with no image object in
 * between. Public for the benchmark, which converts the same way.
 */
public final class Xwd {
    private Xwd() {}

    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    /** The dump as PNG. @throws IllegalArgumentException if it is not a dump this reads */
    public static byte[] toPng(byte[] xwd) {
        var d = Dump.of(xwd);
        var out = new ByteArrayOutputStream(1 << 16);
        out.writeBytes(SIGNATURE);
        var ihdr = ByteBuffer.allocate(13).putInt(d.width).putInt(d.height)
                .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0).array(); // 8-bit RGB
        chunk(out, "IHDR", ihdr);
        var deflater = new java.util.zip.Deflater(java.util.zip.Deflater.BEST_SPEED);
        var compressed = new ByteArrayOutputStream(1 << 16);
        var line = new byte[1 + d.width * 3];
        var buf = new byte[1 << 16];
        int[] rgb = new int[d.width];
        for (int y = 0; y < d.height; y++) {
            d.row(y, rgb);
            line[0] = 0; // filter: none
            for (int x = 0, o = 1; x < d.width; x++) {
                int p = rgb[x];
                line[o++] = (byte) (p >>> 16);
                line[o++] = (byte) (p >>> 8);
                line[o++] = (byte) p;
            }
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

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        var typeBytes = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(typeBytes);
        out.writeBytes(data);
        var crc = new java.util.zip.CRC32();
        crc.update(typeBytes);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /** A validated dump: its geometry and how to read a row of pixels as 0xRRGGBB. */
    private record Dump(byte[] xwd, ByteBuffer pixels, int width, int height, int offset, int bytesPerLine, int step,
                        boolean littleEndian, int redMask, int greenMask, int blueMask) {
        static Dump of(byte[] xwd) {
            var header = ByteBuffer.wrap(xwd).order(ByteOrder.BIG_ENDIAN);
            if (xwd.length < 100) throw new IllegalArgumentException("not an xwd dump (" + xwd.length + " bytes)");
            int headerSize = header.getInt(0);
            int version = header.getInt(4);
            int format = header.getInt(8);
            int width = header.getInt(16);
            int height = header.getInt(20);
            int byteOrder = header.getInt(28);
            int bitsPerPixel = header.getInt(44);
            int bytesPerLine = header.getInt(48);
            int ncolors = header.getInt(76);
            if (version != 7 || format != 2 || (bitsPerPixel != 32 && bitsPerPixel != 24)) {
                throw new IllegalArgumentException("unsupported xwd dump: version " + version + ", format " + format
                        + ", " + bitsPerPixel + " bits per pixel");
            }
            int offset = headerSize + ncolors * 12;
            if ((long) offset + (long) bytesPerLine * height > xwd.length) {
                throw new IllegalArgumentException("truncated xwd dump");
            }
            var pixels = ByteBuffer.wrap(xwd).order(byteOrder == 0 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
            return new Dump(xwd, pixels, width, height, offset, bytesPerLine, bitsPerPixel / 8, byteOrder == 0,
                    header.getInt(56), header.getInt(60), header.getInt(64));
        }

        void row(int y, int[] out) {
            int redShift = Integer.numberOfTrailingZeros(redMask);
            int greenShift = Integer.numberOfTrailingZeros(greenMask);
            int blueShift = Integer.numberOfTrailingZeros(blueMask);
            int base = offset + y * bytesPerLine;
            for (int x = 0; x < width; x++) {
                int at = base + x * step;
                int p;
                if (step == 4) {
                    p = pixels.getInt(at);
                } else if (littleEndian) {
                    p = (xwd[at] & 0xff) | (xwd[at + 1] & 0xff) << 8 | (xwd[at + 2] & 0xff) << 16;
                } else {
                    p = (xwd[at] & 0xff) << 16 | (xwd[at + 1] & 0xff) << 8 | (xwd[at + 2] & 0xff);
                }
                out[x] = ((p & redMask) >>> redShift) << 16 | ((p & greenMask) >>> greenShift) << 8
                        | ((p & blueMask) >>> blueShift);
            }
        }
    }

    /** The dump as an image (tests compare pixels with it). */
    static BufferedImage decode(byte[] xwd) {
        var d = Dump.of(xwd);
        var image = new BufferedImage(d.width, d.height, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[d.width];
        for (int y = 0; y < d.height; y++) {
            d.row(y, row);
            image.setRGB(0, y, d.width, 1, row, 0, d.width);
        }
        return image;
    }
}
