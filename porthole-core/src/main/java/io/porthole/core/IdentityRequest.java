package io.porthole.core;

import static io.porthole.core.action.ActionParser.present;

import com.fasterxml.jackson.databind.JsonNode;
import io.porthole.api.ErrorCode;
import io.porthole.core.PortholeException.InvalidRequest;
import io.porthole.core.browser.Identity;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.IllformedLocaleException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code identity} a create asks for: each part optional, validated. {@link #resolve} fills in what it leaves
 * out, from the proxy's exit address (when GeoIP is on and the request lets it) and then from the server's defaults.
 *
 * @param fromProxy whether parts left out may come from the upstream proxy's exit address; empty: the default (yes,
 *     when the server has a GeoIP database and the computer has an upstream proxy)
 */
public record IdentityRequest(Optional<String> timezone, Optional<String> locale, Optional<List<String>> languages,
                              Optional<Identity.Geolocation> geolocation, Optional<Integer> screenWidth,
                              Optional<Integer> screenHeight, Optional<Boolean> fromProxy) {

    /** A request that names nothing: every part is a default. */
    public static final IdentityRequest NONE = new IdentityRequest(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

    /** The geolocation accuracy, in metres, when a request gives a position without one. */
    public static final double DEFAULT_ACCURACY_METERS = 50;
    public static final int MIN_SCREEN = 320;
    public static final int MAX_SCREEN = 7680;
    public static final int MAX_LANGUAGES = 10;

    /** Whether the request names nothing at all. */
    public boolean isEmpty() {
        return equals(NONE);
    }

    /**
     * The {@code identity} object of a create body.
     *
     * @param fromProxyName {@code from_proxy} (Computers API) or {@code fromProxy} (browser-sandboxes API)
     * @param width the viewport's width, which the screen must hold
     * @param height the viewport's height; the screen must hold it plus {@link Identity#CHROME_AND_TASKBAR_HEIGHT}
     */
    public static IdentityRequest parse(JsonNode body, String fromProxyName, int width, int height) {
        var n = present(body, "identity");
        if (n == null) return NONE;
        if (!n.isObject()) {
            throw new InvalidRequest("'identity' must be an object {timezone, locale, languages, geolocation, screen, "
                    + fromProxyName + "}");
        }
        var known = Set.of("timezone", "locale", "languages", "geolocation", "screen", fromProxyName);
        for (var it = n.fieldNames(); it.hasNext(); ) {
            var name = it.next();
            if (!known.contains(name)) {
                throw new InvalidRequest("'identity." + name + "' is not a part of an identity; it has timezone, locale,"
                        + " languages, geolocation, screen and " + fromProxyName);
            }
        }
        var timezone = string(n, "timezone").map(IdentityRequest::timezone);
        var locale = string(n, "locale").map(t -> languageTag(t, "identity.locale"));
        Optional<List<String>> languages = Optional.empty();
        var langs = present(n, "languages");
        if (langs != null) {
            if (!langs.isArray() || langs.isEmpty() || langs.size() > MAX_LANGUAGES) {
                throw new InvalidRequest("'identity.languages' must be a list of 1 to " + MAX_LANGUAGES
                        + " language tags, most preferred first, e.g. [\"de-DE\", \"de\", \"en\"]");
            }
            var out = new ArrayList<String>();
            for (int i = 0; i < langs.size(); i++) {
                var v = langs.get(i);
                if (!v.isTextual()) throw new InvalidRequest("'identity.languages[" + i + "]' must be a string");
                if (v.asText().contains(";")) {
                    throw new InvalidRequest("'identity.languages[" + i + "]' is '" + v.asText() + "': give the tags in"
                            + " order without q-values; Accept-Language gets them from the order");
                }
                var tag = languageTag(v.asText(), "identity.languages[" + i + "]");
                if (out.contains(tag)) throw new InvalidRequest("'identity.languages' names '" + tag + "' twice");
                out.add(tag);
            }
            languages = Optional.of(List.copyOf(out));
        }
        Optional<Identity.Geolocation> geolocation = Optional.empty();
        var geo = present(n, "geolocation");
        if (geo != null) {
            if (!geo.isObject()) {
                throw new InvalidRequest("'identity.geolocation' must be an object {latitude, longitude, accuracy}");
            }
            double lat = number(geo, "latitude", "identity.geolocation").orElseThrow(() ->
                    new InvalidRequest("'identity.geolocation.latitude' is required"));
            double lon = number(geo, "longitude", "identity.geolocation").orElseThrow(() ->
                    new InvalidRequest("'identity.geolocation.longitude' is required"));
            double accuracy = number(geo, "accuracy", "identity.geolocation").orElse(DEFAULT_ACCURACY_METERS);
            for (var it = geo.fieldNames(); it.hasNext(); ) {
                var name = it.next();
                if (!Set.of("latitude", "longitude", "accuracy").contains(name)) {
                    throw new InvalidRequest("'identity.geolocation." + name + "' is not known; a geolocation has"
                            + " latitude, longitude and accuracy (metres)");
                }
            }
            if (!(lat >= -90 && lat <= 90)) throw new InvalidRequest("'identity.geolocation.latitude' must be between -90 and 90");
            if (!(lon >= -180 && lon <= 180)) {
                throw new InvalidRequest("'identity.geolocation.longitude' must be between -180 and 180");
            }
            if (!(accuracy > 0 && accuracy <= 1_000_000)) {
                throw new InvalidRequest("'identity.geolocation.accuracy' must be more than 0 and at most 1000000 metres");
            }
            geolocation = Optional.of(new Identity.Geolocation(lat, lon, accuracy));
        }
        Optional<Integer> screenWidth = Optional.empty();
        Optional<Integer> screenHeight = Optional.empty();
        var screen = present(n, "screen");
        if (screen != null) {
            if (!screen.isObject()) throw new InvalidRequest("'identity.screen' must be an object {width, height}");
            for (var it = screen.fieldNames(); it.hasNext(); ) {
                var name = it.next();
                if (!Set.of("width", "height").contains(name)) {
                    throw new InvalidRequest("'identity.screen." + name + "' is not known; a screen has width and height");
                }
            }
            screenWidth = screenSide(screen, "width");
            screenHeight = screenSide(screen, "height");
            var fallback = Identity.screenFor(width, height);
            int w = screenWidth.orElse(fallback[0]);
            int h = screenHeight.orElse(fallback[1]);
            if (w < width || h < height + Identity.CHROME_AND_TASKBAR_HEIGHT) {
                throw new InvalidRequest("'identity.screen' (" + w + "x" + h + ") must hold the viewport (" + width + "x"
                        + height + ") and " + Identity.CHROME_AND_TASKBAR_HEIGHT + " px more in height for the browser's"
                        + " toolbar and a taskbar: at least " + width + "x" + (height + Identity.CHROME_AND_TASKBAR_HEIGHT));
            }
        }
        var flag = present(n, fromProxyName);
        if (flag != null && !flag.isBoolean()) throw new InvalidRequest("'identity." + fromProxyName + "' must be true or false");
        Optional<Boolean> fromProxy = flag == null ? Optional.empty() : Optional.of(flag.asBoolean());
        return new IdentityRequest(timezone, locale, languages, geolocation, screenWidth, screenHeight, fromProxy);
    }

    /**
     * The identity a computer gets: each part as asked, else from {@code place} (the proxy's exit address, when
     * there is one), else from {@code defaults}. Languages follow the locale they come with: asked for a locale
     * alone, the languages are that locale and its base language.
     */
    public Identity resolve(Identity defaults, Optional<ProxyPlace> place) {
        var p = place.orElse(ProxyPlace.NOWHERE);
        var country = p.country().flatMap(CountryLocales::of);
        var tz = timezone.or(p::timezone).orElse(defaults.timezone());
        var loc = locale.or(() -> country.map(CountryLocales.Entry::locale)).orElse(defaults.locale());
        var langs = languages
                .or(() -> locale.map(Identity::languagesFor))
                .or(() -> country.map(CountryLocales.Entry::languages))
                .orElse(defaults.languages());
        var geo = geolocation.or(p::geolocation).or(defaults::geolocation);
        return new Identity(tz, loc, langs, geo, screenWidth.orElse(defaults.screenWidth()),
                screenHeight.orElse(defaults.screenHeight()));
    }

    /** The request as a Computers API body spells it ({@code from_proxy}): what {@link #parse} reads back. */
    public com.fasterxml.jackson.databind.node.ObjectNode toJson() {
        var n = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        timezone.ifPresent(t -> n.put("timezone", t));
        locale.ifPresent(l -> n.put("locale", l));
        languages.ifPresent(ls -> ls.forEach(n.putArray("languages")::add));
        geolocation.ifPresent(g -> n.putObject("geolocation").put("latitude", g.latitude()).put("longitude", g.longitude())
                .put("accuracy", g.accuracyMeters()));
        if (screenWidth.isPresent() || screenHeight.isPresent()) {
            var sc = n.putObject("screen");
            screenWidth.ifPresent(w -> sc.put("width", w));
            screenHeight.ifPresent(h -> sc.put("height", h));
        }
        fromProxy.ifPresent(f -> n.put("from_proxy", f));
        return n;
    }

    /** An IANA zone name (UTC allowed); a fixed offset is refused, as no desktop is set to one. */
    static String timezone(String given) {
        var name = given.trim();
        if (name.equals("UTC") || name.equals("Etc/UTC")) return name;
        if (!ZoneId.getAvailableZoneIds().contains(name)) {
            var hint = "";
            try {
                if (ZoneId.of(name) instanceof java.time.ZoneOffset || name.matches("(?i)(UTC|GMT)?[+-].*")) {
                    hint = "; a fixed offset is not a zone: name the place, e.g. Europe/Berlin";
                }
            } catch (DateTimeException e) {
                // not an offset either
            }
            throw new InvalidRequest("'identity.timezone' must be an IANA time zone name such as Europe/Berlin or"
                    + " America/New_York, not '" + given + "'" + hint);
        }
        return name;
    }

    /** A well-formed BCP 47 language tag with a language, in its canonical spelling (de-de gives de-DE). */
    static String languageTag(String given, String field) {
        Locale locale;
        try {
            locale = new Locale.Builder().setLanguageTag(given.trim().replace('_', '-')).build();
        } catch (IllformedLocaleException e) {
            throw new InvalidRequest("'" + field + "' must be a BCP 47 language tag such as de-DE or en, not '" + given + "'");
        }
        var tag = locale.toLanguageTag();
        if (locale.getLanguage().isEmpty() || given.trim().length() > 35 || tag.equals("und")) {
            throw new InvalidRequest("'" + field + "' must be a BCP 47 language tag such as de-DE or en, not '" + given + "'");
        }
        return tag;
    }

    private static Optional<String> string(JsonNode n, String name) {
        var v = present(n, name);
        if (v == null) return Optional.empty();
        if (!v.isTextual() || v.asText().isBlank()) throw new InvalidRequest("'identity." + name + "' must be a non-empty string");
        return Optional.of(v.asText());
    }

    private static Optional<Double> number(JsonNode n, String name, String parent) {
        var v = present(n, name);
        if (v == null) return Optional.empty();
        if (!v.isNumber()) throw new InvalidRequest(ErrorCode.INVALID_ARGUMENT, "'" + parent + "." + name + "' must be a number");
        return Optional.of(v.asDouble());
    }

    private static Optional<Integer> screenSide(JsonNode n, String name) {
        return number(n, name, "identity.screen").map(v -> {
            if (v != Math.rint(v) || v < MIN_SCREEN || v > MAX_SCREEN) {
                throw new InvalidRequest("'identity.screen." + name + "' must be a whole number between " + MIN_SCREEN
                        + " and " + MAX_SCREEN);
            }
            return (int) (double) v;
        });
    }
}
