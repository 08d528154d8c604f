package io.porthole.server;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.porthole.api.ErrorCode;
import io.porthole.core.ScreenshotPublisher;
import io.porthole.core.internal.Ids;
import io.porthole.core.internal.Threads;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Screenshot URLs that need no credentials: each PNG is stored under a 256-bit random token, served at
 * {@code GET /screenshots/<token>.png} until it expires, then swept. Served as {@code image/png} with
 * {@code nosniff} and a CSP that forbids everything, so the bytes can only ever be an image.
 * Thread-safe.
 */
final class ScreenshotLinks implements ScreenshotPublisher, AutoCloseable {
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{43}");

    private final Path dir;
    private volatile String baseUrl = "";
    private final long ttlMillis;
    private final Clock clock;
    private final ScheduledExecutorService sweeper = Threads.scheduler("porthole-screenshot-sweep");

    ScreenshotLinks(Path dir, long ttlSeconds, Clock clock) {
        this.dir = dir;
        this.ttlMillis = ttlSeconds * 1000;
        this.clock = clock;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        sweeper.scheduleWithFixedDelay(this::sweep, 60, 60, TimeUnit.SECONDS);
    }

    /** The absolute base the URLs start with; set once the listener knows its port. */
    void baseUrl(String base) {
        this.baseUrl = base;
    }

    @Override
    public String publish(String computerId, byte[] png) {
        var token = Ids.secret(32);
        var file = dir.resolve(token + ".png");
        try {
            var tmp = Files.createTempFile(dir, ".tmp-", ".png");
            Files.write(tmp, png);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("the screenshot could not be stored", e);
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
        var file = dir.resolve(token + ".png");
        byte[] bytes;
        try {
            if (expired(file)) {
                Files.deleteIfExists(file);
                Http.error(res, ErrorCode.NOT_FOUND, "this screenshot URL has expired or never existed");
                return;
            }
            bytes = Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            Http.error(res, ErrorCode.NOT_FOUND, "this screenshot URL has expired or never existed");
            return;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, "image/png");
        res.header(HeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff");
        res.header(HeaderNames.CACHE_CONTROL, "private, max-age=" + ttlMillis / 1000);
        res.header(HeaderNames.create("Content-Security-Policy"), "default-src 'none'");
        res.send(bytes);
    }

    private boolean expired(Path file) throws IOException {
        return Files.getLastModifiedTime(file).toMillis() + ttlMillis < clock.millis();
    }

    void sweep() {
        try (var files = Files.list(dir)) {
            files.forEach(f -> {
                try {
                    if (expired(f)) Files.deleteIfExists(f);
                } catch (IOException ignored) {
                    // removed concurrently
                }
            });
        } catch (IOException ignored) {
            // next sweep
        }
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }
}
