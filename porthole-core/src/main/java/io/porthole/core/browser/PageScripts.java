package io.porthole.core.browser;

import java.util.Locale;

/** Scripts the browser drivers run in pages, written once for both engines. */
public final class PageScripts {
    /** How long {@link #awaitViewport} waits in the page before it gives up (a page may hide its size). */
    public static final long VIEWPORT_WAIT_MILLIS = 2_000;

    private PageScripts() {}

    /**
     * An expression whose promise resolves to true once the page has the viewport {@code width} × {@code height}
     * at {@code scale} (at once if it has it already, else at the resize), or to false after
     * {@link #VIEWPORT_WAIT_MILLIS}. Both engines answer a viewport command before the page has resized.
     */
    public static String awaitViewport(int width, int height, double scale) {
        return String.format(Locale.ROOT, "new Promise(r => { const ok = () => innerWidth === %d && innerHeight === %d"
                + " && Math.abs(devicePixelRatio - %s) < 0.01; if (ok()) return r(true);"
                + " const done = v => { clearTimeout(t); removeEventListener('resize', f); r(v); };"
                + " const f = () => { if (ok()) done(true); }; const t = setTimeout(() => done(ok()), %d);"
                + " addEventListener('resize', f); })", width, height, Double.toString(scale), VIEWPORT_WAIT_MILLIS);
    }
}
