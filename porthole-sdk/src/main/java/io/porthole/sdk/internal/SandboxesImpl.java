package io.porthole.sdk.internal;

import io.porthole.sdk.RequestOptions;
import io.porthole.sdk.Sandbox;
import io.porthole.sdk.SandboxInfo;
import io.porthole.sdk.SandboxSpec;
import io.porthole.sdk.Sandboxes;
import io.porthole.sdk.internal.Transport.Repeat;
import java.util.stream.Stream;

/** {@link Sandboxes} over {@code /browser-sandboxes}. Thread-safe. */
final class SandboxesImpl implements Sandboxes {
    private static final int PAGE = 50;

    private final Transport transport;
    private final RequestOptions options;

    SandboxesImpl(Transport transport, RequestOptions options) {
        this.transport = transport;
        this.options = options;
    }

    @Override
    public Sandbox create(SandboxSpec spec) {
        var info = Json.sandbox(transport.json("POST", "/browser-sandboxes", spec.toMap(), Repeat.UNSAFE, options));
        if (info.id().isEmpty()) throw new IllegalStateException("the server created a sandbox without an id");
        return new SandboxImpl(transport, options, info);
    }

    @Override
    public Sandbox create() {
        return create(SandboxSpec.chromium());
    }

    @Override
    public Sandbox get(String id) {
        return new SandboxImpl(transport, options,
                Json.sandbox(transport.json("GET", "/browser-sandboxes/" + Paths.seg(id), null, Repeat.SAFE, options)));
    }

    @Override
    public Stream<SandboxInfo> list(String... states) {
        var filter = states.length == 0 ? "" : "&state=" + Paths.query(String.join(",", states));
        return Pager.stream(cursor -> transport.json("GET", "/browser-sandboxes?limit=" + PAGE + filter
                + cursor.map(c -> "&cursor=" + Paths.query(c)).orElse(""), null, Repeat.SAFE, options), Json::sandbox);
    }

    @Override
    public void delete(String id) {
        transport.json("DELETE", "/browser-sandboxes/" + Paths.seg(id), null, Repeat.SAFE, options);
    }
}
