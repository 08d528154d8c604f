package io.porthole.sdk.internal;

import io.porthole.sdk.Computer;
import io.porthole.sdk.ComputerInfo;
import io.porthole.sdk.ComputerSpec;
import io.porthole.sdk.Computers;
import io.porthole.sdk.RequestOptions;
import io.porthole.sdk.internal.Transport.Repeat;
import java.util.List;
import java.util.Objects;

/** {@link Computers} over {@code /computers}. Thread-safe. */
final class ComputersImpl implements Computers {
    private final Transport transport;
    private final RequestOptions options;

    ComputersImpl(Transport transport, RequestOptions options) {
        this.transport = transport;
        this.options = options;
    }

    @Override
    public Computer create(ComputerSpec spec) {
        var n = transport.json("POST", "/computers", spec.toMap(), Repeat.UNSAFE, options);
        var info = Json.computer(n);
        if (info.id().isEmpty()) throw new IllegalStateException("the server created a computer without an id: " + n);
        return new ComputerImpl(transport, options, info.id(), info);
    }

    @Override
    public Computer create() {
        return create(ComputerSpec.browser());
    }

    @Override
    public Computer get(String id) {
        var info = Json.computer(transport.json("GET", "/computers/" + Paths.seg(id), null, Repeat.SAFE, options));
        return new ComputerImpl(transport, options, id, info);
    }

    @Override
    public Computer attach(String id) {
        Objects.requireNonNull(id, "id");
        return new ComputerImpl(transport, options, id, null);
    }

    @Override
    public List<ComputerInfo> list() {
        return Json.items(transport.json("GET", "/computers", null, Repeat.SAFE, options)).stream().map(Json::computer).toList();
    }

    @Override
    public List<ComputerInfo> listPersistent() {
        return Json.items(transport.json("GET", "/computers?type=persistent", null, Repeat.SAFE, options)).stream()
                .map(Json::computer).toList();
    }

    @Override
    public void delete(String id) {
        transport.json("DELETE", "/computers/" + Paths.seg(id), null, Repeat.SAFE, options);
    }
}
