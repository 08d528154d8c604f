package io.porthole.server;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.porthole.api.ErrorCode;
import io.porthole.core.ComputerRecord;
import io.porthole.core.Computers;
import io.porthole.core.PortholeException;
import io.porthole.core.ViewerLinks;
import io.porthole.core.store.ViewerLinkRecord;
import java.util.Optional;

/**
 * Who may watch and drive one computer's live view: its owner's API key, or a viewer link to that computer
 * ({@code Authorization: Bearer pv_…}), which opens that one computer and nothing else. The one place that decides
 * it for the live streams and the console's routes.
 */
final class Access {
    private static final io.helidon.http.HeaderName VIEWER = HeaderNames.create("X-Porthole-Viewer");

    private final Computers computers;
    private final Auth auth;
    private final ViewerLinks links;

    Access(Computers computers, Auth auth, ViewerLinks links) {
        this.computers = computers;
        this.auth = auth;
        this.links = links;
    }

    /**
     * Someone allowed into one computer's live view.
     *
     * @param label who they are, as replay events and the control lease name them
     * @param link the viewer link they came with; empty for the owner's API key
     */
    record Caller(ComputerRecord computer, String label, Optional<ViewerLinkRecord> link) {
        String tenantId() {
            return computer.tenantId();
        }

        String computerId() {
            return computer.id();
        }

        /** Whether they may take control and send input: the owner, or a link made for control. */
        boolean mayControl() {
            return link.map(ViewerLinkRecord::allowsControl).orElse(true);
        }

        boolean isOwner() {
            return link.isEmpty();
        }
    }

    /**
     * The caller, if it may see the path's computer ({@code {id}}).
     *
     * @param nativeSurface whether the route is the browser-sandboxes one (no desktops there)
     * @throws PortholeException 401 without valid credentials, 404 for a computer the caller may not see
     */
    Caller caller(ServerRequest req, boolean nativeSurface) {
        var id = req.path().pathParameters().get("id");
        var credential = Auth.credential(req.headers()).orElse(null);
        Caller caller;
        if (credential != null && credential.startsWith(ViewerLinks.TOKEN_PREFIX)) {
            var link = links.authenticate(credential).orElseThrow(() -> new PortholeException.Unauthorized(
                    ErrorCode.UNAUTHORIZED, "this viewer link is not valid (unknown, expired or revoked)"));
            // a link opens its own computer and no other; another id is simply not there for it
            if (!link.computerId().equals(id)) throw notFound(id, nativeSurface);
            caller = new Caller(computers.get(link.tenantId(), id), "viewer link " + link.id(), Optional.of(link));
        } else {
            var p = auth.require(req);
            var r = computers.get(p.tenantId(), id);
            caller = new Caller(r, label(req) + " (key " + p.keyId() + ")", Optional.empty());
        }
        if (nativeSurface && !caller.computer().kind().equals("browser")) throw notFound(id, true);
        return caller;
    }

    /** Like {@link #caller}, for what only the owner may do (make and revoke viewer links). */
    Caller owner(ServerRequest req, boolean nativeSurface) {
        var c = caller(req, nativeSurface);
        if (!c.isOwner()) {
            throw new PortholeException.Unauthorized(ErrorCode.FORBIDDEN, "a viewer link cannot do this; use an API key");
        }
        return c;
    }

    /** Like {@link #caller}, for taking control and sending input. */
    Caller controller(ServerRequest req, boolean nativeSurface) {
        var c = caller(req, nativeSurface);
        if (!c.mayControl()) {
            throw new PortholeException.Unauthorized(ErrorCode.FORBIDDEN, "this viewer link is read-only: it can"
                    + " watch the computer, not control it");
        }
        return c;
    }

    /** The viewer link a request carries, if it carries a valid one (whatever its computer). */
    Optional<ViewerLinkRecord> link(ServerRequest req) {
        return Auth.credential(req.headers()).filter(c -> c.startsWith(ViewerLinks.TOKEN_PREFIX))
                .flatMap(links::authenticate);
    }

    Computers computers() {
        return computers;
    }

    ViewerLinks links() {
        return links;
    }

    private static PortholeException notFound(String id, boolean nativeSurface) {
        return new PortholeException.NotFound(ErrorCode.NOT_FOUND, nativeSurface ? "no browser sandbox with id '" + id + "'"
                : "no computer with id '" + id + "'");
    }

    /** What the client calls itself ({@code X-Porthole-Viewer: console}), else "api client". */
    private static String label(ServerRequest req) {
        return req.headers().first(VIEWER).map(v -> v.replaceAll("[^A-Za-z0-9 ._-]", "").trim())
                .filter(v -> !v.isEmpty()).map(v -> v.length() > 40 ? v.substring(0, 40) : v).orElse("api client");
    }
}
