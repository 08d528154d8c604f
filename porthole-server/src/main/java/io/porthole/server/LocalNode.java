package io.porthole.server;

import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** This node: its routes answer (the computers it runs, and what the shared store holds of the others). */
final class LocalNode implements Node {
    @Override
    public String id() {
        return "local";
    }

    @Override
    public void serve(ServerRequest req, ServerResponse res) {
        res.next();
    }
}
