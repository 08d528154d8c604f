package io.porthole.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class CookiesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void chromiumCookiesBecomeBidiCookiesAndBack() throws Exception {
        var cdp = "[{\"name\":\"keep\",\"value\":\"k1\",\"domain\":\"127.0.0.1\",\"path\":\"/\",\"expires\":1900000000.5,"
                + "\"size\":6,\"httpOnly\":true,\"secure\":false,\"session\":false,\"sameSite\":\"Lax\"},"
                + "{\"name\":\"sess\",\"value\":\"s1\",\"domain\":\".example.com\",\"path\":\"/a\",\"expires\":-1,"
                + "\"session\":true}]";
        var bidi = JSON.readTree(Cookies.convert(cdp, "chromium", "firefox").orElseThrow());
        assertEquals("k1", bidi.get(0).path("value").path("value").asText());
        assertEquals("string", bidi.get(0).path("value").path("type").asText());
        assertEquals(1900000000L, bidi.get(0).path("expiry").asLong());
        assertEquals("lax", bidi.get(0).path("sameSite").asText());
        assertTrue(bidi.get(0).path("httpOnly").asBoolean());
        assertFalse(bidi.get(1).has("expiry"), "a session cookie stays one");
        assertEquals(".example.com", bidi.get(1).path("domain").asText());
        assertEquals("/a", bidi.get(1).path("path").asText());

        var back = JSON.readTree(Cookies.convert(bidi.toString(), "firefox", "chromium").orElseThrow());
        assertEquals("k1", back.get(0).path("value").asText());
        assertEquals(1900000000L, back.get(0).path("expires").asLong());
        assertEquals("Lax", back.get(0).path("sameSite").asText());
        assertFalse(back.get(0).path("session").asBoolean());
        assertTrue(back.get(1).path("session").asBoolean());
    }

    @Test
    void base64ValuesAreDecodedAndTheSameEngineIsUntouched() throws Exception {
        var bidi = "[{\"name\":\"b\",\"value\":{\"type\":\"base64\",\"value\":\"aGk=\"},\"domain\":\"x\",\"path\":\"/\"}]";
        assertEquals("hi", JSON.readTree(Cookies.convert(bidi, "firefox", "chromium").orElseThrow()).get(0).path("value").asText());
        assertEquals(bidi, Cookies.convert(bidi, "firefox", "firefox").orElseThrow());
        assertTrue(Cookies.convert("not json", "firefox", "chromium").isEmpty());
        assertTrue(Cookies.convert("[]", "desktop", "chromium").isEmpty());
    }
}
