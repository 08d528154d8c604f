package io.porthole.sdk.internal;

import io.porthole.sdk.ActionFailedException;
import io.porthole.sdk.ActionResult;
import io.porthole.sdk.RequestOptions;
import io.porthole.sdk.Tab;
import io.porthole.sdk.Tabs;
import io.porthole.sdk.internal.Transport.Repeat;
import java.util.List;
import java.util.Map;

/** {@link Tabs} over {@code /computers/{id}/tabs}. Thread-safe. */
final class TabsImpl implements Tabs {
    private final Transport transport;
    private final RequestOptions options;
    private final String path;

    TabsImpl(Transport transport, RequestOptions options, String computerPath) {
        this.transport = transport;
        this.options = options;
        this.path = computerPath + "/tabs";
    }

    private static ActionResult checked(ActionResult r) {
        if (!r.succeeded()) throw new ActionFailedException(r);
        return r;
    }

    @Override
    public List<Tab> list() {
        var n = transport.json("GET", path, null, Repeat.SAFE, options);
        checked(Json.actionResult(n));
        return Json.items(n.path("result").get("tabs")).stream().map(Json::tab).toList();
    }

    @Override
    public String create(String url) {
        Map<String, Object> body = url == null ? Map.of() : Map.of("url", url);
        var r = checked(Json.actionResult(transport.json("POST", path, body, Repeat.UNSAFE, options)));
        return r.string("tab_id").or(r::executedTabId).orElse("");
    }

    @Override
    public ActionResult close(String tabId) {
        // a DELETE, but not repeatable in effect: a second close of the same tab fails
        return checked(Json.actionResult(transport.json("DELETE", path + "/" + Paths.seg(tabId), null, Repeat.UNSAFE, options)));
    }

    @Override
    public ActionResult switchTo(String tabId) {
        return checked(Json.actionResult(transport.json("POST", path + "/" + Paths.seg(tabId) + "/switch", null,
                Repeat.SAFE, options)));
    }
}
