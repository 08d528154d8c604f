package io.porthole.server;

import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The computers of one node, as the HTTP API reaches them (ADR 0026; Selenium Grid's {@code Node}, with its local
 * and remote twins). A request about a computer, or a create placed on a node, is served by that node's
 * {@code Node}: {@link LocalNode} lets this process's routes answer it, {@link RemoteNode} forwards it to the node
 * that runs the computer and streams the answer back. Both answer the same request the same way; the cluster's
 * contract test holds them to it.
 */
sealed interface Node permits LocalNode, RemoteNode {
    /** The node's id. */
    String id();

    /** Serves the request (the local node passes it on to this process's next routes). */
    void serve(ServerRequest req, ServerResponse res);
}
