package io.porthole.desktop;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A TrueColor image in the X server's ZPixmap layout (rows of 24- or 32-bit pixels, each row padded, the colours
 * where the visual's masks say), as {@code GetImage} answers and as an X Window Dump holds one, and its conversion to
 * PNG: straight from the rows to PNG scanlines, deflated at the fastest level (a screen is mostly flat colour, which
 * that compresses well), with no image object in between. Public for the benchmark, which converts the same way.
 *
 * @param data the bytes that hold the image, from {@code offset} on
 * @param bytesPerLine the length of a row, padding included
 */
public record ZPixmap(byte[] data, int offset, int width, int height, int bytesPerLine, int bitsPerPixel,
                      boolean littleEndian, int redMask, int greenMask, int blueMask) {
    /** @throws IllegalArgumentException if the layout is not one this reads, or the bytes are too few for it */
    public ZPixmap {
        if (bitsPerPixel != 24 && bitsPerPixel != 32) {
            throw new IllegalArgumentException(bitsPerPixel + " bits per pixel; this reads 24 or 32");
        }
        if (width < 1 || height < 1 || (long) width * (bitsPerPixel / 8) > bytesPerLine) {
            throw new IllegalArgumentException("an image of " + width + "x" + height + " with rows of " + bytesPerLine + " bytes");
        }
        if (offset < 0 || (long) offset + (long) bytesPerLine * height > data.length) {
            throw new IllegalArgumentException("the image is truncated");
        }
        if (redMask == 0 || greenMask == 0 || blueMask == 0) throw new IllegalArgumentException("a colour mask is empty");
    }

    /** The image as PNG (8-bit RGB). */
    public byte[] toPng() {
        int[] rgb = new int[width];
        // Xvfb's layout (and most servers'): 4 bytes a pixel, blue first: the bytes go over as they are
        boolean bgrx = bitsPerPixel == 32 && littleEndian && redMask == 0xff0000 && greenMask == 0xff00 && blueMask == 0xff;
        return Png.encode(width, height, false, (y, line) -> {
            if (bgrx) {
                for (int x = 0, o = 1, at = offset + y * bytesPerLine; x < width; x++, at += 4) {
                    line[o++] = data[at + 2];
                    line[o++] = data[at + 1];
                    line[o++] = data[at];
                }
            } else {
                row(y, rgb);
                for (int x = 0, o = 1; x < width; x++) {
                    int p = rgb[x];
                    line[o++] = (byte) (p >>> 16);
                    line[o++] = (byte) (p >>> 8);
                    line[o++] = (byte) p;
                }
            }
        });
    }

    /** Row {@code y} as 0xRRGGBB values. */
    void row(int y, int[] out) {
        var pixels = ByteBuffer.wrap(data).order(littleEndian ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        int redShift = Integer.numberOfTrailingZeros(redMask);
        int greenShift = Integer.numberOfTrailingZeros(greenMask);
        int blueShift = Integer.numberOfTrailingZeros(blueMask);
        int step = bitsPerPixel / 8;
        int base = offset + y * bytesPerLine;
        for (int x = 0; x < width; x++) {
            int at = base + x * step;
            int p;
            if (step == 4) {
                p = pixels.getInt(at);
            } else if (littleEndian) {
                p = (data[at] & 0xff) | (data[at + 1] & 0xff) << 8 | (data[at + 2] & 0xff) << 16;
            } else {
                p = (data[at] & 0xff) << 16 | (data[at + 1] & 0xff) << 8 | (data[at + 2] & 0xff);
            }
            out[x] = ((p & redMask) >>> redShift) << 16 | ((p & greenMask) >>> greenShift) << 8
                    | ((p & blueMask) >>> blueShift);
        }
    }

    /** The image as an image object (tests compare pixels with it). */
    BufferedImage toImage() {
        var image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[width];
        for (int y = 0; y < height; y++) {
            row(y, row);
            image.setRGB(0, y, width, 1, row, 0, width);
        }
        return image;
    }
}
