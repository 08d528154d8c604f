package io.porthole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A browser computer does not look like a bot to a page: the open-source botd detector (run in the page from
 * the installed node_modules, see {@link NodeScripts}) does not flag it, and the signals sites read directly
 * (navigator.webdriver, "Headless" in the UA or its client-hint brands, window and screen sizes, languages,
 * plugins) look like a desktop browser's. The page (porthole-testing's stealth.html) writes its findings as JSON
 * into the DOM, read back through the html action. One computer, one page load, for each engine's subclass.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class StealthChecks {
    private static final Pattern RESULT = Pattern.compile("<pre id=\"result\">(.*?)</pre>", Pattern.DOTALL);
    private static final long RESULT_TIMEOUT_MILLIS = 30_000;
    private TestServer t;
    private String id;
    private JsonNode page;

    /** The engine of the computer: {@code chromium} or {@code firefox}. */
    abstract String engine();

    private boolean chromium() {
        return engine().equals("chromium");
    }

    @BeforeAll
    void loadTheStealthPage() {
        t = TestServer.get();
        t.pages.serveDirectory("botd", NodeScripts.nodeModules().resolve("@fingerprintjs/botd/dist"));
        id = t.createComputer("{\"kind\":\"browser\"" + (chromium() ? "" : ",\"engine\":\"" + engine() + "\"") + "}");
        page = readResult(t, id, t.pages.url("stealth.html"));
        System.out.println(engine() + " stealth.html found: " + page);
    }

    @AfterAll
    void deleteComputer() {
        if (id != null) t.delete(id);
    }

    /** Navigates the computer to the stealth page and waits (bounded) for the JSON it writes into #result. */
    static JsonNode readResult(TestServer t, String id, String url) {
        var r = t.action(id, "navigate", "{\"url\":\"" + url + "\"}");
        assertEquals("success", r.path("status").asText(), r.toString());
        var found = new JsonNode[1];
        var last = new String[] {""};
        try {
            Await.until("stealth.html to write its result", RESULT_TIMEOUT_MILLIS, () -> {
                var html = t.action(id, "html", "{}").path("result").path("html_content").asText();
                last[0] = html.length() > 2000 ? html.substring(0, 2000) : html;
                var m = RESULT.matcher(html);
                if (!m.find() || m.group(1).isBlank()) return false;
                try {
                    found[0] = TestServer.JSON.readTree(unescape(m.group(1)));
                } catch (IOException e) {
                    throw new AssertionError("stealth.html wrote bad JSON: " + m.group(1), e);
                }
                return true;
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; the page was: " + last[0], e);
        }
        var result = found[0];
        assertFalse(result.has("error"), "stealth.html failed: " + result.path("error").asText());
        return result;
    }

    private static String unescape(String html) {
        return html.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&nbsp;", "\u00a0")
                .replace("&amp;", "&");
    }

    private JsonNode checks() {
        return page.path("checks");
    }

    @Test
    void botdDoesNotFlagIt() {
        var flagged = new ArrayList<String>();
        page.path("detections").properties().forEach(e -> {
            if (e.getValue().path("bot").asBoolean()) flagged.add(e.getKey() + "=" + e.getValue().path("botKind").asText());
        });
        assertFalse(page.path("botd").path("bot").asBoolean(true), "botd says bot: " + page.path("botd") + ", flagged by "
                + flagged + "; components: " + page.path("components"));
        assertTrue(flagged.isEmpty(), flagged.toString());
    }

    @Test
    void navigatorWebdriverIsNotSet() {
        var webdriver = checks().path("webdriver");
        assertTrue(webdriver.isMissingNode() || webdriver.isNull() || !webdriver.asBoolean(), "navigator.webdriver is " + webdriver);
    }

    @Test
    void userAgentDoesNotSayHeadless() {
        var ua = checks().path("userAgent").asText();
        assertTrue(ua.contains(chromium() ? "Chrome/" : "Firefox/"), ua);
        assertFalse(ua.toLowerCase().contains("headless"), ua);
        assertFalse(checks().path("appVersion").asText().toLowerCase().contains("headless"), checks().toString());
    }

    @Test
    void userAgentDataBrandsAreADesktopChromiums() {
        assumeTrue(chromium(), "navigator.userAgentData is Chromium's");
        var ua = checks().path("userAgent").asText();
        var brands = checks().path("brands");
        assertTrue(brands.isArray() && !brands.isEmpty(), "navigator.userAgentData.brands: " + brands);
        for (var b : brands) assertFalse(b.asText().toLowerCase().contains("headless"), brands.toString());
        assertTrue(brands.toString().contains("Chrom"), "a Chromium or Chrome brand: " + brands);
        assertEquals("Linux", checks().path("uaPlatform").asText(), checks().toString());
        // the high-entropy values a site may ask for are filled in, as in a desktop browser
        var high = checks().path("highEntropy");
        assertFalse(high.path("architecture").asText().isEmpty(), high.toString());
        assertFalse(high.path("bitness").asText().isEmpty(), high.toString());
        assertEquals(brands.size(), high.path("fullVersionList").size(), high.toString());
        var major = ua.replaceAll(".*Chrome/(\\d+).*", "$1");
        assertTrue(brands.toString().contains("/" + major + "\""), "a brand of the UA's version " + major + ": " + brands);
    }

    @Test
    void windowAndScreenAgreeWithTheViewport() {
        var w = checks().path("window");
        var s = checks().path("screen");
        int innerW = w.path("innerWidth").asInt(), innerH = w.path("innerHeight").asInt();
        assertEquals(1280, innerW, w.toString());
        assertEquals(720, innerH, w.toString());
        int outerW = w.path("outerWidth").asInt(), outerH = w.path("outerHeight").asInt();
        assertTrue(outerW >= innerW && outerH >= innerH, "the window holds the viewport: " + w);
        var early = checks().path("windowEarly");
        assertTrue(early.path("outerWidth").asInt() >= early.path("innerWidth").asInt() && early.path("innerWidth").asInt() > 0
                && early.path("outerHeight").asInt() >= early.path("innerHeight").asInt(), "and already at the page's start: " + early);
        assertTrue(s.path("width").asInt() >= outerW && s.path("height").asInt() >= outerH, "the screen holds the window: " + s + " " + w);
        assertTrue(s.path("availWidth").asInt() <= s.path("width").asInt() && s.path("availHeight").asInt() <= s.path("height").asInt()
                && s.path("availWidth").asInt() > 0, s.toString());
        assertTrue(s.path("colorDepth").asInt() >= 24, s.toString());
    }

    @Test
    void languagesLookLikeADesktopBrowser() {
        var languages = checks().path("languages");
        assertTrue(languages.size() >= 1, languages.toString());
        assertEquals("en-US", languages.get(0).asText(), languages.toString());
        for (var l : languages) assertTrue(l.asText().matches("[A-Za-z]{2,3}(-[A-Za-z0-9]+)*"), "a language tag, no q-value: " + languages);
        assertEquals("en-US", checks().path("language").asText());
    }

    @Test
    void thereArePlugins() {
        assertTrue(checks().path("plugins").asInt() > 0, "navigator.plugins.length: " + checks().path("plugins"));
        assertTrue(checks().path("mimeTypes").asInt() > 0, "navigator.mimeTypes.length: " + checks().path("mimeTypes"));
    }

    @Test
    void notificationPermissionIsConsistent() {
        // headless Chrome used to answer Notification.permission "denied" while permissions.query says "prompt"
        var c = checks();
        assertFalse("denied".equals(c.path("notification").asText()) && "prompt".equals(c.path("notificationQuery").asText()),
                c.path("notification") + " vs " + c.path("notificationQuery"));
    }
}
