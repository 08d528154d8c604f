package io.porthole.desktop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The X11 client against a real Xvfb on this host. */
class X11ConnectionTest {
    private static HostXvfb xvfb;

    @BeforeAll
    static void start() throws Exception {
        xvfb = HostXvfb.start(320, 200);
    }

    @AfterAll
    static void stop() throws Exception {
        if (xvfb != null) xvfb.close();
    }

    @Test
    void theScreenIsTheOneXvfbWasStartedWith() throws Exception {
        try (var x = xvfb.connect()) {
            var s = x.screen();
            assertEquals(320, s.width());
            assertEquals(200, s.height());
            assertEquals(24, s.depth());
            assertEquals(32, s.bitsPerPixel());
            x.sync();
        }
    }

    @Test
    void getImageHoldsThePixelsXwdSees() throws Exception {
        try (var x = xvfb.connect()) {
            var ours = x.getImage(0, 0, 320, 200).toImage();
            var theirs = Xwd.decode(xvfb.run(List.of("/usr/bin/xwd", "-root", "-silent")));
            for (int y = 0; y < 200; y++) {
                for (int px = 0; px < 320; px++) assertEquals(theirs.getRGB(px, y), ours.getRGB(px, y), px + "," + y);
            }
            var png = ImageIO.read(new ByteArrayInputStream(x.getImage(0, 0, 320, 200).toPng()));
            assertEquals(320, png.getWidth());
            assertEquals(ours.getRGB(17, 33), png.getRGB(17, 33));
        }
    }

    @Test
    void thePointerGoesWhereFakeMotionSendsIt() throws Exception {
        try (var x = xvfb.connect()) {
            x.fakeMotion(123, 45);
            x.sync();
            var p = x.queryPointer();
            assertEquals(123, p.x());
            assertEquals(45, p.y());
            var cursor = x.cursorImage();
            assertEquals(123, cursor.x());
            assertEquals(45, cursor.y());
            assertTrue(cursor.width() > 0 && cursor.argb().length == cursor.width() * cursor.height(), cursor.toString());
        }
    }

    @Test
    void aKeyboardMappingChangeIsSeenByTheNextRead() throws Exception {
        try (var x = xvfb.connect()) {
            var before = x.keyboardMapping();
            assertTrue(before.perKeycode() >= 2, "keysyms per keycode: " + before.perKeycode());
            var map = new Keymap(before, x.modifierMapping());
            int[] empty = map.emptyKeycodes();
            assertTrue(empty.length > 0, "Xvfb's map has keycodes without keysyms");
            assertTrue(map.find('a').isPresent() && map.find('a').get().modifiers().length == 0);
            assertEquals(1, map.find('A').orElseThrow().modifiers().length, "A needs Shift");
            int keycode = empty[0];
            x.changeKeyboardMapping(keycode, map.columns(0x10003b1, 0x10003b2));
            x.sync();
            var after = x.keyboardMapping();
            assertEquals(0x10003b1, after.keysym(keycode, 0));
            assertEquals(0x10003b2, after.keysym(keycode, 1));
            assertTrue(new Keymap(after, x.modifierMapping()).holds(keycode, 0x10003b1, 0x10003b2));
            x.changeKeyboardMapping(keycode, new int[before.perKeycode()]);
            x.sync();
            assertEquals(0, x.keyboardMapping().keysym(keycode, 0));
        }
    }

    @Test
    void anXErrorFailsItsRequestAndLeavesTheConnectionUsable() throws Exception {
        try (var x = xvfb.connect()) {
            var e = assertThrows(X11Connection.XError.class, () -> x.getProperty(0x7ffffff0, 67, 1));
            assertTrue(e.getMessage().contains("BadWindow"), e.getMessage());
            // a request without a reply reports its error at the next round trip
            x.clientMessageToRoot(0, 0x7ffffff0, 1);
            x.sync();
            x.fakeMotion(1, 1);
            x.sync();
            assertTrue(x.isOpen());
        }
    }

    @Test
    void aClosedConnectionRefusesRequestsAtOnce() throws Exception {
        var x = xvfb.connect();
        x.close();
        var e = assertThrows(java.io.IOException.class, x::sync);
        assertTrue(e.getMessage().contains("ended"), e.getMessage());
    }

    @Test
    void theKeyboardReadsItsMapAndKeepsTheKeycodesItGave() throws Exception {
        try (var x = xvfb.connect()) {
            var keyboard = new Keyboard();
            keyboard.use(x);
            keyboard.type("aé日");
            var map = x.keyboardMapping();
            int found = 0;
            for (int k = map.firstKeycode(); k < map.firstKeycode() + map.count(); k++) {
                if (map.keysym(k, 0) == 0x10065e5 || map.keysym(k, 1) == 0x10065e5) found++;
            }
            assertEquals(1, found, "日 has one keycode");
            var shared = new Keymap(map, x.modifierMapping());
            assertEquals(shared.find(0xe9).orElseThrow().keycode(), shared.find(0x10065e5).orElseThrow().keycode(),
                    "é and 日 share a keycode, one without Shift and one with: one change of the map");
            keyboard.type("日日");
            var again = x.keyboardMapping();
            assertArrayEquals(map.keysyms(), again.keysyms(), "typing it again changes nothing");
            // a typist on another connection (a restarted server) knows the keycodes given characters as its own
            try (var y = xvfb.connect()) {
                var next = new Keyboard();
                next.use(y);
                next.type("日é");
                assertArrayEquals(map.keysyms(), y.keyboardMapping().keysyms(), "日 and é are where they were");
            }
        }
    }
}
