package io.porthole.desktop;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import javax.imageio.ImageIO;

/**
 * Reads the X Window Dump format that {@code xwd -root} writes (a ZPixmap of 24 or 32 bits per pixel, as
 * Xvfb's TrueColor screens have) and writes it as PNG. Public for the benchmark, which converts the same way.
 */
public final class Xwd {
    private Xwd() {}

    /** The dump as PNG. @throws IllegalArgumentException if it is not a dump this reads */
    public static byte[] toPng(byte[] xwd) {
        return png(decode(xwd));
    }

    static BufferedImage decode(byte[] xwd) {
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
        int redMask = header.getInt(56);
        int greenMask = header.getInt(60);
        int blueMask = header.getInt(64);
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
        int redShift = Integer.numberOfTrailingZeros(redMask);
        int greenShift = Integer.numberOfTrailingZeros(greenMask);
        int blueShift = Integer.numberOfTrailingZeros(blueMask);
        var image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[width];
        int step = bitsPerPixel / 8;
        for (int y = 0; y < height; y++) {
            int base = offset + y * bytesPerLine;
            for (int x = 0; x < width; x++) {
                int p;
                int at = base + x * step;
                if (step == 4) {
                    p = pixels.getInt(at);
                } else if (byteOrder == 0) {
                    p = (xwd[at] & 0xff) | (xwd[at + 1] & 0xff) << 8 | (xwd[at + 2] & 0xff) << 16;
                } else {
                    p = (xwd[at] & 0xff) << 16 | (xwd[at + 1] & 0xff) << 8 | (xwd[at + 2] & 0xff);
                }
                int r = (p & redMask) >>> redShift;
                int g = (p & greenMask) >>> greenShift;
                int b = (p & blueMask) >>> blueShift;
                row[x] = r << 16 | g << 8 | b;
            }
            image.setRGB(0, y, width, 1, row, 0, width);
        }
        return image;
    }

    static byte[] png(BufferedImage image) {
        var out = new ByteArrayOutputStream(1 << 16);
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
