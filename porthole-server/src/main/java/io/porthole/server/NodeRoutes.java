package io.porthole.server;

import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.porthole.api.ErrorCode;
import io.porthole.core.PortholeException;
import io.porthole.core.Times;
import io.porthole.core.store.NodeRecord;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The nodes of the cluster (admin keys): {@code GET /admin/nodes}, {@code GET /admin/nodes/{id}}, and
 * {@code POST /admin/nodes/{id}/drain} (the router has sent it to the node it names). {@code GET /ready} is
 * {@link HealthRoutes}'.
 */
final class NodeRoutes {
    private final Supplier<Cluster> cluster;
    private final Auth auth;
    private final Runnable drain;

    NodeRoutes(Supplier<Cluster> cluster, Auth auth, Runnable drain) {
        this.cluster = cluster;
        this.auth = auth;
        this.drain = drain;
    }

    void register(HttpRouting.Builder r) {
        r.route(Http.get("/admin/nodes", this::list))
                .route(Http.get("/admin/nodes/{node}", this::get))
                .post("/admin/nodes/{node}/drain", this::drain);
    }

    private Cluster cluster() {
        var c = cluster.get();
        if (c == null) throw new PortholeException(ErrorCode.UNAVAILABLE, "this node is still starting");
        return c;
    }

    private void list(ServerRequest req, ServerResponse res) {
        auth.requireAdmin(req);
        var c = cluster();
        Http.ok(res, Map.of("items", c.registry().nodes().stream().map(n -> view(n, c.nodeId())).toList()));
    }

    private void get(ServerRequest req, ServerResponse res) {
        auth.requireAdmin(req);
        var c = cluster();
        var id = req.path().pathParameters().get("node");
        Http.ok(res, view(c.registry().node(id).orElseThrow(() -> new PortholeException.NotFound(ErrorCode.NOT_FOUND,
                "no node '" + id + "'")), c.nodeId()));
    }

    /** Here only for this node (the router forwards a drain of another node to it). */
    private void drain(ServerRequest req, ServerResponse res) {
        auth.requireAdmin(req);
        var c = cluster();
        var id = req.path().pathParameters().get("node");
        if (!id.equals(c.nodeId())) {
            throw new PortholeException.NotFound(ErrorCode.NOT_FOUND, "no node '" + id + "' that is up");
        }
        drain.run();
        Http.send(res, 202, view(c.registry().self(), c.nodeId()));
    }

    static Map<String, Object> view(NodeRecord n, String self) {
        var m = new LinkedHashMap<String, Object>();
        m.put("id", n.id());
        m.put("url", n.url());
        m.put("state", n.state());
        m.put("capacity", n.capacity());
        m.put("free", n.free());
        m.put("live", n.live());
        m.put("started_at", Times.format(n.startedAt()));
        m.put("heartbeat_at", Times.format(n.heartbeatAt()));
        m.put("self", n.id().equals(self));
        return m;
    }
}
