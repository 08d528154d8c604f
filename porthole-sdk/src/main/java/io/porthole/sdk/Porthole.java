package io.porthole.sdk;

import io.porthole.sdk.internal.PortholeImpl;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A client of one Porthole server: the entry point of the SDK.
 *
 * <pre>{@code
 * try (Porthole porthole = Porthole.builder().baseUrl("http://127.0.0.1:8844").apiKey(key).build();
 *      Computer computer = porthole.computers().create(ComputerSpec.browser().viewport(1280, 720))) {
 *     computer.navigate("https://example.com");
 *     computer.click(640, 360);
 *     byte[] png = computer.screenshot().png();
 * }
 * }</pre>
 *
 * <h2>Retries</h2>
 * A request is retried (by default twice, so three attempts; {@link Builder#maxRetries}) when the answer is 408, 409,
 * 429 or 500 and above, or when no answer arrived, with these limits:
 * <ul>
 *   <li>A request that is <em>safe to repeat</em> (GET, DELETE, and the POSTs that change nothing or end in the same
 *       state however often they run: screenshot, html, keepalive, status, suspend, resume, tab switch) is retried
 *       on all of them.</li>
 *   <li>Any other request (create, every input action, navigate, exec, batch, execute, uploads) is retried only when
 *       the server cannot have acted on it: the connection was never made, or the server refused it with 429.</li>
 *   <li>The server's {@code x-should-retry: true} retries any request; {@code x-should-retry: false} stops retrying
 *       any request.</li>
 * </ul>
 * The wait before retry n (0-based) is the server's {@code retry-after-ms}, else its {@code Retry-After} (seconds or
 * an HTTP date) when that is above 0 and at most 60 seconds, else 0.5 s &middot; 2<sup>n</sup> capped at 8 s, less up
 * to 25 % jitter. Each retry carries {@code X-Stainless-Retry-Count: n}, as the official SDKs send, so that the
 * server can recognise a repeated request.
 *
 * <h2>Timeouts</h2>
 * Each attempt has the client's timeout (60 s by default) to receive the response headers (streams then run as
 * long as they are read); {@link #withOptions} makes a view of the client with other per-request options.
 *
 * <p>Implementations are thread-safe: one client serves any number of threads. Close it when done to release its
 * threads; closing does not delete any computer.
 */
public interface Porthole extends AutoCloseable {

    /** The environment variable read for the base URL when the builder is given none. */
    String BASE_URL_ENV = "PORTHOLE_BASE_URL";
    /** The environment variable read for the API key when the builder is given none. */
    String API_KEY_ENV = "PORTHOLE_API_KEY";
    /** The base URL used when neither the builder nor the environment give one. */
    String DEFAULT_BASE_URL = "http://127.0.0.1:8844";

    /**
     * A builder of a client.
     *
     * @return a new builder with the defaults
     */
    static Builder builder() {
        return new Builder();
    }

    /**
     * A client configured from {@code PORTHOLE_BASE_URL} and {@code PORTHOLE_API_KEY} alone.
     *
     * @return a new client
     * @throws IllegalStateException when no API key is set
     */
    static Porthole fromEnv() {
        return builder().build();
    }

    /**
     * The Computers API (Lightcone-compatible): browsers and desktops.
     *
     * @return the computers of this client's tenant
     */
    Computers computers();

    /**
     * The native browser-sandboxes API: contexts, artifacts, replay events, suspend and resume.
     *
     * @return the browser sandboxes of this client's tenant
     */
    Sandboxes sandboxes();

    /**
     * The tenant's saved environments (browser state kept by persistent computers).
     *
     * @return the environments
     */
    Environments environments();

    /**
     * API keys (admin keys) and the caller's identity.
     *
     * @return the keys
     */
    ApiKeys keys();

    /**
     * A view of this client whose requests use {@code options} where they set a value; it shares this client's
     * connections and needs no closing of its own.
     *
     * @param options per-request options
     * @return a client with those options
     */
    Porthole withOptions(RequestOptions options);

    /**
     * The server's base URL, without a trailing slash.
     *
     * @return the base URL
     */
    String baseUrl();

    /** Releases the client's threads and connections. Idempotent; computers stay as they are. */
    @Override
    void close();

    /**
     * Configuration of a {@link Porthole} client. Not thread-safe; build once and share the client.
     */
    final class Builder {
        private String baseUrl;
        private String apiKey;
        private Duration timeout = Duration.ofSeconds(60);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private int maxRetries = 2;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private Map<String, String> environment = System.getenv();

        Builder() {
        }

        /**
         * The server's base URL, e.g. {@code http://127.0.0.1:8844}; a path prefix is kept. Default:
         * {@code PORTHOLE_BASE_URL}, else {@value Porthole#DEFAULT_BASE_URL}.
         *
         * @param baseUrl an absolute http or https URL
         * @return this builder
         */
        public Builder baseUrl(String baseUrl) {
            this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
            return this;
        }

        /**
         * The API key, sent as {@code Authorization: Bearer <key>}. Default: {@code PORTHOLE_API_KEY}.
         *
         * @param apiKey the key
         * @return this builder
         */
        public Builder apiKey(String apiKey) {
            this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
            return this;
        }

        /**
         * How long each attempt may wait for the response headers. Default 60 seconds.
         *
         * @param timeout a positive duration
         * @return this builder
         */
        public Builder timeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive");
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * How long making a connection may take. Default 10 seconds.
         *
         * @param connectTimeout a positive duration
         * @return this builder
         */
        public Builder connectTimeout(Duration connectTimeout) {
            if (connectTimeout == null || connectTimeout.isNegative() || connectTimeout.isZero()) {
                throw new IllegalArgumentException("connectTimeout must be positive");
            }
            this.connectTimeout = connectTimeout;
            return this;
        }

        /**
         * How many times a failed request may be retried (see {@link Porthole} for which). Default 2.
         *
         * @param maxRetries 0 or more
         * @return this builder
         */
        public Builder maxRetries(int maxRetries) {
            if (maxRetries < 0) throw new IllegalArgumentException("maxRetries must be 0 or more");
            this.maxRetries = maxRetries;
            return this;
        }

        /**
         * A header sent with every request (a tracing header, say). {@code Authorization} is set from the key.
         *
         * @param name the header name
         * @param value its value
         * @return this builder
         */
        public Builder header(String name, String value) {
            headers.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Where {@code PORTHOLE_BASE_URL} and {@code PORTHOLE_API_KEY} are read from: the process environment by
         * default; tests and tools can pass a map of their own.
         *
         * @param environment variable names to values
         * @return this builder
         */
        public Builder environment(Map<String, String> environment) {
            this.environment = Map.copyOf(environment);
            return this;
        }

        /**
         * A client with this configuration.
         *
         * @return a new client; close it when done
         * @throws IllegalStateException when no API key is given or set in the environment
         * @throws IllegalArgumentException when the base URL is not an absolute http(s) URL
         */
        public Porthole build() {
            var url = baseUrl != null ? baseUrl : environment.getOrDefault(BASE_URL_ENV, DEFAULT_BASE_URL);
            var key = apiKey != null ? apiKey : environment.get(API_KEY_ENV);
            if (key == null || key.isBlank()) {
                throw new IllegalStateException("no API key: call apiKey(...) or set " + API_KEY_ENV);
            }
            return new PortholeImpl(url, key, timeout, connectTimeout, maxRetries, headers);
        }
    }
}
