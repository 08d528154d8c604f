package io.porthole.server;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.porthole.core.ComputerRecord;
import io.porthole.core.Computers;
import io.porthole.core.cluster.NodeRegistry;
import io.porthole.core.store.NodeRecord;
import io.porthole.core.store.Store;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * This node among the others (ADR 0026): who owns a computer, the {@link Node} a request for it goes to, and the
 * signature that marks a request as forwarded by another node. Thread-safe.
 */
final class Cluster {
    /** The node that forwarded a request. */
    static final HeaderName FORWARDED_BY = HeaderNames.create("Porthole-Forwarded-By");
    /** When it was forwarded, in epoch milliseconds (a signature is good for {@link #SIGNATURE_LIFETIME}). */
    static final HeaderName FORWARDED_AT = HeaderNames.create("Porthole-Forwarded-At");
    /** HMAC-SHA256 of the cluster secret over node, time, method and path. */
    static final HeaderName SIGNATURE = HeaderNames.create("Porthole-Node-Signature");
    static final Duration SIGNATURE_LIFETIME = Duration.ofSeconds(60);

    private final NodeRegistry registry;
    private final Store store;
    private final Computers computers;
    private final byte[] secret;
    private final Clock clock;
    private final LocalNode local = new LocalNode();
    private final Map<String, RemoteNode> remotes = new ConcurrentHashMap<>();
    /**
     * Computers of other nodes → their owner, as the store said when one was first asked for here (an owner never
     * changes; the oldest are forgotten past {@link #OWNERS_KEPT}). A computer that has ended since is still sent to
     * its owner, which answers from the shared store as this node would.
     */
    private final Map<String, String> owners = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                    return size() > OWNERS_KEPT;
                }
            });
    static final int OWNERS_KEPT = 10_000;

    Cluster(NodeRegistry registry, Store store, Computers computers, byte[] secret, Clock clock) {
        this.registry = registry;
        this.store = store;
        this.computers = computers;
        this.secret = secret.clone();
        this.clock = clock;
    }

    NodeRegistry registry() {
        return registry;
    }

    String nodeId() {
        return registry.nodeId();
    }

    /**
     * The node that serves requests for the computer {@code id}: this one if it runs it here, has no record of it,
     * or the record says it has ended (its events, artifacts and status are in the shared store); else its owner.
     */
    Node nodeFor(String id) {
        if (computers.findLive(id).isPresent()) return local;
        // a computer never moves: once its owner is known, only the owner's record is read again (its address, and
        // whether it is alive); an owner that is not alive sends the lookup back to the computer's record, which
        // may say the computer was failed meanwhile
        var owner = owners.get(id);
        if (owner != null) {
            var n = registry.node(owner).filter(registry::reachable);
            if (n.isPresent()) return remote(n.get());
            owners.remove(id);
        }
        var record = store.findComputer(id).filter(r -> r.status().isLive()).map(ComputerRecord::nodeId)
                .filter(n -> !n.equals(nodeId()));
        record.ifPresent(n -> owners.put(id, n));
        return record.flatMap(registry::node)
                .<Node>map(this::remote)
                .orElse(local);
    }

    /** The node a create goes to; this one when it has room, none has more, or no node has any (it answers 429). */
    Node nodeForCreate() {
        return registry.place().filter(n -> !n.id().equals(nodeId())).<Node>map(this::remote).orElse(local);
    }

    /** The node {@code id} as a target of requests (this one, or a remote one the store knows). */
    Optional<Node> node(String id) {
        if (id.equals(nodeId())) return Optional.of(local);
        return store.findNode(id).map(this::remote);
    }

    Node local() {
        return local;
    }

    private RemoteNode remote(NodeRecord n) {
        var r = remotes.compute(n.id(), (id, known) -> known != null && known.url().equals(n.url()) ? known
                : new RemoteNode(n.id(), n.url(), this));
        r.record(n);
        return r;
    }

    /** Whether {@code n} is alive as far as the store knows (up or draining, heard from lately). */
    boolean reachable(NodeRecord n) {
        return registry.reachable(n);
    }

    /** The headers that mark a request to {@code path} as forwarded by this node. */
    Map<HeaderName, String> sign(String method, String path) {
        var at = String.valueOf(clock.millis());
        return Map.of(FORWARDED_BY, nodeId(), FORWARDED_AT, at, SIGNATURE, mac(nodeId(), at, method, path));
    }

    /**
     * The node that forwarded this request, if it carries a valid signature; empty if it carries none. A request with
     * a forged or stale signature is refused ({@link io.porthole.core.PortholeException.Unauthorized}).
     */
    Optional<String> forwardedBy(Headers headers, String method, String path) {
        if (!headers.contains(FORWARDED_BY) && !headers.contains(SIGNATURE)) return Optional.empty();
        var by = headers.first(FORWARDED_BY).orElse("");
        var at = headers.first(FORWARDED_AT).orElse("");
        var signature = headers.first(SIGNATURE).orElse("");
        long millis;
        try {
            millis = Long.parseLong(at);
        } catch (NumberFormatException e) {
            millis = Long.MIN_VALUE;
        }
        boolean fresh = millis != Long.MIN_VALUE && Math.abs(clock.millis() - millis) <= SIGNATURE_LIFETIME.toMillis();
        if (by.isEmpty() || !fresh || !MessageDigest.isEqual(mac(by, at, method, path).getBytes(StandardCharsets.US_ASCII),
                signature.getBytes(StandardCharsets.US_ASCII))) {
            throw new io.porthole.core.PortholeException.Unauthorized(io.porthole.api.ErrorCode.UNAUTHORIZED,
                    "this request claims to come from another node of the cluster, and its signature does not hold");
        }
        return Optional.of(by);
    }

    private String mac(String node, String at, String method, String path) {
        try {
            var m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(secret, "HmacSHA256"));
            var digest = m.doFinal(("porthole-node\n" + node + "\n" + at + "\n" + method + "\n" + path)
                    .getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private volatile java.util.List<String> endpointUrls = java.util.List.of();
    private volatile java.util.Set<java.net.InetSocketAddress> endpoints = java.util.Set.of();

    /**
     * Where the nodes listen (their advertised URLs, resolved when the list changes): a computer may reach none of
     * them, whatever PORTHOLE_EGRESS_ALLOW says.
     */
    java.util.Set<java.net.InetSocketAddress> endpoints() {
        var urls = registry.known().stream().map(NodeRecord::url).sorted().toList();
        if (!urls.equals(endpointUrls)) {
            var out = new java.util.HashSet<java.net.InetSocketAddress>();
            for (var u : urls) {
                try {
                    var uri = java.net.URI.create(u);
                    int port = uri.getPort() > 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
                    for (var a : java.net.InetAddress.getAllByName(uri.getHost())) out.add(new java.net.InetSocketAddress(a, port));
                } catch (IllegalArgumentException | java.net.UnknownHostException e) {
                    // a node whose name does not resolve here cannot be reached from here either
                }
            }
            endpoints = java.util.Set.copyOf(out);
            endpointUrls = urls;
        }
        return endpoints;
    }

    void close() {
        remotes.values().forEach(RemoteNode::close);
    }
}
