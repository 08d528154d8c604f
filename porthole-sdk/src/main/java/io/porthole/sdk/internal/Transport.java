package io.porthole.sdk.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.porthole.sdk.ApiConnectionException;
import io.porthole.sdk.ApiTimeoutException;
import io.porthole.sdk.AuthenticationException;
import io.porthole.sdk.BadRequestException;
import io.porthole.sdk.ConflictException;
import io.porthole.sdk.InternalServerException;
import io.porthole.sdk.NotFoundException;
import io.porthole.sdk.PermissionDeniedException;
import io.porthole.sdk.PortholeException;
import io.porthole.sdk.RateLimitException;
import io.porthole.sdk.RequestOptions;
import io.porthole.sdk.UnprocessableEntityException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Sends requests with the client's key, timeouts and retry rules (documented on {@code Porthole}; the why is in
 * ADR 0030). Every response is read as a stream; the JSON calls read it whole. Thread-safe.
 */
public final class Transport {
    /** Whether a request may be sent again after the server may have acted on it. */
    public enum Repeat {
        /** Reads, deletes and POSTs whose second run changes nothing more: retried on every retryable failure. */
        SAFE,
        /** Anything else: retried only when the server cannot have acted (no connection; a 429 refusal). */
        UNSAFE
    }

    private static final int MAX_ERROR_BODY = 64 * 1024;
    private static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(60);

    private final HttpClient client;
    private final ExecutorService executor;
    private final String baseUrl;
    private final String apiKey;
    private final Duration timeout;
    private final int maxRetries;
    private final Map<String, String> headers;

    Transport(String baseUrl, String apiKey, Duration timeout, Duration connectTimeout, int maxRetries,
              Map<String, String> headers, ExecutorService executor) {
        var uri = URI.create(baseUrl);
        if (!uri.isAbsolute() || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new IllegalArgumentException("the base URL must be an absolute http or https URL, not '" + baseUrl + "'");
        }
        this.baseUrl = baseUrl.replaceAll("/+$", "");
        this.apiKey = apiKey;
        this.timeout = timeout;
        this.maxRetries = maxRetries;
        this.headers = Map.copyOf(headers);
        this.executor = executor;
        this.client = HttpClient.newBuilder().connectTimeout(connectTimeout).executor(executor)
                .followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    String baseUrl() {
        return baseUrl;
    }

    void close() {
        executor.shutdownNow();
    }

    /** A JSON request; the parsed answer, or a missing node for an empty one (204). */
    JsonNode json(String method, String path, Object body, Repeat repeat, RequestOptions options) {
        var res = send(method, path, body, "application/json", repeat, options);
        try (var in = res.body()) {
            var bytes = in.readAllBytes();
            if (bytes.length == 0) return Json.MAPPER.missingNode();
            return Json.MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new ApiConnectionException("reading the answer to " + method + " " + path + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Sends a request and returns its successful response, its body not yet read (the caller closes it); a failed
     * one is retried by the rules or thrown as the exception named by its status.
     */
    HttpResponse<InputStream> send(String method, String path, Object body, String accept, Repeat repeat,
                                   RequestOptions options) {
        byte[] bytes = body == null ? null : Json.bytes(body);
        int retries = options.maxRetries().orElse(maxRetries);
        var attemptTimeout = options.timeout().orElse(timeout);
        for (int attempt = 0; ; attempt++) {
            var b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(attemptTimeout);
            headers.forEach(b::header);
            b.header("Authorization", "Bearer " + apiKey);
            b.header("Accept", accept);
            b.header("User-Agent", "porthole-sdk-java");
            b.header("X-Stainless-Retry-Count", Integer.toString(attempt));
            if (bytes != null) {
                b.header("Content-Type", "application/json");
                b.method(method, HttpRequest.BodyPublishers.ofByteArray(bytes));
            } else {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<InputStream> res;
            try {
                res = client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (HttpConnectTimeoutException | ConnectException e) {
                // no connection was made, so the server saw nothing: any request may go again
                if (attempt < retries) {
                    pause(delay(null, attempt));
                    continue;
                }
                throw e instanceof HttpConnectTimeoutException
                        ? new ApiTimeoutException("connecting to " + baseUrl + " timed out", e)
                        : new ApiConnectionException("could not connect to " + baseUrl + ": " + describe(e), e);
            } catch (HttpTimeoutException e) {
                if (repeat == Repeat.SAFE && attempt < retries) {
                    pause(delay(null, attempt));
                    continue;
                }
                throw new ApiTimeoutException(method + " " + path + " got no answer within " + attemptTimeout, e);
            } catch (IOException e) {
                if (repeat == Repeat.SAFE && attempt < retries) {
                    pause(delay(null, attempt));
                    continue;
                }
                throw new ApiConnectionException(method + " " + path + " failed: " + describe(e), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ApiConnectionException(method + " " + path + " was interrupted", e);
            }
            int status = res.statusCode();
            if (status < 400) return res;
            var error = errorOf(res);
            if (attempt < retries && shouldRetry(status, res.headers(), repeat)) {
                pause(delay(res.headers(), attempt));
                continue;
            }
            throw error;
        }
    }

    /** The retry rule for an answer: the server's x-should-retry first, then the status and the request's kind. */
    static boolean shouldRetry(int status, HttpHeaders headers, Repeat repeat) {
        var told = headers.firstValue("x-should-retry").map(String::trim).orElse("");
        if (told.equalsIgnoreCase("true")) return true;
        if (told.equalsIgnoreCase("false")) return false;
        // a 429 is a refusal before any work; the others may come after the server acted
        if (status == 429) return true;
        boolean retryable = status == 408 || status == 409 || status >= 500;
        return retryable && repeat == Repeat.SAFE;
    }

    /**
     * The wait before retry {@code n}: the server's retry-after-ms or Retry-After when within (0, 60 s], else
     * 0.5 s * 2^n capped at 8 s, less up to 25 % jitter.
     */
    static Duration delay(HttpHeaders headers, int n) {
        if (headers != null) {
            var told = retryAfter(headers);
            if (told.isPresent()) return told.get();
        }
        double seconds = Math.min(0.5 * Math.pow(2, n), 8.0);
        double jitter = 1 - ThreadLocalRandom.current().nextDouble() * 0.25;
        return Duration.ofMillis((long) (seconds * jitter * 1000));
    }

    static Optional<Duration> retryAfter(HttpHeaders headers) {
        Duration d = null;
        var ms = headers.firstValue("retry-after-ms");
        if (ms.isPresent()) {
            try {
                d = Duration.ofNanos((long) (Double.parseDouble(ms.get().trim()) * 1_000_000));
            } catch (NumberFormatException e) {
                d = null;
            }
        }
        if (d == null) {
            var after = headers.firstValue("retry-after");
            if (after.isPresent()) {
                var v = after.get().trim();
                try {
                    d = Duration.ofMillis((long) (Double.parseDouble(v) * 1000));
                } catch (NumberFormatException e) {
                    try {
                        var when = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                        d = Duration.between(ZonedDateTime.now(when.getZone()), when);
                    } catch (RuntimeException e2) {
                        d = null;
                    }
                }
            }
        }
        if (d == null || d.isNegative() || d.isZero() || d.compareTo(MAX_RETRY_AFTER) > 0) return Optional.empty();
        return Optional.of(d);
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiConnectionException("interrupted while waiting to retry", e);
        }
    }

    private static String describe(IOException e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /** The exception an error answer stands for; reads (a bounded part of) its body and closes it. */
    static PortholeException errorOf(HttpResponse<InputStream> res) {
        int status = res.statusCode();
        String text;
        try (var in = res.body()) {
            text = new String(in.readNBytes(MAX_ERROR_BODY), StandardCharsets.UTF_8);
        } catch (IOException e) {
            text = "";
        }
        String code = "";
        String message = null;
        try {
            var node = text.isBlank() ? null : Json.MAPPER.readTree(text);
            if (node != null && node.isObject()) {
                code = node.path("code").isValueNode() ? node.path("code").asText("") : "";
                var m = node.get("message");
                if (m != null && !m.isNull()) message = m.isTextual() ? m.asText() : m.toString();
            }
        } catch (IOException e) {
            // not JSON: the text is the message
        }
        if (message == null) message = text.isBlank() ? status + " status code (no body)" : text.strip();
        var requestId = res.headers().firstValue("x-request-id").orElse(null);
        return error(status, code, message, requestId);
    }

    static PortholeException error(int status, String code, String message, String requestId) {
        switch (status) {
            case 400: return new BadRequestException(status, code, message, requestId);
            case 401: return new AuthenticationException(status, code, message, requestId);
            case 403: return new PermissionDeniedException(status, code, message, requestId);
            case 404: return new NotFoundException(status, code, message, requestId);
            case 409: return new ConflictException(status, code, message, requestId);
            case 422: return new UnprocessableEntityException(status, code, message, requestId);
            case 429: return new RateLimitException(status, code, message, requestId);
            default:
                return status >= 500 ? new InternalServerException(status, code, message, requestId)
                        : new PortholeException(status, code, message, requestId, null);
        }
    }
}
