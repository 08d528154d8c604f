package io.porthole.core.browser;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Who a browser computer appears to be, beyond its engine: where it is (timezone, geolocation), what it speaks
 * (locale and languages) and what it is shown on (the screen). Every part has a plausible default; the engines
 * apply it so that every context of the browser agrees (pages, iframes, each kind of worker, the HTTP headers).
 *
 * @param timezone an IANA zone name, e.g. {@code America/New_York}; given to the browser as {@code TZ}
 * @param locale a BCP 47 tag, e.g. {@code en-US}: the browser's UI and {@code Intl} locale
 * @param languages {@code navigator.languages}, most preferred first (the first is {@code navigator.language});
 *     {@code Accept-Language} says the same with q-values
 * @param geolocation what the Geolocation API answers; empty: the page's request is left to the browser (no fix)
 * @param screenWidth the screen's width in CSS pixels, at least the window's
 * @param screenHeight the screen's height in CSS pixels, at least the window's
 */
public record Identity(String timezone, String locale, List<String> languages, Optional<Geolocation> geolocation,
                       int screenWidth, int screenHeight) {

    /** A fix the Geolocation API reports: degrees, and its accuracy in metres. */
    public record Geolocation(double latitude, double longitude, double accuracyMeters) {}

    /** The zone a computer is in when nothing says otherwise: a common one, as UTC is a tell no desktop has. */
    public static final String DEFAULT_TIMEZONE = "America/New_York";
    public static final String DEFAULT_LOCALE = "en-US";

    /** Screens desktop browsers are commonly seen on, smallest first. */
    static final int[][] COMMON_SCREENS = {{1366, 768}, {1440, 900}, {1536, 864}, {1600, 900}, {1920, 1080},
            {2560, 1440}, {3840, 2160}};

    /** Room a window needs on a screen beyond its viewport: the browser's tab strip and toolbar, and a taskbar. */
    public static final int CHROME_AND_TASKBAR_HEIGHT = 140;

    public Identity {
        Objects.requireNonNull(timezone, "timezone");
        Objects.requireNonNull(locale, "locale");
        languages = List.copyOf(languages);
        if (languages.isEmpty()) throw new IllegalArgumentException("an identity speaks at least one language");
        Objects.requireNonNull(geolocation, "geolocation");
    }

    /** The default identity for a viewport of {@code width}x{@code height}. */
    public static Identity defaults(int width, int height) {
        int[] screen = screenFor(width, height);
        return new Identity(DEFAULT_TIMEZONE, DEFAULT_LOCALE, languagesFor(DEFAULT_LOCALE), Optional.empty(), screen[0], screen[1]);
    }

    /** The smallest common screen that holds a window around a viewport of that size; else the viewport plus room. */
    public static int[] screenFor(int width, int height) {
        for (var s : COMMON_SCREENS) {
            if (s[0] >= width && s[1] >= height + CHROME_AND_TASKBAR_HEIGHT) return s.clone();
        }
        return new int[] {width, height + CHROME_AND_TASKBAR_HEIGHT};
    }

    /** What a browser set to {@code locale} offers by default: the tag, then its language alone (en-US, en). */
    public static List<String> languagesFor(String locale) {
        var tag = Locale.forLanguageTag(locale);
        var base = tag.getLanguage();
        return base.isEmpty() || base.equalsIgnoreCase(locale) ? List.of(locale) : List.of(locale, base);
    }

    /** {@code Accept-Language} for {@link #languages}: {@code en-US,en;q=0.9}, as a desktop browser sends it. */
    public String acceptLanguage() {
        var sb = new StringBuilder();
        for (int i = 0; i < languages.size(); i++) {
            if (i > 0) sb.append(',');
            sb.append(languages.get(i));
            if (i > 0) sb.append(";q=").append(String.format(Locale.ROOT, "%.1f", Math.max(0.1, 1.0 - i / 10.0)));
        }
        return sb.toString();
    }

    /** The same identity on another screen. */
    public Identity withScreen(int width, int height) {
        return new Identity(timezone, locale, languages, geolocation, width, height);
    }
}
