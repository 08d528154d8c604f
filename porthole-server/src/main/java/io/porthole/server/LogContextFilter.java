package io.porthole.server;

import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.porthole.core.Computers;
import io.porthole.core.LogContext;

/**
 * Names the computer a request is about in every line logged while it is handled ({@link LogContext}): the
 * {@code {id}} of {@code /computers/{id}/…} and {@code /browser-sandboxes/{id}/…}, with its tenant, when it is a
 * computer live on this node (an id that names none is a caller's text, not a subject). Any other request runs
 * with no subject, whatever its thread carried before. Thread-safe.
 */
final class LogContextFilter implements Filter {
    private final Computers computers;

    LogContextFilter(Computers computers) {
        this.computers = computers;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        var computer = computerId(req.path().path()).flatMap(computers::findLive);
        try (var scope = LogContext.scope()) {
            if (computer.isPresent()) LogContext.set(computer.get().id(), computer.get().record().tenantId());
            else LogContext.clear();
            chain.proceed();
        }
    }

    /** The second segment of a computer's path, if the path is one. */
    static java.util.Optional<String> computerId(String path) {
        for (var prefix : new String[] {"/computers/", "/browser-sandboxes/"}) {
            if (path.startsWith(prefix)) {
                var rest = path.substring(prefix.length());
                int slash = rest.indexOf('/');
                var id = slash < 0 ? rest : rest.substring(0, slash);
                return id.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(id);
            }
        }
        return java.util.Optional.empty();
    }
}
