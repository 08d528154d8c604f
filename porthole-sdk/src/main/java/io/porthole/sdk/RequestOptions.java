package io.porthole.sdk;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Options for the requests of one view of a client ({@link Porthole#withOptions}, {@link Computer#withOptions}):
 * a timeout and a retry budget that replace the client's. Unset values fall back to the client's.
 *
 * <pre>{@code
 * computer.withOptions(RequestOptions.none().timeout(Duration.ofMinutes(5))).execSync("make");
 * }</pre>
 *
 * <p>Immutable and thread-safe: each setter returns a new instance.
 */
public final class RequestOptions {
    private static final RequestOptions NONE = new RequestOptions(null, null);

    private final Duration timeout;
    private final Integer maxRetries;

    private RequestOptions(Duration timeout, Integer maxRetries) {
        this.timeout = timeout;
        this.maxRetries = maxRetries;
    }

    /**
     * Options that change nothing.
     *
     * @return the empty options
     */
    public static RequestOptions none() {
        return NONE;
    }

    /**
     * These options with a timeout per attempt.
     *
     * @param timeout a positive duration
     * @return new options
     */
    public RequestOptions timeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("timeout must be positive");
        return new RequestOptions(timeout, maxRetries);
    }

    /**
     * These options with a retry budget.
     *
     * @param maxRetries 0 or more
     * @return new options
     */
    public RequestOptions maxRetries(int maxRetries) {
        if (maxRetries < 0) throw new IllegalArgumentException("maxRetries must be 0 or more");
        return new RequestOptions(timeout, maxRetries);
    }

    /**
     * The timeout, if set.
     *
     * @return the timeout per attempt
     */
    public Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    /**
     * The retry budget, if set.
     *
     * @return the number of retries
     */
    public OptionalInt maxRetries() {
        return maxRetries == null ? OptionalInt.empty() : OptionalInt.of(maxRetries);
    }

    /**
     * These options with every value {@code other} sets replacing this one's.
     *
     * @param other options that take precedence
     * @return the merged options
     */
    public RequestOptions merge(RequestOptions other) {
        return new RequestOptions(other.timeout != null ? other.timeout : timeout,
                other.maxRetries != null ? other.maxRetries : maxRetries);
    }
}
