package io.porthole.server;

import static io.porthole.server.Sandboxes.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.porthole.testing.UpstreamProxy;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Browsing contexts of one running browser: cookies kept apart from each other and from the default context,
 * a context's own proxy (with credentials) carrying only that context's traffic, and deletion taking the
 * context's tabs with it.
 */
class SandboxContextsTest {
    private static TestServer t;
    private static String id;
    /** Sets a cookie ({@code /set?<name>=<value>}) and shows the Cookie header it is sent ({@code /echo}). */
    private static HttpServer cookies;

    @BeforeAll
    static void create() throws IOException {
        t = TestServer.get();
        id = Sandboxes.create(t, "{}").path("id").asText();
        cookies = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        cookies.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        cookies.createContext("/", exchange -> {
            try (exchange) {
                var path = exchange.getRequestURI().getPath();
                String body;
                if (path.equals("/set")) {
                    var query = exchange.getRequestURI().getQuery();
                    exchange.getResponseHeaders().add("Set-Cookie", query + "; Path=/");
                    body = "<!doctype html><p id=\"set\">set " + query + "</p>";
                } else {
                    var sent = exchange.getRequestHeaders().getOrDefault("Cookie", List.of()).toString();
                    body = "<!doctype html><pre id=\"cookie\">cookies=" + sent.replace("<", "&lt;") + "</pre>"
                            + "<pre id=\"js\"></pre><script>document.getElementById('js').textContent ="
                            + " 'document.cookie=' + document.cookie</script>";
                }
                var bytes = body.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                exchange.getResponseHeaders().set("Cache-Control", "no-store");
                exchange.sendResponseHeaders(200, bytes.length);
                exchange.getResponseBody().write(bytes);
            }
        });
        cookies.start();
    }

    @AfterAll
    static void delete() {
        Sandboxes.delete(t, id);
        cookies.stop(0);
    }

    private static String url(String pathAndQuery) {
        return "http://127.0.0.1:" + cookies.getAddress().getPort() + pathAndQuery;
    }

    private static JsonNode createContext(String body) {
        var r = t.post("/browser-sandboxes/" + id + "/contexts", body);
        assertEquals(201, r.status(), r.body());
        return r.json();
    }

    private static void deleteContext(String ctx) {
        t.call("DELETE", "/browser-sandboxes/" + id + "/contexts/" + ctx, null);
    }

    /** A tab of the context: the one it was made with. */
    private static String tabOf(String ctx) {
        var r = t.call("GET", "/browser-sandboxes/" + id + "/contexts/" + ctx + "/tabs", null);
        assertEquals(200, r.status(), r.body());
        var items = r.json().path("items");
        assertEquals(1, items.size(), "a new context comes with one tab: " + r.body());
        assertEquals(ctx, items.get(0).path("contextId").asText(), r.body());
        return items.get(0).path("tabId").asText();
    }

    /** Navigates the tab (over rpc, by tab id) and returns the html it then shows. */
    private static String open(String tab, String url) {
        var tabParam = tab == null ? "" : ",\"tab_id\":\"" + tab + "\"";
        Sandboxes.rpcResult(t, id, "navigate", "{\"url\":\"" + url + "\"" + tabParam + "}");
        return Sandboxes.rpcResult(t, id, "html", "{" + (tab == null ? "" : tabParam.substring(1)) + "}")
                .path("html_content").asText();
    }

    private static String defaultTab() {
        var tabs = Sandboxes.rpcResult(t, id, "tabs.list", "{}");
        for (var tab : tabs) {
            if (tab.path("contextId").asText().equals("default")) return tab.path("tabId").asText();
        }
        throw new AssertionError("no tab in the default context: " + tabs);
    }

    @Test
    void cookiesStayInTheirContext() {
        var a = createContext("{}").path("id").asText();
        var b = createContext("{}").path("id").asText();
        try {
            assertFalse(a.equals(b) || a.equals("default"), a + " " + b);
            var listed = t.call("GET", "/browser-sandboxes/" + id + "/contexts", null);
            assertEquals(200, listed.status(), listed.body());
            var ids = new ArrayList<String>();
            listed.json().path("items").forEach(c -> ids.add(c.path("id").asText()));
            assertTrue(ids.containsAll(List.of("default", a, b)), ids.toString());

            var tabA = tabOf(a);
            var tabB = tabOf(b);
            assertTrue(open(tabA, url("/set?ctxa=apple")).contains("set ctxa=apple"));
            assertTrue(open(tabA, url("/echo")).contains("ctxa=apple"), "context A keeps its own cookie");
            var seenByB = open(tabB, url("/echo"));
            assertTrue(seenByB.contains("cookies=[]"), "context B does not see A's cookie: " + seenByB);
            var seenByDefault = open(defaultTab(), url("/echo"));
            assertFalse(seenByDefault.contains("ctxa"), "the default context does not see it: " + seenByDefault);

            assertTrue(open(defaultTab(), url("/set?ctxdefault=dough")).contains("set ctxdefault"));
            assertFalse(open(tabA, url("/echo")).contains("ctxdefault"), "nor does A see the default context's");
            assertFalse(open(tabB, url("/echo")).contains("ctxdefault"), "nor B");
            // and as the pages themselves see it
            var js = open(tabA, url("/echo"));
            assertTrue(js.contains("document.cookie=ctxa=apple"), js);
            assertFalse(js.contains("ctxdefault"), js);
            var jsB = open(tabB, url("/echo"));
            assertTrue(jsB.contains("document.cookie=<") || jsB.contains("document.cookie=</"), jsB);
        } finally {
            deleteContext(a);
            deleteContext(b);
        }
    }

    @Test
    void aContextsProxyCarriesItsTrafficWithCredentialsAndOnlyItsTraffic() {
        try (var upstream = UpstreamProxy.start("ctxuser", "ctx-s3cret")) {
            var made = createContext("{\"proxy\":\"http://ctxuser:ctx-s3cret@127.0.0.1:" + upstream.port() + "\"}");
            var ctx = made.path("id").asText();
            try {
                assertEquals("http://127.0.0.1:" + upstream.port(), made.path("proxy").asText(), made.toString());
                assertFalse(made.toString().contains("s3cret"), "no password in the answer");
                var listed = t.call("GET", "/browser-sandboxes/" + id + "/contexts", null);
                assertFalse(listed.body().contains("s3cret") || listed.body().contains("ctxuser"), listed.body());
                assertTrue(listed.body().contains("\"proxy\":\"http://127.0.0.1:" + upstream.port() + "\""), listed.body());

                var html = open(tabOf(ctx), url("/echo?through-the-context"));
                assertTrue(html.contains("served by the upstream proxy"), "the context's page came via its proxy: " + html);
                assertTrue(upstream.seen().stream().anyMatch(s -> s.requestLine().contains("through-the-context")
                        && s.authorised()), upstream.seen().toString());
                assertTrue(upstream.seen().stream().allMatch(UpstreamProxy.Seen::authorised),
                        "every request carried the credentials: " + upstream.seen());

                var direct = open(defaultTab(), url("/echo?default-context"));
                assertTrue(direct.contains("cookies="), "the default context reached the page itself: " + direct);
                var plain = createContext("{}").path("id").asText();
                try {
                    var other = open(tabOf(plain), url("/echo?plain-context"));
                    assertTrue(other.contains("cookies="), other);
                } finally {
                    deleteContext(plain);
                }
                // (the proxied context's own late requests, such as its favicon, may still arrive: look for these)
                assertTrue(upstream.seen().stream().noneMatch(s -> s.requestLine().contains("default-context")
                        || s.requestLine().contains("plain-context")), "no other context's traffic went to the proxy: "
                        + upstream.seen());
            } finally {
                deleteContext(ctx);
            }
        }
    }

    @Test
    void aContextWithABadProxyIsRefused() {
        var r = t.post("/browser-sandboxes/" + id + "/contexts", "{\"proxy\":\"ftp://u:p@127.0.0.1:21\"}");
        assertEquals(422, r.status(), r.body());
        assertError(t.post("/browser-sandboxes/" + id + "/contexts", "{\"proxy\":\"http://no-port-here\"}"), 400,
                "invalid_argument");
        var listed = t.call("GET", "/browser-sandboxes/" + id + "/contexts", null);
        assertEquals(1, listed.json().path("items").size(), "nothing was made: " + listed.body());
    }

    @Test
    void deletingAContextTakesItsTabsAndTheDefaultStays() {
        var ctx = createContext("{}").path("id").asText();
        var tab = tabOf(ctx);
        var second = t.post("/browser-sandboxes/" + id + "/contexts/" + ctx + "/tabs",
                "{\"url\":\"" + t.pages.url("second.html") + "\"}");
        assertEquals(201, second.status(), second.body());
        var secondTab = second.json().path("tabId").asText();
        var deleted = t.call("DELETE", "/browser-sandboxes/" + id + "/contexts/" + ctx, null);
        assertEquals(204, deleted.status(), deleted.body());
        var tabs = Sandboxes.rpcResult(t, id, "tabs.list", "{}").toString();
        assertFalse(tabs.contains(tab) || tabs.contains(secondTab) || tabs.contains(ctx), "its tabs are gone: " + tabs);
        assertError(t.call("GET", "/browser-sandboxes/" + id + "/contexts/" + ctx + "/tabs", null), 404, "not_found");
        assertError(t.call("DELETE", "/browser-sandboxes/" + id + "/contexts/" + ctx, null), 404, "not_found");
        assertError(t.post("/browser-sandboxes/" + id + "/contexts/" + ctx + "/tabs", "{}"), 404, "not_found");

        var r = t.call("DELETE", "/browser-sandboxes/" + id + "/contexts/default", null);
        assertTrue(r.status() >= 400 && r.status() < 500, r.body());
        assertFalse(r.json().path("code").asText().isBlank(), r.body());
        var listed = t.call("GET", "/browser-sandboxes/" + id + "/contexts", null);
        assertTrue(listed.body().contains("\"default\""), listed.body());
        assertEquals("success", t.action(id, "screenshot", "{}").path("status").asText(), "the browser goes on");
        assertError(t.call("DELETE", "/browser-sandboxes/" + id + "/contexts/" + ctx, null, t.keyB()), 404, "not_found");
    }

    @Test
    void firefoxContextsWorkLikeChromiums() {
        var fx = Sandboxes.create(t, "{\"browser\":\"firefox\"}").path("id").asText();
        try {
            var listed = t.call("GET", "/browser-sandboxes/" + fx + "/contexts", null);
            assertEquals(200, listed.status(), listed.body());
            assertEquals(1, listed.json().path("items").size(), "only the default one, not Firefox's containers: " + listed.body());
            var made = t.post("/browser-sandboxes/" + fx + "/contexts", "{}");
            assertEquals(201, made.status(), made.body());
            var ctx = made.json().path("id").asText();
            var proxied = t.post("/browser-sandboxes/" + fx + "/contexts", "{\"proxy\":\"http://u:secret@127.0.0.1:3999\"}");
            assertEquals(201, proxied.status(), proxied.body());
            assertEquals("http://127.0.0.1:3999", proxied.json().path("proxy").asText());
            var all = t.call("GET", "/browser-sandboxes/" + fx + "/contexts", null);
            assertEquals(3, all.json().path("items").size(), all.body());
            assertFalse(all.body().contains("secret"), all.body());
            var tab = t.post("/browser-sandboxes/" + fx + "/contexts/" + ctx + "/tabs", "{}");
            assertEquals(201, tab.status(), tab.body());
            var tabs = t.call("GET", "/browser-sandboxes/" + fx + "/contexts/" + ctx + "/tabs", null);
            assertEquals(200, tabs.status(), tabs.body());
            assertTrue(tabs.body().contains(tab.json().path("tabId").asText()), tabs.body());
            assertEquals(204, t.call("DELETE", "/browser-sandboxes/" + fx + "/contexts/" + ctx, null).status());
            assertEquals(204, t.call("DELETE", "/browser-sandboxes/" + fx + "/contexts/" + proxied.json().path("id").asText(),
                    null).status());
            assertEquals(1, t.call("GET", "/browser-sandboxes/" + fx + "/contexts", null).json().path("items").size());
            assertEquals("running", Sandboxes.get(t, fx).json().path("state").asText());
        } finally {
            Sandboxes.delete(t, fx);
        }
    }
}
