package io.porthole.server;

import io.helidon.http.Method;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.porthole.core.PortholeException;
import java.util.regex.Pattern;

/**
 * The first route, for every path (a handler rather than a filter: a filter may not stream an answer in Helidon):
 * sends each request to the {@link Node} that serves it (ADR 0026). A request about a computer goes to the node that
 * runs it; a create goes to the node with the most room; a drain to the node it names. A request another node
 * forwarded (signed) is served here and never forwarded again.
 */
final class ClusterRouter implements Handler {
    private static final Pattern COMPUTER = Pattern.compile("^/(?:computers|browser-sandboxes)/([A-Za-z0-9_-]{1,64})(?:/.*)?$");
    private static final Pattern CREATE = Pattern.compile("^/(?:computers|browser-sandboxes)/?$");
    private static final Pattern DRAIN = Pattern.compile("^/admin/nodes/([A-Za-z0-9_.-]{1,200})/drain/?$");

    /** The answer's header that names the node that served it. */
    static final io.helidon.http.HeaderName NODE = io.helidon.http.HeaderNames.create("Porthole-Node");

    private volatile Cluster cluster;

    /** From now on requests are routed ({@code cluster} is made once the listener knows its port). */
    void start(Cluster c) {
        this.cluster = c;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        var cluster = this.cluster;
        if (cluster == null) {
            res.next();
            return;
        }
        // which node answered (a forwarded answer carries its owner's)
        res.header(NODE, cluster.nodeId());
        var path = req.prologue().uriPath().rawPath();
        var method = req.prologue().method();
        try {
            if (cluster.forwardedBy(req.headers(), method.text(), path).isPresent()) {
                res.next();
                return;
            }
        } catch (PortholeException e) {
            Http.error(HeadResponse.of(req, res), e.code(), e.getMessage());
            return;
        }
        nodeFor(cluster, method, path).serve(req, res);
    }

    private static Node nodeFor(Cluster cluster, Method method, String path) {
        if (method == Method.POST && CREATE.matcher(path).matches()) return cluster.nodeForCreate();
        var computer = COMPUTER.matcher(path);
        if (computer.matches()) return cluster.nodeFor(computer.group(1));
        var node = DRAIN.matcher(path);
        if (method == Method.POST && node.matches()) return cluster.node(node.group(1)).orElse(cluster.local());
        return cluster.local();
    }
}
