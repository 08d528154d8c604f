package io.porthole.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.porthole.sdk.ActionResult;
import io.porthole.sdk.ApiKey;
import io.porthole.sdk.Artifact;
import io.porthole.sdk.BrowserContext;
import io.porthole.sdk.ComputerEvent;
import io.porthole.sdk.ComputerInfo;
import io.porthole.sdk.ExecEvent;
import io.porthole.sdk.SandboxInfo;
import java.time.Instant;
import java.util.Optional;

/**
 * The SDK's records as JSON for {@code --json}, under the names the server's own JSON uses (snake_case on the
 * Computers API, camelCase on the sandboxes'), so that a script reads the same fields the API documents.
 */
final class Wire {
    private Wire() {}

    static ObjectNode computer(ComputerInfo c) {
        var n = Json.MAPPER.createObjectNode();
        n.put("id", c.id());
        n.put("kind", c.kind());
        c.engine().ifPresent(v -> n.put("engine", v));
        n.put("status", c.status());
        time(n, "created_at", c.createdAt());
        time(n, "last_activity_at", c.lastActivityAt());
        time(n, "expires_at", c.expiresAt());
        time(n, "idle_expires_at", c.idleExpiresAt());
        n.put("max_lifetime_seconds", c.maxLifetimeSeconds());
        n.put("inactivity_timeout_seconds", c.inactivityTimeoutSeconds());
        n.put("idle_timeout_enabled", c.idleTimeoutEnabled());
        n.put("persistent", c.persistent());
        if (c.display() != null) {
            n.putObject("display").put("width", c.display().width()).put("height", c.display().height())
                    .put("scale", c.display().scale());
        }
        if (c.endpoints() != null) n.set("endpoints", Json.MAPPER.valueToTree(c.endpoints()));
        time(n, "terminated_at", c.terminatedAt());
        c.terminationReason().ifPresent(v -> n.put("termination_reason", v));
        c.identity().ifPresent(i -> n.set("identity", identity(i)));
        return n;
    }

    /** The identity options of a create: empty when neither is given. */
    static java.util.Optional<io.porthole.sdk.IdentitySpec> identity(String timezone, String locale) {
        if (timezone == null && locale == null) return java.util.Optional.empty();
        var spec = io.porthole.sdk.IdentitySpec.create();
        if (timezone != null) spec.timezone(timezone);
        if (locale != null) spec.locale(locale);
        return java.util.Optional.of(spec);
    }

    /** An identity as both surfaces show it. */
    static ObjectNode identity(io.porthole.sdk.IdentityInfo i) {
        var n = Json.MAPPER.createObjectNode();
        n.put("timezone", i.timezone());
        n.put("locale", i.locale());
        var languages = n.putArray("languages");
        i.languages().forEach(languages::add);
        i.geolocation().ifPresentOrElse(g -> n.putObject("geolocation").put("latitude", g.latitude())
                .put("longitude", g.longitude()).put("accuracy", g.accuracyMeters()), () -> n.putNull("geolocation"));
        n.putObject("screen").put("width", i.screenWidth()).put("height", i.screenHeight());
        return n;
    }

    static ObjectNode sandbox(SandboxInfo s) {
        var n = Json.MAPPER.createObjectNode();
        n.put("id", s.id());
        n.put("browser", s.browser());
        s.templateId().ifPresent(v -> n.put("templateID", v));
        n.put("state", s.state());
        time(n, "createdAt", s.createdAt());
        time(n, "expiresAt", s.expiresAt());
        time(n, "idleExpiresAt", s.idleExpiresAt());
        if (s.viewport() != null) {
            n.putObject("viewport").put("width", s.viewport().width()).put("height", s.viewport().height())
                    .put("deviceScaleFactor", s.viewport().deviceScaleFactor());
        }
        n.put("persistent", s.persistent());
        s.environmentId().ifPresent(v -> n.put("environmentId", v));
        if (s.metadata() != null) n.set("metadata", Json.MAPPER.valueToTree(s.metadata()));
        s.accessToken().ifPresent(v -> n.put("accessToken", v));
        s.connect().ifPresent(c -> {
            var o = n.putObject("connect");
            c.cdp().ifPresent(v -> o.put("cdp", v));
            c.bidi().ifPresent(v -> o.put("bidi", v));
            c.rpc().ifPresent(v -> o.put("rpc", v));
        });
        s.identity().ifPresent(i -> n.set("identity", identity(i)));
        return n;
    }

    static ObjectNode action(ActionResult r) {
        var n = Json.MAPPER.createObjectNode();
        n.put("status", r.status());
        n.set("result", Json.MAPPER.valueToTree(r.result()));
        r.errorMessage().ifPresent(v -> n.put("error_message", v));
        r.errorCode().ifPresent(v -> n.put("error_code", v));
        r.requestId().ifPresent(v -> n.put("request_id", v));
        r.executedTabId().ifPresent(v -> n.put("executed_tab_id", v));
        if (r.pageContext() != null && !r.pageContext().isEmpty()) n.set("page_context", Json.MAPPER.valueToTree(r.pageContext()));
        return n;
    }

    static ObjectNode artifact(Artifact a) {
        var n = Json.MAPPER.createObjectNode();
        n.put("id", a.id());
        n.put("type", a.type());
        n.put("contentType", a.contentType());
        a.name().ifPresent(v -> n.put("name", v));
        n.put("size", a.size());
        n.put("sha256", a.sha256());
        time(n, "createdAt", a.createdAt());
        n.put("downloadURL", a.downloadUrl());
        return n;
    }

    static ObjectNode context(BrowserContext c) {
        var n = Json.MAPPER.createObjectNode();
        n.put("id", c.id());
        n.put("default", c.isDefault());
        n.put("proxy", c.proxy().orElse(null));
        return n;
    }

    static ObjectNode key(ApiKey k) {
        var n = Json.MAPPER.createObjectNode();
        n.put("id", k.id());
        n.put("tenant", k.tenant());
        n.put("name", k.name());
        n.put("prefix", k.prefix());
        n.put("admin", k.admin());
        time(n, "created_at", k.createdAt());
        time(n, "revoked_at", k.revokedAt());
        // the secret, in the answer to its creation only
        k.key().ifPresent(v -> n.put("key", v));
        return n;
    }

    /** An event as the stream sent it; its SSE id (and name, when it has one) beside the data's fields. */
    static ObjectNode event(ComputerEvent e) {
        var n = Json.MAPPER.createObjectNode();
        e.id().ifPresent(v -> n.put("event_id", v));
        if (e.name() != null && !e.name().isEmpty() && !e.name().equals("message")) n.put("event", e.name());
        n.setAll((ObjectNode) Json.MAPPER.valueToTree(e.data()));
        return n;
    }

    /** An exec line as the server's NDJSON has it. */
    static ObjectNode exec(ExecEvent e) {
        var n = Json.MAPPER.createObjectNode();
        switch (e) {
            case ExecEvent.Stdout o -> n.put("type", "stdout").put("data", o.data());
            case ExecEvent.Stderr o -> n.put("type", "stderr").put("data", o.data());
            case ExecEvent.Exit o -> n.put("type", "exit").put("code", o.code());
            case ExecEvent.Failure o -> n.put("type", "error").put("code", o.code()).put("message", o.message());
        }
        return n;
    }

    private static void time(ObjectNode n, String name, Optional<Instant> t) {
        t.ifPresent(v -> n.put(name, v.toString()));
    }
}
