package io.porthole.desktop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** The dump-to-PNG conversion, checked pixel by pixel with the JDK's own PNG reader. */
class XwdTest {
    /** A dump as xwd writes one for a TrueColor screen: header, no colormap, rows padded to 4 bytes. */
    private static byte[] dump(int width, int height, int bitsPerPixel, boolean littleEndian, int[][] rgb) {
        int step = bitsPerPixel / 8;
        int bytesPerLine = (width * step + 3) / 4 * 4;
        int headerSize = 100 + 8; // the window name follows the 25 header words
        var b = ByteBuffer.allocate(headerSize + bytesPerLine * height).order(ByteOrder.BIG_ENDIAN);
        // header size, version, ZPixmap, depth, size, x offset, byte order, bitmap unit, bit order, pad,
        // bits per pixel, bytes per line, TrueColor, masks, bits per rgb, colormap entries, ncolors, window
        int[] words = {headerSize, 7, 2, 24, width, height, 0, littleEndian ? 0 : 1, 32, littleEndian ? 0 : 1, 32,
                bitsPerPixel, bytesPerLine, 4, 0xff0000, 0xff00, 0xff, 8, 256, 0, width, height, 0, 0, 0};
        for (int i = 0; i < words.length; i++) b.putInt(i * 4, words[i]);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int p = rgb[y][x];
                int at = headerSize + y * bytesPerLine + x * step;
                var bytes = step == 4
                        ? (littleEndian ? new int[] {p, p >> 8, p >> 16, 0} : new int[] {0, p >> 16, p >> 8, p})
                        : (littleEndian ? new int[] {p, p >> 8, p >> 16} : new int[] {p >> 16, p >> 8, p});
                for (int k = 0; k < step; k++) b.put(at + k, (byte) bytes[k]);
            }
        }
        return b.array();
    }

    private static int[][] picture(int width, int height) {
        var rgb = new int[height][width];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) rgb[y][x] = (x * 37 % 256) << 16 | (y * 91 % 256) << 8 | ((x + y) * 13 % 256);
        }
        return rgb;
    }

    @Test
    void everyPixelSurvivesInEachLayoutXwdWrites() throws Exception {
        int w = 37;
        int h = 11;
        var rgb = picture(w, h);
        for (int bpp : new int[] {32, 24}) {
            for (boolean little : new boolean[] {true, false}) {
                var png = Xwd.toPng(dump(w, h, bpp, little, rgb));
                var image = ImageIO.read(new ByteArrayInputStream(png));
                assertEquals(w, image.getWidth());
                assertEquals(h, image.getHeight());
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        assertEquals(rgb[y][x], image.getRGB(x, y) & 0xffffff, bpp + " bpp, little " + little + " at " + x + "," + y);
                    }
                }
                var decoded = Xwd.decode(dump(w, h, bpp, little, rgb));
                assertEquals(rgb[5][7], decoded.getRGB(7, 5) & 0xffffff);
            }
        }
    }

    @Test
    void whatIsNotADumpIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Xwd.toPng(new byte[10]));
        var truncated = java.util.Arrays.copyOf(dump(10, 10, 32, true, picture(10, 10)), 300);
        assertThrows(IllegalArgumentException.class, () -> Xwd.toPng(truncated));
    }
}
