package io.porthole.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.porthole.api.ErrorCode;
import io.porthole.core.browser.Identity;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class IdentityRequestTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Identity DEFAULTS = IdentityDefaults.BUILT_IN.forViewport(1280, 720);

    private static IdentityRequest parse(String identity) throws Exception {
        return IdentityRequest.parse(JSON.readTree("{\"identity\":" + identity + "}"), "from_proxy", 1280, 720);
    }

    private static String refused(String identity) {
        var e = assertThrows(PortholeException.class, () -> parse(identity));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), e.getMessage());
        return e.getMessage();
    }

    @Test
    void everyPartIsReadAndResolved() throws Exception {
        var r = parse("{\"timezone\":\"Europe/Berlin\",\"locale\":\"de-de\",\"languages\":[\"de-DE\",\"de\",\"en\"],"
                + "\"geolocation\":{\"latitude\":52.52,\"longitude\":13.405},\"screen\":{\"width\":1920,\"height\":1080},"
                + "\"from_proxy\":false}");
        var i = r.resolve(DEFAULTS, Optional.empty());
        assertEquals("Europe/Berlin", i.timezone());
        assertEquals("de-DE", i.locale(), "the tag's canonical spelling");
        assertEquals(List.of("de-DE", "de", "en"), i.languages());
        assertEquals(new Identity.Geolocation(52.52, 13.405, IdentityRequest.DEFAULT_ACCURACY_METERS), i.geolocation().orElseThrow());
        assertEquals(1920, i.screenWidth());
        assertEquals(1080, i.screenHeight());
        assertEquals(Optional.of(false), r.fromProxy());
        assertEquals(r, parse(r.toJson().toString()), "what the store keeps reads back the same");
    }

    @Test
    void nothingGivenIsTheDefaults() throws Exception {
        var none = IdentityRequest.parse(JSON.readTree("{}"), "from_proxy", 1280, 720);
        assertTrue(none.isEmpty());
        assertEquals(Identity.defaults(1280, 720), none.resolve(DEFAULTS, Optional.empty()));
        assertEquals(List.of("fr-FR", "fr"), parse("{\"locale\":\"fr-FR\"}").resolve(DEFAULTS, Optional.empty()).languages(),
                "a locale alone brings its languages");
    }

    @Test
    void theProxyPlaceFillsOnlyWhatIsNotGiven() throws Exception {
        var berlin = Optional.of(new ProxyPlace("192.0.2.7", "echo", Optional.of("Europe/Berlin"), Optional.of("DE"),
                Optional.of(new Identity.Geolocation(52.5, 13.4, 20_000))));
        var all = IdentityRequest.NONE.resolve(DEFAULTS, berlin);
        assertEquals("Europe/Berlin", all.timezone());
        assertEquals("de-DE", all.locale());
        assertEquals(List.of("de-DE", "de", "en-US", "en"), all.languages());
        assertEquals(52.5, all.geolocation().orElseThrow().latitude());
        var zoneGiven = parse("{\"timezone\":\"Asia/Tokyo\",\"locale\":\"ja-JP\"}").resolve(DEFAULTS, berlin);
        assertEquals("Asia/Tokyo", zoneGiven.timezone());
        assertEquals(List.of("ja-JP", "ja"), zoneGiven.languages());
        var unknownCountry = IdentityRequest.NONE.resolve(DEFAULTS, Optional.of(new ProxyPlace("x", "echo",
                Optional.of("Pacific/Fiji"), Optional.of("FJ"), Optional.empty())));
        assertEquals("Pacific/Fiji", unknownCountry.timezone());
        assertEquals("en-US", unknownCountry.locale(), "a country not in the table keeps the default locale");
    }

    @Test
    void badValuesAreRefusedWithWhatIsWrong() {
        assertTrue(refused("\"Europe/Berlin\"").contains("must be an object"));
        assertTrue(refused("{\"timezone\":\"Mars/Olympus\"}").contains("IANA"));
        assertTrue(refused("{\"timezone\":\"+02:00\"}").contains("fixed offset"));
        assertTrue(refused("{\"timezone\":\"GMT+2\"}").contains("IANA"));
        assertTrue(refused("{\"timezone\":5}").contains("string"));
        assertTrue(refused("{\"locale\":\"not a tag!\"}").contains("BCP 47"));
        assertTrue(refused("{\"locale\":\"x-private\"}").contains("BCP 47"));
        assertTrue(refused("{\"languages\":[]}").contains("1 to 10"));
        assertTrue(refused("{\"languages\":\"de\"}").contains("1 to 10"));
        assertTrue(refused("{\"languages\":[\"de;q=0.9\"]}").contains("q-values"));
        assertTrue(refused("{\"languages\":[\"de\",\"de\"]}").contains("twice"));
        assertTrue(refused("{\"languages\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\",\"k\"]}").contains("1 to 10"));
        assertTrue(refused("{\"geolocation\":{\"latitude\":91,\"longitude\":0}}").contains("-90 and 90"));
        assertTrue(refused("{\"geolocation\":{\"latitude\":0,\"longitude\":-181}}").contains("-180 and 180"));
        assertTrue(refused("{\"geolocation\":{\"latitude\":0,\"longitude\":0,\"accuracy\":0}}").contains("more than 0"));
        assertTrue(refused("{\"geolocation\":{\"longitude\":0}}").contains("latitude' is required"));
        assertTrue(refused("{\"geolocation\":{\"latitude\":0,\"longitude\":0,\"altitude\":5}}").contains("altitude"));
        assertTrue(refused("{\"screen\":{\"width\":100,\"height\":900}}").contains("between 320 and 7680"));
        assertTrue(refused("{\"screen\":{\"width\":1280,\"height\":800}}").contains("at least 1280x860"));
        assertTrue(refused("{\"screen\":{\"width\":1200}}").contains("must hold the viewport"));
        assertTrue(refused("{\"screen\":{\"width\":1920.5,\"height\":1080}}").contains("whole number"));
        assertTrue(refused("{\"from_proxy\":\"yes\"}").contains("true or false"));
        assertTrue(refused("{\"tz\":\"Europe/Berlin\"}").contains("'identity.tz' is not a part"));
        assertTrue(refused("{\"fromProxy\":true}").contains("'identity.fromProxy' is not a part"),
                "each surface spells from_proxy its own way");
    }

    @Test
    void utcIsAZone() throws Exception {
        assertEquals("UTC", parse("{\"timezone\":\"UTC\"}").resolve(DEFAULTS, Optional.empty()).timezone());
    }

    @Test
    void theOperatorsDefaultsAreChecked() {
        var d = IdentityDefaults.of(Optional.of("Europe/Paris"), Optional.of("fr-FR"));
        assertEquals(List.of("fr-FR", "fr"), d.forViewport(1280, 720).languages());
        assertEquals("Europe/Paris", d.forViewport(1280, 720).timezone());
        var e = assertThrows(IllegalArgumentException.class, () -> IdentityDefaults.of(Optional.of("+01:00"), Optional.empty()));
        assertTrue(e.getMessage().startsWith("PORTHOLE_IDENTITY_TIMEZONE"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> IdentityDefaults.of(Optional.empty(), Optional.of("??")));
        assertTrue(e.getMessage().startsWith("PORTHOLE_IDENTITY_LOCALE"), e.getMessage());
    }
}
