package io.porthole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a page sees of the identity a computer was created with, on each engine: the time zone in the page and in a
 * dedicated worker, navigator.language(s) in both, the screen, the Geolocation API's answer, and the Accept-Language
 * the page was requested with. Needs the engines to apply LaunchSpec.identity() (issue 15's engine parts); run it
 * once they are merged.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IdentityPageTest {
    private static final String PAGE = """
            <!doctype html><title>identity</title><pre id="result"></pre>
            <script>
            const out = {acceptLanguage: ACCEPT_LANGUAGE};
            out.page = {timezone: Intl.DateTimeFormat().resolvedOptions().timeZone, locale: Intl.DateTimeFormat().resolvedOptions().locale,
                language: navigator.language, languages: navigator.languages, screen: [screen.width, screen.height]};
            const done = () => { document.getElementById('result').textContent = JSON.stringify(out); };
            const worker = new Worker('/worker.js');
            const fromWorker = new Promise(resolve => { worker.onmessage = e => resolve(e.data); worker.onerror = e => resolve({error: String(e.message)}); });
            const position = new Promise(resolve => {
                if (!navigator.geolocation) return resolve({error: 'no geolocation'});
                // a permission prompt nobody answers stops the API's own timeout: bound it here
                setTimeout(() => resolve({error: 'no answer within 10 s'}), 10000);
                navigator.geolocation.getCurrentPosition(p => resolve({latitude: p.coords.latitude, longitude: p.coords.longitude,
                    accuracy: p.coords.accuracy}), e => resolve({error: e.message || String(e.code)}), {timeout: 10000});
            });
            Promise.all([fromWorker, position]).then(([w, p]) => { out.worker = w; out.geolocation = p; done(); },
                e => { out.error = String(e); done(); });
            </script>
            """;
    private static final String WORKER = """
            postMessage({timezone: Intl.DateTimeFormat().resolvedOptions().timeZone, language: navigator.language,
                languages: navigator.languages});
            """;

    private TestServer t;
    private HttpServer site;

    @BeforeAll
    void start() throws Exception {
        t = TestServer.get();
        site = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        site.createContext("/", ex -> {
            try (ex) {
                var path = ex.getRequestURI().getPath();
                var accept = String.valueOf(ex.getRequestHeaders().getFirst("Accept-Language"));
                var body = path.equals("/worker.js") ? WORKER : PAGE.replace("ACCEPT_LANGUAGE",
                        TestServer.JSON.writeValueAsString(accept).replace("<", "\\u003c"));
                var bytes = body.getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", path.endsWith(".js") ? "text/javascript" : "text/html; charset=utf-8");
                ex.getResponseHeaders().set("Cache-Control", "no-store");
                ex.sendResponseHeaders(200, bytes.length);
                ex.getResponseBody().write(bytes);
            }
        });
        site.start();
    }

    @AfterAll
    void stop() {
        if (site != null) site.stop(0);
    }

    private static List<String> strings(JsonNode array) {
        var out = new java.util.ArrayList<String>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"chromium", "firefox"})
    void everyContextSeesTheIdentity(String engine) {
        var id = t.createComputer("{\"engine\":\"" + engine + "\",\"identity\":{\"timezone\":\"Asia/Tokyo\","
                + "\"locale\":\"de-DE\",\"languages\":[\"de-DE\",\"de\",\"en\"],"
                + "\"geolocation\":{\"latitude\":35.68,\"longitude\":139.69,\"accuracy\":25},"
                + "\"screen\":{\"width\":1920,\"height\":1080}}}");
        try {
            var found = StealthChecks.readResult(t, id, "http://127.0.0.1:" + site.getAddress().getPort() + "/identity.html");
            System.out.println(engine + " identity page found: " + found);
            var page = found.path("page");
            assertEquals("Asia/Tokyo", page.path("timezone").asText(), found.toString());
            assertEquals("Asia/Tokyo", found.path("worker").path("timezone").asText(), found.toString());
            assertEquals("de-DE", page.path("language").asText(), found.toString());
            assertEquals(List.of("de-DE", "de", "en"), strings(page.path("languages")), found.toString());
            assertEquals(List.of("de-DE", "de", "en"), strings(found.path("worker").path("languages")), found.toString());
            assertEquals("de-DE,de;q=0.9,en;q=0.8", found.path("acceptLanguage").asText(), found.toString());
            assertEquals(1920, page.path("screen").get(0).asInt(), found.toString());
            assertEquals(1080, page.path("screen").get(1).asInt(), found.toString());
            assertEquals(35.68, found.path("geolocation").path("latitude").asDouble(), 1e-6, found.toString());
            assertEquals(139.69, found.path("geolocation").path("longitude").asDouble(), 1e-6, found.toString());
        } finally {
            t.delete(id);
        }
    }
}
