package io.porthole.server;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.porthole.api.ErrorCode;
import io.porthole.core.ScreenshotPublisher;
import io.porthole.core.blob.ExpiringBlobs;
import io.porthole.core.internal.Ids;
import io.porthole.core.internal.Threads;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Screenshot URLs that need no credentials: each PNG is stored under a 256-bit random token, served at
 * {@code GET /screenshots/<token>.png} until it expires, then swept. Served as {@code image/png} with
 * {@code nosniff} and a CSP that forbids everything, so the bytes can only ever be an image. The PNGs live in
 * {@link ExpiringBlobs} (the data dir, or the cluster's bucket), so with a shared bucket any node serves a
 * screenshot any node published, and every node sweeps. Needs no store. Thread-safe.
 */
final class ScreenshotLinks implements ScreenshotPublisher, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ScreenshotLinks.class.getName());
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{43}");

    private final ExpiringBlobs shots;
    private volatile String baseUrl = "";
    private final long ttlMillis;
    private final Clock clock;
    private final ScheduledExecutorService sweeper = Threads.scheduler("porthole-screenshot-sweep");

    ScreenshotLinks(ExpiringBlobs shots, long ttlSeconds, Clock clock) {
        this.shots = shots;
        this.ttlMillis = ttlSeconds * 1000;
        this.clock = clock;
        sweeper.scheduleWithFixedDelay(this::sweep, 60, 60, TimeUnit.SECONDS);
    }

    /** The absolute base the URLs start with; set once the listener knows its port. */
    void baseUrl(String base) {
        this.baseUrl = base;
    }

    @Override
    public String publish(String computerId, byte[] png) {
        var token = Ids.secret(32);
        try {
            shots.put(token, png);
        } catch (UncheckedIOException e) {
            throw new UncheckedIOException("the screenshot could not be stored: " + e.getMessage(), e.getCause());
        }
        return baseUrl + "/screenshots/" + token + ".png";
    }

    void serve(ServerRequest req, ServerResponse res) {
        var name = req.path().pathParameters().get("file");
        var token = name.endsWith(".png") ? name.substring(0, name.length() - 4) : name;
        if (!TOKEN.matcher(token).matches()) {
            Http.error(res, ErrorCode.NOT_FOUND, "no such screenshot");
            return;
        }
        var shot = shots.get(token).orElse(null);
        if (shot == null || expired(shot)) {
            if (shot != null) shots.delete(token);
            Http.error(res, ErrorCode.NOT_FOUND, "this screenshot URL has expired or never existed");
            return;
        }
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, "image/png");
        res.header(HeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff");
        res.header(HeaderNames.CACHE_CONTROL, "private, max-age=" + ttlMillis / 1000);
        res.header(HeaderNames.create("Content-Security-Policy"), "default-src 'none'");
        res.send(shot.bytes());
    }

    private boolean expired(ExpiringBlobs.Entry shot) {
        return shot.written().toEpochMilli() + ttlMillis < clock.millis();
    }

    /** Removes every screenshot past its time; returns how many. */
    int sweep() {
        try {
            return shots.sweep(clock.instant().minusMillis(ttlMillis));
        } catch (RuntimeException e) {
            // the next sweep tries again; a failure must not end the schedule
            LOG.log(System.Logger.Level.WARNING, "sweeping expired screenshots failed: " + e.getMessage());
            return 0;
        }
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }
}
