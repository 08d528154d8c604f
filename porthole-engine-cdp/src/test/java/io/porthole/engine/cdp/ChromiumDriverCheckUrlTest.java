package io.porthole.engine.cdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.porthole.api.ErrorCode;
import io.porthole.core.PortholeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Which URLs a computer may open: web pages only, never the host's files or the browser's own pages. */
class ChromiumDriverCheckUrlTest {

    private static void assertRejected(String url) {
        var e = assertThrows(PortholeException.InvalidRequest.class, () -> ChromiumDriver.checkUrl(url),
                () -> url + " was accepted");
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "https://example.com",
            "https://example.com/path?q=1#frag",
            "http://localhost:8080/form.html",
            "http://127.0.0.1:9/",
            "HTTPS://EXAMPLE.COM/",
            "data:text/html,<h1>hi</h1>",
            "data:text/html;base64,PGgxPmhpPC9oMT4=",
            "about:blank"})
    void webPagesAreOpenedAsGiven(String url) {
        assertEquals(url, ChromiumDriver.checkUrl(url));
    }

    @ParameterizedTest
    @CsvSource({
            "example.com, https://example.com",
            "example.com/docs?page=2, https://example.com/docs?page=2",
            "www.example.org, https://www.example.org",
            "localhost:8080, https://localhost:8080"})
    void anAddressWithoutASchemeIsOpenedOverHttps(String given, String expected) {
        assertEquals(expected, ChromiumDriver.checkUrl(given));
    }

    @Test
    void surroundingWhitespaceIsDropped() {
        assertEquals("https://example.com", ChromiumDriver.checkUrl("  https://example.com \n"));
        assertEquals("about:blank", ChromiumDriver.checkUrl(" about:blank "));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "file:///etc/passwd",
            "FILE:///etc/passwd",
            "chrome://settings",
            "chrome://version/",
            "chrome-extension://abcdefghijklmnop/page.html",
            "devtools://devtools/bundled/inspector.html",
            "view-source:https://example.com",
            "ftp://ftp.example.com/file.txt",
            "ws://localhost:9222/devtools/browser"})
    void otherSchemesAreRejected(String url) {
        assertRejected(url);
    }

    @Test
    void aHostWithSpacesIsRejectedButOddPathsAreLeftToTheBrowserToEscape() {
        assertRejected("http://exa mple.com/");
        assertEquals("https://example.com/<%>", ChromiumDriver.checkUrl("https://example.com/<%>"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"javascript:alert(1)", "JavaScript:void(0)", "file:/etc/passwd", "chrome:settings"})
    void schemesWrittenWithoutSlashesAreRejectedToo(String url) {
        assertRejected(url);
    }
}
