package io.porthole.server;

import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/** This node: its routes answer (the computers it runs, and what the shared store holds of the others). */
final class LocalNode implements Node {
    @Override
    public String id() {
        return "local";
    }

    @Override
    public void serve(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        chain.proceed();
    }
}
