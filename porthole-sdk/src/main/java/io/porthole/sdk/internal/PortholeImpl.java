package io.porthole.sdk.internal;

import io.porthole.sdk.ApiKeys;
import io.porthole.sdk.Computers;
import io.porthole.sdk.Environments;
import io.porthole.sdk.Porthole;
import io.porthole.sdk.RequestOptions;
import io.porthole.sdk.Sandboxes;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** The hidden implementation of {@link Porthole}; made by {@link Porthole.Builder#build()}. Thread-safe. */
public final class PortholeImpl implements Porthole {
    private final Transport transport;
    private final RequestOptions options;
    private final boolean owner;

    /**
     * A client; for {@link Porthole.Builder} only.
     *
     * @param baseUrl the server's base URL
     * @param apiKey the API key
     * @param timeout the timeout per attempt
     * @param connectTimeout the connect timeout
     * @param maxRetries the retry budget
     * @param headers extra headers
     */
    public PortholeImpl(String baseUrl, String apiKey, Duration timeout, Duration connectTimeout, int maxRetries,
                        Map<String, String> headers) {
        var n = new AtomicInteger();
        var executor = Executors.newCachedThreadPool(r -> {
            var t = new Thread(r, "porthole-sdk-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.transport = new Transport(baseUrl, apiKey, timeout, connectTimeout, maxRetries, headers, executor);
        this.options = RequestOptions.none();
        this.owner = true;
    }

    private PortholeImpl(Transport transport, RequestOptions options) {
        this.transport = transport;
        this.options = options;
        this.owner = false;
    }

    @Override
    public Computers computers() {
        return new ComputersImpl(transport, options);
    }

    @Override
    public Sandboxes sandboxes() {
        return new SandboxesImpl(transport, options);
    }

    @Override
    public Environments environments() {
        return new EnvironmentsImpl(transport, options);
    }

    @Override
    public ApiKeys keys() {
        return new ApiKeysImpl(transport, options);
    }

    @Override
    public Porthole withOptions(RequestOptions more) {
        return new PortholeImpl(transport, options.merge(more));
    }

    @Override
    public String baseUrl() {
        return transport.baseUrl();
    }

    @Override
    public void close() {
        if (owner) transport.close();
    }
}
