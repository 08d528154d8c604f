package io.porthole.desktop;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reads the X Window Dump format that {@code xwd -root} writes (a ZPixmap of 24 or 32 bits per pixel, as Xvfb's
 * TrueColor screens have, after a header) and writes it as PNG with {@link ZPixmap}. The desktop itself captures
 * with {@code GetImage}; this is for the benchmark's baseline of {@code xwd} run directly.
 */
public final class Xwd {
    private Xwd() {}

    /** The dump as PNG. @throws IllegalArgumentException if it is not a dump this reads */
    public static byte[] toPng(byte[] xwd) {
        return pixmap(xwd).toPng();
    }

    static ZPixmap pixmap(byte[] xwd) {
        if (xwd.length < 100) throw new IllegalArgumentException("not an xwd dump (" + xwd.length + " bytes)");
        var header = ByteBuffer.wrap(xwd).order(ByteOrder.BIG_ENDIAN);
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
        long offset = (long) headerSize + (long) ncolors * 12;
        if (headerSize < 100 || ncolors < 0 || offset > xwd.length) throw new IllegalArgumentException("truncated xwd dump");
        try {
            return new ZPixmap(xwd, (int) offset, width, height, bytesPerLine, bitsPerPixel, byteOrder == 0,
                    header.getInt(56), header.getInt(60), header.getInt(64));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("truncated or malformed xwd dump: " + e.getMessage(), e);
        }
    }

    /** The dump as an image (tests compare pixels with it). */
    static BufferedImage decode(byte[] xwd) {
        return pixmap(xwd).toImage();
    }
}
