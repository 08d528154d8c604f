package io.porthole.sdk;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Who a browser computer appears to be ({@code identity} of a create): its time zone, locale and languages, the
 * position the Geolocation API answers, and its screen. Each part optional; the server fills in what is left out
 * (from the upstream proxy's exit address when it has a GeoIP database, else its defaults) and checks every value
 * (a 400 names what is wrong).
 *
 * <pre>{@code
 * ComputerSpec.browser().identity(IdentitySpec.create().timezone("Europe/Berlin").locale("de-DE"))
 * }</pre>
 *
 * <p>Mutable and not thread-safe: build it in one thread, then pass it on.
 */
public final class IdentitySpec {
    private final Map<String, Object> fields = new LinkedHashMap<>();
    private Boolean fromProxy;

    private IdentitySpec() {}

    /**
     * An identity that leaves every part to the server.
     *
     * @return a new spec
     */
    public static IdentitySpec create() {
        return new IdentitySpec();
    }

    /**
     * The IANA time zone, e.g. {@code Europe/Berlin}.
     *
     * @param timezone a zone name (not a fixed offset)
     * @return this spec
     */
    public IdentitySpec timezone(String timezone) {
        fields.put("timezone", Objects.requireNonNull(timezone, "timezone"));
        return this;
    }

    /**
     * The BCP 47 locale, e.g. {@code de-DE}; the languages default to it and its base language.
     *
     * @param locale a language tag
     * @return this spec
     */
    public IdentitySpec locale(String locale) {
        fields.put("locale", Objects.requireNonNull(locale, "locale"));
        return this;
    }

    /**
     * {@code navigator.languages}, most preferred first (1 to 10 tags, without q-values).
     *
     * @param languages language tags
     * @return this spec
     */
    public IdentitySpec languages(String... languages) {
        var list = new ArrayList<String>();
        for (var l : languages) list.add(Objects.requireNonNull(l, "language"));
        fields.put("languages", List.copyOf(list));
        return this;
    }

    /**
     * The position the Geolocation API answers.
     *
     * @param latitude degrees, -90 to 90
     * @param longitude degrees, -180 to 180
     * @param accuracyMeters more than 0
     * @return this spec
     */
    public IdentitySpec geolocation(double latitude, double longitude, double accuracyMeters) {
        var g = new LinkedHashMap<String, Object>();
        g.put("latitude", latitude);
        g.put("longitude", longitude);
        g.put("accuracy", accuracyMeters);
        fields.put("geolocation", g);
        return this;
    }

    /**
     * The screen in CSS pixels; it must hold the viewport plus 140 pixels in height.
     *
     * @param width 320 to 7680
     * @param height 320 to 7680
     * @return this spec
     */
    public IdentitySpec screen(int width, int height) {
        var s = new LinkedHashMap<String, Object>();
        s.put("width", width);
        s.put("height", height);
        fields.put("screen", s);
        return this;
    }

    /**
     * Whether the parts left out come from the upstream proxy's exit address (the server's GeoIP database); by default
     * they do when the server has one and the computer has a proxy.
     *
     * @param fromProxy false to keep the server's defaults
     * @return this spec
     */
    public IdentitySpec fromProxy(boolean fromProxy) {
        this.fromProxy = fromProxy;
        return this;
    }

    /** The {@code identity} object, with {@code fromProxy} under the surface's name for it. */
    Map<String, Object> toMap(String fromProxyName) {
        var out = new LinkedHashMap<>(fields);
        if (fromProxy != null) out.put(fromProxyName, fromProxy);
        return out;
    }
}
