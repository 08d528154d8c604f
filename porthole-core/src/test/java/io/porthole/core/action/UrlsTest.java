package io.porthole.core.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.porthole.api.ErrorCode;
import io.porthole.core.PortholeException.InvalidRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What a computer may be navigated to (navigate, new_tab): web pages only. */
class UrlsTest {

    private static void assertRejected(String url) {
        var e = assertThrows(InvalidRequest.class, () -> Urls.navigable(url), () -> url + " was accepted");
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "https://example.com",
            "https://example.com/path?q=1#frag",
            "http://localhost:8080/form.html",
            "http://127.0.0.1:9/",
            "http://[::1]:8080/",
            "https://xn--mnchen-3ya.de/",
            "HTTPS://EXAMPLE.COM/",
            "data:text/html,<h1>hi</h1>",
            "about:blank"})
    void webPagesAreKeptAsGiven(String url) {
        assertEquals(url, Urls.navigable(url));
    }

    @ParameterizedTest
    @CsvSource({
            "example.com, https://example.com",
            "example.com/docs?page=2, https://example.com/docs?page=2",
            "localhost, https://localhost",
            "localhost:8080, https://localhost:8080",
            "localhost:8080/a, https://localhost:8080/a",
            "127.0.0.1:3000, https://127.0.0.1:3000"})
    void aBareHostGetsHttps(String given, String expected) {
        assertEquals(expected, Urls.navigable(given));
    }

    @Test
    void aboutBlankIsCanonicalInAnyCaseAndWhitespaceIsDropped() {
        assertEquals("about:blank", Urls.navigable(" ABOUT:BLANK "));
        assertEquals("https://example.com", Urls.navigable("\thttps://example.com\n"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "file:///etc/passwd", "file:/etc/passwd", "FILE:///C:/Windows/win.ini",
            "chrome://settings", "chrome:settings", "chrome-extension://abc/page.html", "devtools://devtools/x",
            "javascript:alert(1)", "JavaScript:void(0)", "view-source:https://example.com",
            "ftp://ftp.example.com/f", "ws://localhost:9222/devtools/browser", "blob:https://example.com/uuid",
            "about:config", "about:blank#x"})
    void nonWebSchemesAreRejected(String url) {
        assertRejected(url);
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://", "https:example.com", "https://exa mple.com/"})
    void urlsWithoutAUsableHostAreRejected(String url) {
        assertRejected(url);
    }

    /* Chromium reads hosts the WHATWG way: docker-compose service names and international domains open. */
    @ParameterizedTest
    @ValueSource(strings = {"http://web_app:8080/", "https://my_service.internal/", "https://münchen.de/",
            "https://例子.测试/"})
    void hostsChromiumAcceptsAreAccepted(String url) {
        assertEquals(url, Urls.navigable(url));
    }
}
