package io.porthole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.porthole.core.browser.Identity;
import java.io.IOException;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * The stealth battery: a browser computer looks like one desktop browser to a page that looks closely, in every
 * context, and the public bot detectors report nothing. One computer and one visit per engine's subclass:
 * porthole-testing's stealth.html (on 127.0.0.1) reads what a site could read in the page, a same-origin iframe,
 * fresh about:blank and srcdoc realms, a dedicated, a shared and a service worker (navigator, client hints, Intl,
 * Date, and the headers each sends, echoed by the page server), checks the natives a patch might touch as a
 * detector would, media queries, focus, WebGL, H.264, colour emoji, and runs botd, fpscanner and headless-detector
 * from the installed node_modules ({@link NodeScripts}); then stealth-metrics.html on localhost (another site)
 * measures the window again at document start. The pages write JSON into the DOM, read back through the html action.
 *
 * <p>{@link StealthSignals} judges each signal against the goal (issue 15), one dynamic test per signal, so a failure
 * names it; the whole table goes to stdout and to {@code target/stealth-report-<engine>.md}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class StealthChecks {
    private static final Pattern RESULT = Pattern.compile("<pre id=\"result\">(.*?)</pre>", Pattern.DOTALL);
    private static final long RESULT_TIMEOUT_MILLIS = 120_000;
    private TestServer t;
    private String id;
    private List<StealthSignals.Signal> signals;
    private AssertionError setUpFailure;

    /** The engine of the computer: {@code chromium} or {@code firefox}. */
    abstract String engine();

    /** The create body's {@code identity} object, or empty for none (the default identity). */
    String identityJson() {
        return "";
    }

    /** The identity the computer must show. */
    Identity expectedIdentity() {
        return Identity.defaults(1280, 720);
    }

    /** Whether to run the public detectors and the cross-site visit too (the identity checks do without). */
    boolean full() {
        return true;
    }

    /** The report's file name in porthole-server/target, without {@code .md}. */
    String reportName() {
        return "stealth-report-" + engine();
    }

    @BeforeAll
    void runTheBattery() {
        t = TestServer.get();
        try {
            if (full()) {
                var modules = NodeScripts.nodeModules();
                t.pages.serveDirectory("botd", modules.resolve("@fingerprintjs/botd/dist"));
                t.pages.serveDirectory("fpscanner", modules.resolve("fpscanner/dist"));
                t.pages.serveDirectory("headless-detector", modules.resolve("headless-detector/scripts"));
            }
            var body = "{\"kind\":\"browser\"" + (engine().equals("chromium") ? "" : ",\"engine\":\"" + engine() + "\"")
                    + (identityJson().isEmpty() ? "" : ",\"identity\":" + identityJson()) + "}";
            id = t.createComputer(body);
            var page = readResult(t, id, t.pages.url("stealth.html" + (full() ? "" : "?detectors=0")));
            JsonNode crossSite = null;
            if (full()) {
                // localhost is another site than 127.0.0.1: a new renderer process in Chromium, a new document in Firefox
                crossSite = readResult(t, id, t.pages.url("stealth-metrics.html").replace("://127.0.0.1:", "://localhost:"));
            }
            signals = new StealthSignals(engine(), expectedIdentity(), page, crossSite).evaluate();
        } catch (AssertionError e) {
            setUpFailure = e;
            signals = List.of(new StealthSignals.Signal("the battery runs", "", "", StealthSignals.Verdict.FAIL, e.getMessage()));
        } catch (RuntimeException e) {
            setUpFailure = new AssertionError(e);
            signals = List.of(new StealthSignals.Signal("the battery runs", "", "", StealthSignals.Verdict.FAIL, String.valueOf(e)));
        }
        var title = "Stealth battery: " + engine() + (identityJson().isEmpty() ? "" : ", identity " + identityJson());
        var md = StealthSignals.markdown(title, signals);
        StealthSignals.write(NodeScripts.DIR.getParent().resolve(reportName() + ".md"), md);
        System.out.println(md);
    }

    @AfterAll
    void deleteComputer() {
        if (id != null) t.delete(id);
    }

    @TestFactory
    Stream<DynamicTest> eachSignal() {
        if (setUpFailure != null) {
            return Stream.of(DynamicTest.dynamicTest("the battery runs", () -> {
                throw setUpFailure;
            }));
        }
        return signals.stream().map(s -> DynamicTest.dynamicTest(s.name(), () -> {
            if (s.verdict() == StealthSignals.Verdict.FAIL) fail(StealthSignals.describe(s));
            if (s.verdict() == StealthSignals.Verdict.TELL) System.out.println("known tell, not failed: " + StealthSignals.describe(s));
        }));
    }

    /** Navigates the computer to a battery page and waits (bounded) for the JSON it writes into #result. */
    static JsonNode readResult(TestServer t, String id, String url) {
        var r = t.action(id, "navigate", "{\"url\":\"" + url + "\"}");
        assertEquals("success", r.path("status").asText(), r.toString());
        var found = new JsonNode[1];
        var last = new String[] {""};
        try {
            Await.until(url + " to write its result", RESULT_TIMEOUT_MILLIS, () -> {
                var html = t.action(id, "html", "{}").path("result").path("html_content").asText();
                last[0] = html.length() > 2000 ? html.substring(0, 2000) : html;
                var m = RESULT.matcher(html);
                if (!m.find() || m.group(1).isBlank()) return false;
                try {
                    found[0] = TestServer.JSON.readTree(unescape(m.group(1)));
                } catch (IOException e) {
                    throw new AssertionError(url + " wrote bad JSON: " + m.group(1), e);
                }
                return true;
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; the page was: " + last[0], e);
        }
        var result = found[0];
        assertFalse(result.has("error"), url + " failed: " + result.path("error").asText() + "; it found: " + result);
        return result;
    }

    private static String unescape(String html) {
        return html.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&nbsp;", "\u00a0")
                .replace("&amp;", "&");
    }
}
