package io.porthole.sdk.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.porthole.sdk.Artifacts;
import io.porthole.sdk.Computer;
import io.porthole.sdk.Contexts;
import io.porthole.sdk.ReplayEvent;
import io.porthole.sdk.RequestOptions;
import io.porthole.sdk.Sandbox;
import io.porthole.sdk.SandboxInfo;
import io.porthole.sdk.internal.Transport.Repeat;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Stream;

/** {@link Sandbox} over {@code /browser-sandboxes/{id}}. Thread-safe. */
final class SandboxImpl implements Sandbox {
    private final Transport transport;
    private final RequestOptions options;
    private final String id;
    private final String path;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile SandboxInfo info;

    SandboxImpl(Transport transport, RequestOptions options, SandboxInfo info) {
        this.transport = transport;
        this.options = options;
        this.id = info.id();
        this.path = "/browser-sandboxes/" + Paths.seg(id);
        this.info = info;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public SandboxInfo info() {
        return info;
    }

    @Override
    public SandboxInfo refresh() {
        return remember(transport.json("GET", path, null, Repeat.SAFE, options));
    }

    private SandboxInfo remember(JsonNode n) {
        if (!n.isObject()) return info;
        var fresh = Json.sandbox(n);
        info = fresh;
        return fresh;
    }

    @Override
    public SandboxInfo suspend() {
        // suspending a paused sandbox leaves it paused: safe to repeat
        return remember(transport.json("POST", path + "/suspend", null, Repeat.SAFE, options));
    }

    @Override
    public SandboxInfo resume() {
        return remember(transport.json("POST", path + "/resume", null, Repeat.SAFE, options));
    }

    private String connect(String what, Function<SandboxInfo.Connect, Optional<String>> pick) {
        var url = info.connect().flatMap(pick);
        if (url.isEmpty()) url = refresh().connect().flatMap(pick);
        return url.orElseThrow(() -> new IllegalStateException("sandbox " + id + " (" + info.browser() + ", "
                + info.state() + ") has no " + what + " endpoint"));
    }

    @Override
    public String cdpUrl() {
        return connect("CDP", SandboxInfo.Connect::cdp);
    }

    @Override
    public String bidiUrl() {
        return connect("BiDi", SandboxInfo.Connect::bidi);
    }

    @Override
    public String accessToken() {
        var token = info.accessToken();
        if (token.isEmpty()) token = refresh().accessToken();
        return token.orElseThrow(() -> new IllegalStateException("sandbox " + id + " is " + info.state()
                + " and has no access token"));
    }

    @Override
    public Contexts contexts() {
        return new ContextsImpl(transport, options, path);
    }

    @Override
    public Artifacts artifacts() {
        return new ArtifactsImpl(transport, options, path);
    }

    @Override
    public Stream<ReplayEvent> replayEvents() {
        return replayEvents(100);
    }

    @Override
    public Stream<ReplayEvent> replayEvents(int pageSize) {
        if (pageSize < 1 || pageSize > 1000) throw new IllegalArgumentException("pageSize must be 1 to 1000");
        return Pager.stream(cursor -> transport.json("GET", path + "/replay-events?limit=" + pageSize
                + cursor.map(c -> "&cursor=" + Paths.query(c)).orElse(""), null, Repeat.SAFE, options), Json::replayEvent);
    }

    @Override
    public Computer computer() {
        return new ComputerImpl(transport, options, id, null);
    }

    @Override
    public void delete() {
        remember(transport.json("DELETE", path, null, Repeat.SAFE, options));
        closed.set(true);
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                remember(transport.json("DELETE", path, null, Repeat.SAFE, options));
            } catch (RuntimeException e) {
                // not closed after all: a later close tries again
                closed.set(false);
                throw e;
            }
        }
    }

    @Override
    public String toString() {
        return "Sandbox[" + id + "]";
    }
}
