package io.porthole.sdk.internal;

import io.porthole.sdk.Environment;
import io.porthole.sdk.Environments;
import io.porthole.sdk.RequestOptions;
import io.porthole.sdk.internal.Transport.Repeat;
import java.util.List;

/** {@link Environments} over {@code /environments}. Thread-safe. */
final class EnvironmentsImpl implements Environments {
    private final Transport transport;
    private final RequestOptions options;

    EnvironmentsImpl(Transport transport, RequestOptions options) {
        this.transport = transport;
        this.options = options;
    }

    @Override
    public List<Environment> list() {
        return Json.items(transport.json("GET", "/environments", null, Repeat.SAFE, options).get("items")).stream()
                .map(Json::environment).toList();
    }

    @Override
    public Environment get(String id) {
        return Json.environment(transport.json("GET", "/environments/" + Paths.seg(id), null, Repeat.SAFE, options));
    }

    @Override
    public void delete(String id) {
        transport.json("DELETE", "/environments/" + Paths.seg(id), null, Repeat.SAFE, options);
    }
}
