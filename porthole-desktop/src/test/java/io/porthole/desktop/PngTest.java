package io.porthole.desktop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** A cursor's premultiplied ARGB as PNG with straight alpha, read back with the JDK's own PNG reader. */
class PngTest {
    @Test
    void premultipliedPixelsComeOutWithStraightAlpha() throws Exception {
        int[] argb = {
            0xff102030, 0x00000000, // opaque, transparent
            0x80400000, 0x40202020, // half-transparent red (premultiplied 0x40 of 0x80), quarter grey
        };
        var image = ImageIO.read(new ByteArrayInputStream(Png.premultipliedArgb(2, 2, argb)));
        assertEquals(2, image.getWidth());
        assertEquals(2, image.getHeight());
        assertTrue(image.getColorModel().hasAlpha());
        assertEquals(0xff102030, image.getRGB(0, 0));
        assertEquals(0, image.getRGB(1, 0) >>> 24);
        assertEquals(0x80800000, image.getRGB(0, 1));
        assertEquals(0x40808080, image.getRGB(1, 1));
    }
}
