package io.porthole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The NDJSON action API: one answer line per request line, in order, ids echoed, malformed lines answered
 * with an error line while the stream goes on, and each answer sent as soon as it is done.
 */
class SandboxRpcTest {
    private static TestServer t;
    private static String id;

    @BeforeAll
    static void create() {
        t = TestServer.get();
        id = Sandboxes.create(t, "{}").path("id").asText();
    }

    @AfterAll
    static void delete() {
        Sandboxes.delete(t, id);
    }

    @Test
    void severalLinesAnswerInOrderWithTheirIds() {
        var page = t.pages.url("second.html");
        var lines = Sandboxes.rpc(t, id, "{\"id\":1,\"method\":\"navigate\",\"params\":{\"url\":\"" + page + "\"}}\n"
                + "{\"id\":\"two\",\"method\":\"html\",\"params\":{}}\n"
                + "\n"
                + "{\"id\":3,\"method\":\"screenshot\",\"params\":{\"base64\":true}}\n"
                + "{\"id\":{\"nested\":true},\"method\":\"tabs.list\"}");
        assertEquals(4, lines.size(), "one line per request, blank lines skipped: " + lines);
        assertEquals(1, lines.get(0).path("id").asInt());
        assertTrue(lines.get(0).path("id").isNumber(), "the id keeps its JSON type");
        assertEquals("two", lines.get(1).path("id").asText());
        assertEquals(3, lines.get(2).path("id").asInt());
        assertTrue(lines.get(3).path("id").path("nested").asBoolean(), lines.get(3).toString());
        for (var line : lines) {
            assertTrue(line.has("result") && !line.has("error"), line.toString());
        }
        assertTrue(lines.get(1).path("result").path("html_content").asText().contains("id=\"heading\""),
                "the html is of the page line 1 opened: " + lines.get(1));
        assertTrue(lines.get(2).toString().contains("iVBORw0KGgo"), "a PNG, base64: " + lines.get(2).toString().substring(0, 200));
        var tabs = lines.get(3).path("result");
        assertTrue(tabs.isArray() && tabs.size() >= 1, tabs.toString());
        assertTrue(tabs.toString().contains("second.html"), tabs.toString());
    }

    @Test
    void aMalformedLineGetsAnErrorLineAndLaterLinesStillRun() {
        var lines = Sandboxes.rpc(t, id, "{\"id\":1,\"method\":\"navigate\",\"params\":{\"url\":\"" + t.pages.url("input.html") + "\"}}\n"
                + "{this is not json\n"
                + "[1,2,3]\n"
                + "{\"id\":4,\"method\":\"click\",\"params\":\"not an object\"}\n"
                + "{\"id\":5}\n"
                + "{\"id\":6,\"method\":\"click\",\"params\":{\"x\":300,\"y\":200}}\n");
        assertEquals(6, lines.size(), lines.toString());
        assertTrue(lines.get(0).has("result"), lines.get(0).toString());
        assertEquals("invalid_json", lines.get(1).path("error").path("code").asText(), lines.get(1).toString());
        assertTrue(lines.get(1).path("error").path("message").asText().contains("line 2"), lines.get(1).toString());
        assertTrue(lines.get(1).path("id").isNull(), "a line that is not JSON has no id to echo");
        assertEquals("invalid_json", lines.get(2).path("error").path("code").asText(), lines.get(2).toString());
        assertEquals(4, lines.get(3).path("id").asInt());
        assertEquals("invalid_argument", lines.get(3).path("error").path("code").asText(), lines.get(3).toString());
        assertEquals(5, lines.get(4).path("id").asInt());
        assertEquals("invalid_argument", lines.get(4).path("error").path("code").asText(), "no method: " + lines.get(4));
        assertEquals(6, lines.get(5).path("id").asInt());
        assertTrue(lines.get(5).has("result"), "the stream went on: " + lines.get(5));
        assertEquals(1, PageLog.ofType(PageLog.read(t, id), "click").size(), "line 6 really clicked");
    }

    @Test
    void anOutOfRangeInputIsAnErrorLineAndTheNextInputStillWorks() {
        var lines = Sandboxes.rpc(t, id, "{\"id\":1,\"method\":\"click\",\"params\":{\"x\":1e39,\"y\":100}}\n"
                + "{\"id\":2,\"method\":\"scroll\",\"params\":{\"dy\":1e20}}\n"
                + "{\"id\":3,\"method\":\"click\",\"params\":{\"x\":10,\"y\":10}}\n");
        assertEquals(3, lines.size(), lines.toString());
        for (var refused : lines.subList(0, 2)) {
            assertEquals("invalid_argument", refused.path("error").path("code").asText(), refused.toString());
        }
        assertTrue(lines.get(2).has("result") && !lines.get(2).has("error"), lines.get(2).toString());
    }

    @Test
    void unknownMethodsAndFailedActionsAreErrorLines() {
        var lines = Sandboxes.rpc(t, id, "{\"id\":\"u\",\"method\":\"teleport\",\"params\":{}}\n"
                + "{\"id\":\"v\",\"method\":\"navigate\",\"params\":{}}\n"
                + "{\"id\":\"w\",\"method\":\"tabs.switch\",\"params\":{\"tab_id\":\"no-such-tab\"}}\n"
                + "{\"id\":\"x\",\"method\":\"html\"}\n");
        assertEquals(4, lines.size(), lines.toString());
        assertEquals("u", lines.get(0).path("id").asText());
        assertEquals("unknown_action", lines.get(0).path("error").path("code").asText(), lines.get(0).toString());
        assertFalse(lines.get(0).path("error").path("message").asText().isBlank());
        assertEquals("invalid_argument", lines.get(1).path("error").path("code").asText(), lines.get(1).toString());
        assertTrue(lines.get(2).has("error"), "no such tab: " + lines.get(2));
        assertFalse(lines.get(2).path("error").path("code").asText().equals("internal"), lines.get(2).toString());
        assertTrue(lines.get(3).has("result"), lines.get(3).toString());
    }

    @Test
    void contextsAndTabsAreListed() {
        var contexts = Sandboxes.rpcResult(t, id, "contexts.list", "{}");
        assertTrue(contexts.isArray() && contexts.size() >= 1, contexts.toString());
        var first = contexts.get(0);
        assertTrue(first.path("default").asBoolean(), contexts.toString());
        assertTrue(first.path("proxy").isNull(), contexts.toString());
        var tabs = Sandboxes.rpcResult(t, id, "tabs.list", "{}");
        assertTrue(tabs.isArray() && tabs.size() >= 1, tabs.toString());
        var created = Sandboxes.rpcResult(t, id, "contexts.create", "{}");
        var ctx = created.path("id").asText();
        try {
            assertFalse(created.path("default").asBoolean(), created.toString());
            var listed = Sandboxes.rpcResult(t, id, "contexts.list", "{}");
            assertTrue(listed.toString().contains(ctx), listed.toString());
            var tab = Sandboxes.rpcResult(t, id, "tabs.create", "{\"contextId\":\"" + ctx + "\",\"url\":\""
                    + t.pages.url("second.html") + "\"}");
            assertFalse(tab.toString().isBlank());
            var allTabs = Sandboxes.rpcResult(t, id, "tabs.list", "{}");
            assertTrue(allTabs.toString().contains(ctx), "a tab of the new context is listed with it: " + allTabs);
        } finally {
            Sandboxes.rpcResult(t, id, "contexts.delete", "{\"contextId\":\"" + ctx + "\"}");
        }
        assertFalse(Sandboxes.rpcResult(t, id, "contexts.list", "{}").toString().contains(ctx));
        var tabsAfter = Sandboxes.rpcResult(t, id, "tabs.list", "{}");
        assertFalse(tabsAfter.toString().contains(ctx), "its tabs went with it: " + tabsAfter);
    }

    @Test
    void eachAnswerIsSentBeforeTheNextLineArrives() throws Exception {
        var base = URI.create(t.server.baseUrl());
        try (var s = new Socket(base.getHost(), base.getPort())) {
            s.setSoTimeout(30_000);
            var out = s.getOutputStream();
            out.write(("POST /browser-sandboxes/" + id + "/rpc HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort()
                    + "\r\nAuthorization: Bearer " + TestServer.KEY + "\r\nContent-Type: application/x-ndjson\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            chunk(out, "{\"id\":\"first\",\"method\":\"tabs.list\"}\n");
            var in = s.getInputStream();
            var seen = readUntil(in, "\"first\"");
            assertTrue(seen.contains("200"), seen);
            assertFalse(seen.contains("\"second\""));
            chunk(out, "{\"id\":\"second\",\"method\":\"tabs.list\"}\n");
            readUntil(in, "\"second\"");
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
    }

    private static void chunk(java.io.OutputStream out, String data) throws IOException {
        var bytes = data.getBytes(StandardCharsets.UTF_8);
        out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Reads until {@code marker} has arrived (bounded by the socket's timeout); returns what was read. */
    private static String readUntil(InputStream in, String marker) throws IOException {
        var got = new ByteArrayOutputStream();
        var buf = new byte[4096];
        while (!got.toString(StandardCharsets.UTF_8).contains(marker)) {
            int n = in.read(buf);
            if (n < 0) throw new AssertionError("the server closed before sending " + marker + ": " + got);
            got.write(buf, 0, n);
        }
        return got.toString(StandardCharsets.UTF_8);
    }

    @Test
    void rpcNeedsTheTenantsKey() {
        var r = t.request("POST", "/browser-sandboxes/" + id + "/rpc", "{\"id\":1,\"method\":\"tabs.list\"}\n",
                Map.of("Authorization", "Bearer " + t.keyB()));
        Sandboxes.assertError(r, 404, "not_found");
        var none = t.request("POST", "/browser-sandboxes/" + id + "/rpc", "{\"id\":1,\"method\":\"tabs.list\"}\n", Map.of());
        Sandboxes.assertError(none, 401, "unauthorized");
    }
}
