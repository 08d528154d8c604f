package io.porthole.server;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Runs a slow request once when the SDKs send it again. The Lightcone SDKs give up on a request after 60 s
 * and retry it (header {@code X-Stainless-Retry-Count: n}); a command that runs longer than that would run
 * again on each retry. Here a retry of an identical request (same tenant, path and body) that is still
 * running, or finished within {@link #KEEP_MILLIS}, waits for the first run's answer instead. Only requests
 * that say they are retries join; a first attempt always runs. Thread-safe.
 */
final class RetryJoin {
    static final long KEEP_MILLIS = 5 * 60_000;
    /** Answers larger than this are not kept after they are sent (a retry then runs the command again). */
    static final int MAX_KEPT_BYTES = 1 << 20;
    private static final io.helidon.http.HeaderName RETRY_COUNT = HeaderNames.create("X-Stainless-Retry-Count");

    /** A finished answer. */
    record Answer(int status, byte[] body) {}

    private record Entry(CompletableFuture<Answer> answer, long[] finishedAt) {}

    private final Map<String, Entry> runs = new ConcurrentHashMap<>();
    private final Clock clock;

    RetryJoin(Clock clock) {
        this.clock = clock;
    }

    /** The answer to this request: a running or recent identical run's, for a retry; else {@code run}'s. */
    Answer run(ServerRequest req, String tenant, String body, Supplier<Answer> run) {
        sweep();
        var key = key(tenant, req.path().path(), body);
        boolean retry = req.headers().first(RETRY_COUNT).map(v -> !v.trim().equals("0")).orElse(false);
        if (retry) {
            var existing = runs.get(key);
            if (existing != null) return existing.answer().join();
        }
        var entry = new Entry(new CompletableFuture<>(), new long[] {Long.MAX_VALUE});
        runs.put(key, entry);
        try {
            var answer = run.get();
            entry.answer().complete(answer);
            return answer;
        } catch (RuntimeException e) {
            entry.answer().completeExceptionally(e);
            runs.remove(key, entry);
            throw e;
        } finally {
            entry.finishedAt()[0] = clock.millis();
            if (entry.answer().isDone() && !entry.answer().isCompletedExceptionally()
                    && entry.answer().join().body().length > MAX_KEPT_BYTES) {
                runs.remove(key, entry);
            }
        }
    }

    private void sweep() {
        long now = clock.millis();
        runs.entrySet().removeIf(e -> e.getValue().finishedAt()[0] != Long.MAX_VALUE
                && now - e.getValue().finishedAt()[0] > KEEP_MILLIS);
    }

    private static String key(String tenant, String path, String body) {
        try {
            var d = MessageDigest.getInstance("SHA-256");
            d.update(tenant.getBytes(StandardCharsets.UTF_8));
            d.update((byte) 0);
            d.update(path.getBytes(StandardCharsets.UTF_8));
            d.update((byte) 0);
            d.update(body.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
