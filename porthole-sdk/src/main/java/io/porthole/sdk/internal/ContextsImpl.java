package io.porthole.sdk.internal;

import io.porthole.sdk.BrowserContext;
import io.porthole.sdk.Contexts;
import io.porthole.sdk.RequestOptions;
import io.porthole.sdk.Tab;
import io.porthole.sdk.internal.Transport.Repeat;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** {@link Contexts} over {@code /browser-sandboxes/{id}/contexts}. Thread-safe. */
final class ContextsImpl implements Contexts {
    private final Transport transport;
    private final RequestOptions options;
    private final String path;

    ContextsImpl(Transport transport, RequestOptions options, String sandboxPath) {
        this.transport = transport;
        this.options = options;
        this.path = sandboxPath + "/contexts";
    }

    @Override
    public List<BrowserContext> list() {
        return Json.items(transport.json("GET", path, null, Repeat.SAFE, options).get("items")).stream()
                .map(Json::context).toList();
    }

    @Override
    public BrowserContext create() {
        return Json.context(transport.json("POST", path, Map.of(), Repeat.UNSAFE, options));
    }

    @Override
    public BrowserContext create(String proxyUrl) {
        return Json.context(transport.json("POST", path, Map.of("proxy", Objects.requireNonNull(proxyUrl, "proxyUrl")),
                Repeat.UNSAFE, options));
    }

    @Override
    public void delete(String contextId) {
        transport.json("DELETE", path + "/" + Paths.seg(contextId), null, Repeat.SAFE, options);
    }

    @Override
    public List<Tab> tabs(String contextId) {
        return Json.items(transport.json("GET", path + "/" + Paths.seg(contextId) + "/tabs", null, Repeat.SAFE, options)
                .get("items")).stream().map(Json::tab).toList();
    }

    @Override
    public Tab newTab(String contextId, String url) {
        Map<String, Object> body = url == null ? Map.of() : Map.of("url", url);
        return Json.tab(transport.json("POST", path + "/" + Paths.seg(contextId) + "/tabs", body, Repeat.UNSAFE, options));
    }
}
