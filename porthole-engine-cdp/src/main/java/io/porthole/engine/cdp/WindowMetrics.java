package io.porthole.engine.cdp;

import io.porthole.core.browser.Identity;
import java.util.List;
import java.util.Locale;

/**
 * The window and screen a headless Chromium believes it has, given natively at launch rather than by a device
 * metrics override on each page: a screen of the identity's size with a taskbar at its bottom
 * ({@code --screen-info} with a work area), and a window that holds the viewport plus the browser's own chrome
 * ({@code --window-size}). New headless Chromium reserves {@link #CHROME_HEIGHT} pixels of a window for the tab strip
 * and toolbar it does not draw, as a desktop Chrome on Linux has them (measured on Chromium 156: a 1280x807 window
 * has a 1280x720 viewport), so {@code outerHeight} exceeds {@code innerHeight} as on a desktop.
 *
 * <p>The device scale is the screen's ({@code devicePixelRatio=} of the screen, its size in device pixels), so
 * screenshots are the viewport times the scale with no override either. Stateless.
 */
final class WindowMetrics {
    /** What headless Chromium keeps of a window for its (undrawn) tab strip and toolbar, in CSS pixels. */
    static final int CHROME_HEIGHT = 87;
    /** The taskbar the screen's work area leaves out, in CSS pixels: a common panel's height. */
    static final int TASKBAR_HEIGHT = 48;

    private WindowMetrics() {}

    /** The launch flags for a viewport of {@code width}x{@code height} at {@code scale} on the identity's screen. */
    static List<String> flags(int width, int height, double scale, Identity identity) {
        int screenW = Math.max(identity.screenWidth(), width);
        int screenH = Math.max(identity.screenHeight(), height + CHROME_HEIGHT + TASKBAR_HEIGHT);
        int windowH = height + CHROME_HEIGHT;
        // centred in the work area, as a window manager places a new window
        int x = Math.max(0, (screenW - width) / 2);
        int y = Math.max(0, (screenH - TASKBAR_HEIGHT - windowH) / 2);
        var screen = String.format(Locale.ROOT, "{0,0 %dx%d workAreaBottom=%d devicePixelRatio=%s}",
                Math.round(screenW * scale), Math.round(screenH * scale), Math.round(TASKBAR_HEIGHT * scale), number(scale));
        return List.of("--screen-info=" + screen, "--window-size=" + width + "," + windowH,
                "--window-position=" + x + "," + y,
                // a mouse, not a touch screen: (pointer: fine) and (hover: hover), and the any- forms, match
                // (Blink's PointerType fine = 4, HoverType hover = 2); navigator.maxTouchPoints stays 0
                "--blink-settings=primaryPointerType=4,availablePointerTypes=4,primaryHoverType=2,availableHoverTypes=2");
    }

    private static String number(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
