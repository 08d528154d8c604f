package io.porthole.server;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The fixture pages that report what the browser holds as JSON in {@code <pre id="out">} (state.html: cookies,
 * localStorage, IndexedDB; langs.html: languages), read back through the API.
 */
final class StatePage {
    private StatePage() {}

    /** The JSON in a page's {@code <pre id="out">}, or null while it still says "pending". */
    static JsonNode report(String html) {
        int start = html.indexOf("<pre id=\"out\">");
        if (start < 0) return null;
        var text = html.substring(start + 14, html.indexOf("</pre>", start)).replace("&quot;", "\"");
        if (text.isEmpty() || text.equals("pending")) return null;
        try {
            return TestServer.JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw new AssertionError(text, e);
        }
    }

    /**
     * Loads {@code page + query} in the main tab (or, through the RPC, in {@code tab}) of computer {@code id} and
     * waits, within a bound, for its report.
     */
    static JsonNode read(TestServer t, String id, String page, String query, String tab) {
        var url = t.pages.url(page + query);
        var tabField = tab == null ? "" : ",\"tab_id\":\"" + tab + "\"";
        if (tab == null) {
            var nav = t.action(id, "navigate", "{\"url\":\"" + url + "\"}");
            if (!nav.path("status").asText().equals("success")) throw new AssertionError(nav.toString());
        } else {
            Sandboxes.rpcResult(t, id, "navigate", "{\"url\":\"" + url + "\"" + tabField + "}");
        }
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (true) {
            var html = tab == null ? t.action(id, "html", "{}").path("result").path("html_content").asText()
                    : Sandboxes.rpcResult(t, id, "html", "{" + tabField.substring(1) + "}").path("html_content").asText();
            var report = report(html);
            if (report != null) return report;
            if (System.nanoTime() > deadline) throw new AssertionError("the page did not report: " + html);
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }
}
