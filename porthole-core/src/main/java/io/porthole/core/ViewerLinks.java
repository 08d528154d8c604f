package io.porthole.core;

import io.porthole.api.ErrorCode;
import io.porthole.core.internal.Ids;
import io.porthole.core.store.Store;
import io.porthole.core.store.ViewerLinkRecord;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * Viewer links: a 256-bit random token that opens one computer's live view without an API key, read-only or
 * with the right to take control, until it expires or is revoked. Only the token's SHA-256 is stored (as for API
 * keys); the token is shown once, when the link is made. Streams opened with a link register here and are ended
 * when it is revoked. Thread-safe.
 */
public final class ViewerLinks {
    /** Every token starts so, which tells it apart from an API key ({@code ph_}) at a glance. */
    public static final String TOKEN_PREFIX = "pv_";
    public static final Duration MIN_TTL = Duration.ofSeconds(10);

    private final Store store;
    private final Clock clock;
    private final Duration maxTtl;
    private final Map<String, Set<Runnable>> onRevoke = new ConcurrentHashMap<>();

    public ViewerLinks(Store store, Clock clock, Duration maxTtl) {
        this.store = store;
        this.clock = clock;
        this.maxTtl = maxTtl;
    }

    /** A new link: the record and, this once, the token. */
    public record Created(ViewerLinkRecord record, String token) {}

    /**
     * Makes a link to the computer.
     *
     * @param mode {@code read_only} or {@code control}
     * @throws PortholeException.InvalidRequest for another mode or a time outside 10 s to the maximum
     */
    public Created create(String tenantId, String computerId, String mode, Duration ttl) {
        if (!ViewerLinkRecord.READ_ONLY.equals(mode) && !ViewerLinkRecord.CONTROL.equals(mode)) {
            throw new PortholeException.InvalidRequest("'mode' must be read_only or control, not '" + mode + "'");
        }
        if (ttl.compareTo(MIN_TTL) < 0 || ttl.compareTo(maxTtl) > 0) {
            throw new PortholeException.InvalidRequest("a viewer link may work from " + MIN_TTL.toSeconds() + " to "
                    + maxTtl.toSeconds() + " seconds, not " + ttl.toSeconds());
        }
        var token = TOKEN_PREFIX + Ids.secret(32);
        var now = clock.instant();
        var record = new ViewerLinkRecord(Ids.id("vl"), computerId, tenantId, mode, token.substring(0, 8),
                ApiKeys.hash(token), now, now.plus(ttl), null);
        store.insertViewerLink(record);
        return new Created(record, token);
    }

    /** The link {@code token} belongs to, if it is one and works now. */
    public Optional<ViewerLinkRecord> authenticate(String token) {
        if (token == null || !token.startsWith(TOKEN_PREFIX)) return Optional.empty();
        var now = clock.instant();
        return store.findViewerLinkByHash(ApiKeys.hash(token)).filter(l -> l.activeAt(now));
    }

    /** Whether the link has not expired by now (revocation ends its streams through {@link #whileOpen}). */
    public boolean unexpired(ViewerLinkRecord link) {
        return clock.instant().isBefore(link.expiresAt());
    }

    public List<ViewerLinkRecord> list(String computerId) {
        return store.listViewerLinks(computerId);
    }

    /**
     * Revokes a link of the computer and ends what was opened with it.
     *
     * @throws PortholeException.NotFound if the computer has no such link
     */
    public ViewerLinkRecord revoke(String computerId, String id) {
        var link = store.listViewerLinks(computerId).stream().filter(l -> l.id().equals(id)).findFirst()
                .orElseThrow(() -> new PortholeException.NotFound(ErrorCode.NOT_FOUND, "computer " + computerId
                        + " has no viewer link '" + id + "'"));
        store.revokeViewerLink(computerId, id, clock.instant());
        var callbacks = onRevoke.remove(id);
        if (callbacks != null) callbacks.forEach(Runnable::run);
        return store.listViewerLinks(computerId).stream().filter(l -> l.id().equals(id)).findFirst().orElse(link);
    }

    /** What {@link #whileOpen} registered; closing it unregisters. */
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Runs {@code callback} if the link is revoked while what it opened is open; close the returned handle when
     * that ends.
     */
    public Registration whileOpen(String linkId, Runnable callback) {
        onRevoke.computeIfAbsent(linkId, k -> new CopyOnWriteArraySet<>()).add(callback);
        return () -> onRevoke.computeIfPresent(linkId, (k, set) -> {
            set.remove(callback);
            return set.isEmpty() ? null : set;
        });
    }
}
