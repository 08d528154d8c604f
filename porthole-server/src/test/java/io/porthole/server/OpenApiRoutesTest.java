package io.porthole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The two OpenAPI documents against what the server routes: every route the server registers (read from its
 * {@link RouteTable}, not from a list kept here) is described in exactly one of them, or is one of the few kept out
 * on purpose ({@link #UNDOCUMENTED}); every operation they describe is routed (a request to it with made-up path
 * parameters is not answered with the router's "no route" 404); and each document is well-formed OpenAPI 3.1.
 */
class OpenApiRoutesTest {
    private static final List<String> DOCUMENTS = List.of("browser-sandboxes", "computers");
    private static final Set<String> OPERATIONS = Set.of("get", "put", "post", "delete", "options", "head", "patch",
            "trace");

    /**
     * Routes in neither document, on purpose, and why (a trailing {@code *} covers a prefix). A route listed here
     * need not be registered yet ({@code /metrics} may arrive from another branch).
     */
    private static final Map<String, String> UNDOCUMENTED = Map.ofEntries(
            Map.entry("/health", "Kubernetes liveness probe, for operators (docs/kubernetes.md)"),
            Map.entry("/ready", "Kubernetes readiness probe, for operators"),
            Map.entry("/metrics", "Prometheus scrape endpoint, for operators"),
            Map.entry("/admin/*", "keys, warm pool and nodes: operator routes for admin keys, not an agent's API"),
            Map.entry("/me", "the console's sign-in check"),
            Map.entry("/openapi/*", "these documents themselves"),
            Map.entry("/", "the web console's page (ADR 0020)"),
            Map.entry("/view", "the web console's viewer page"),
            Map.entry("/console/*", "the web console's scripts, styles and icons"),
            Map.entry("/console", "the web console's static files (a mount)"),
            Map.entry("/browser-sandboxes/{id}/artifacts/{artifact}",
                    "the artifact download, kept out of the document by contracts/browser-sandboxes.md (in the guide)"));

    private static final Pattern NO_ROUTE = Pattern.compile("^no route [A-Z]+ ");

    private static TestServer t;
    private static final Map<String, JsonNode> docs = new LinkedHashMap<>();

    @BeforeAll
    static void load() {
        t = TestServer.get();
        var yaml = new YAMLMapper();
        for (var name : DOCUMENTS) {
            // served as the browser-sandboxes one always was: no key, application/yaml
            var r = t.request("GET", "/openapi/" + name + ".yaml", null, Map.of());
            assertEquals(200, r.status(), name);
            assertEquals("application/yaml", r.header("Content-Type"), name);
            try {
                docs.put(name, yaml.readTree(r.body()));
            } catch (IOException e) {
                throw new UncheckedIOException(name + ".yaml is not YAML", e);
            }
        }
    }

    @Test
    void bothDocumentsAreWellFormedOpenApi31() {
        for (var e : docs.entrySet()) {
            var name = e.getKey();
            var doc = e.getValue();
            var problems = new ArrayList<String>();
            if (!doc.path("openapi").asText().matches("3\\.1\\.\\d+")) problems.add("openapi is not 3.1.x");
            if (doc.path("info").path("title").asText().isEmpty()) problems.add("no info.title");
            if (doc.path("info").path("version").asText().isEmpty()) problems.add("no info.version");
            if (!doc.path("paths").isObject() || doc.path("paths").isEmpty()) problems.add("no paths");
            var ids = new HashSet<String>();
            for (var op : operations(doc)) {
                var where = op.method() + " " + op.path();
                var id = op.node().path("operationId").asText();
                if (id.isEmpty()) problems.add(where + ": no operationId");
                else if (!ids.add(id)) problems.add(where + ": operationId " + id + " used twice");
                var responses = op.node().path("responses");
                if (!responses.isObject() || responses.isEmpty()) problems.add(where + ": no responses");
                responses.fieldNames().forEachRemaining(status -> {
                    if (!status.matches("[1-5]([0-9]{2}|XX)|default")) problems.add(where + ": response " + status);
                });
                // every {name} in the path is declared as a path parameter, at the path or the operation
                var declared = new HashSet<String>();
                for (var list : List.of(doc.path("paths").path(op.path()).path("parameters"), op.node().path("parameters"))) {
                    for (var p : list) {
                        var param = resolve(doc, p);
                        if (param != null && param.path("in").asText().equals("path")) declared.add(param.path("name").asText());
                    }
                }
                var m = Pattern.compile("\\{([^}]+)}").matcher(op.path());
                while (m.find()) {
                    if (!declared.contains(m.group(1))) problems.add(where + ": path parameter " + m.group(1) + " undeclared");
                }
            }
            refs(doc, doc, "#", problems);
            keysWithoutValues(doc, "#", problems);
            for (var scheme : doc.path("security")) {
                scheme.fieldNames().forEachRemaining(s -> {
                    if (doc.path("components").path("securitySchemes").path(s).isMissingNode()) {
                        problems.add("security scheme " + s + " is not in components.securitySchemes");
                    }
                });
            }
            assertEquals(List.of(), problems, name + ".yaml");
        }
    }

    @Test
    void everyRegisteredRouteIsDescribedInExactlyOneDocument() {
        var entries = t.server.routeTable().entries();
        var problems = new ArrayList<String>();
        // the two catch-alls, and no other: the cluster router in front of the API's routes, the JSON 404 behind
        // everything
        var router = entries.stream().filter(e -> e.kind() == RouteTable.Kind.CATCH_ALL
                && e.handler().equals(ClusterRouter.class.getName())).toList();
        assertEquals(1, router.size(), "the cluster router's catch-all: " + entries);
        assertEquals(RouteTable.Kind.CATCH_ALL, entries.getLast().kind(), "the JSON 404 comes last: " + entries.getLast());
        for (var entry : entries.subList(0, entries.size() - 1)) {
            switch (entry.kind()) {
                case CATCH_ALL -> {
                    if (entry != router.getFirst()) problems.add("a catch-all among the routes: " + entry);
                }
                case UNREADABLE -> problems.add("a route the table cannot read (register it with Http.get or"
                        + " RouteTable.describe): " + entry);
                case MOUNT -> {
                    if (undocumented(entry.path()).isEmpty()) problems.add("a mount no document can describe: " + entry);
                }
                case ROUTE -> {
                    var why = undocumented(entry.path());
                    // GET routes answer HEAD too (Http.get); OpenAPI leaves HEAD implied
                    var methods = new HashSet<>(entry.methods());
                    if (methods.contains("GET")) methods.remove("HEAD");
                    if (methods.isEmpty()) problems.add("a route for every method: " + entry);
                    for (var method : methods) {
                        var in = DOCUMENTS.stream().filter(d -> describes(docs.get(d), method, entry.path())).toList();
                        if (why.isPresent() && !in.isEmpty()) {
                            problems.add(method + " " + entry.path() + " is kept out (" + why.get() + ") but " + in
                                    + " describes it");
                        } else if (why.isEmpty() && in.size() != 1) {
                            problems.add(method + " " + entry.path() + " is described in " + in.size()
                                    + " documents " + in + ", not exactly one");
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void everyDescribedOperationIsRouted() {
        var entries = t.server.routeTable().entries();
        var problems = new ArrayList<String>();
        for (var name : DOCUMENTS) {
            for (var op : operations(docs.get(name))) {
                var where = name + ".yaml " + op.method() + " " + op.path();
                var method = op.method().toUpperCase(java.util.Locale.ROOT);
                boolean registered = entries.stream().anyMatch(e -> e.kind() == RouteTable.Kind.ROUTE
                        && e.methods().contains(method) && matches(e.path(), op.path()));
                if (!registered) problems.add(where + ": no registered route takes it");
                // made-up ids: the handler's own 404 (no such computer) is an answer; the router's is not. A body
                // that is not JSON keeps every route from doing anything.
                var path = op.path().replaceAll("\\{[^}]+}", "openapi_none");
                var headers = new java.util.HashMap<String, String>();
                headers.put("Authorization", "Bearer " + TestServer.KEY);
                String body = null;
                if (!method.equals("GET") && !method.equals("HEAD")) {
                    body = "{";
                    headers.put("Content-Type", "application/json");
                }
                var r = t.request(method, path, body, headers);
                if (r.status() == 404 && r.json() != null && NO_ROUTE.matcher(r.json().path("message").asText()).find()) {
                    problems.add(where + ": answered " + r.body());
                } else if (r.status() == 405) {
                    problems.add(where + ": answered 405 " + r.body());
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    /**
     * Real answers against the documented schemas, for one running browser computer: every field the server sends is
     * named in the schema (or the schema leaves the object open), with the documented JSON type. The schemas are
     * written by hand; this keeps their field names honest.
     */
    @Test
    void realAnswersHaveOnlyDocumentedFieldsOfTheDocumentedTypes() {
        var problems = new ArrayList<String>();
        var created = t.post("/computers", "{}");
        assertEquals(200, created.status(), created.body());
        var id = created.json().path("id").asText();
        try {
            var c = docs.get("computers");
            var s = docs.get("browser-sandboxes");
            conforms(c, "/computers", "post", 200, created, problems);
            conforms(c, "/computers", "get", 200, t.call("GET", "/computers", null), problems);
            var base = "/computers/" + id;
            conforms(c, "/computers/{id}", "get", 200, t.call("GET", base, null), problems);
            conforms(c, "/computers/{id}/status", "get", 200, t.call("GET", base + "/status", null), problems);
            conforms(c, "/computers/{id}/keepalive", "post", 200, t.post(base + "/keepalive", null), problems);
            conforms(c, "/computers/{id}/screenshot", "post", 200, t.post(base + "/screenshot", "{\"base64\": true}"),
                    problems);
            conforms(c, "/computers/{id}/execute", "post", 200, t.post(base + "/execute",
                    "{\"action\": {\"type\": \"wait\", \"ms\": 1, \"include_context\": true}}"), problems);
            conforms(c, "/computers/{id}/batch", "post", 200, t.post(base + "/batch",
                    "{\"actions\": [{\"type\": \"wait\", \"ms\": 1}, {\"type\": \"no_such_action\"}]}"), problems);
            conforms(c, "/computers/{id}/tabs", "get", 200, t.call("GET", base + "/tabs", null), problems);
            conforms(c, "/computers/{id}/exec/sync", "post", 200, t.post(base + "/exec/sync",
                    "{\"command\": \"echo hi\"}"), problems);
            conforms(c, "/computers/{id}/cdp/json/version", "get", 200, t.call("GET", base + "/cdp/json/version", null),
                    problems);
            conforms(c, "/computers/{id}/replay-events", "get", 200, t.call("GET", base + "/replay-events", null),
                    problems);
            conforms(c, "/computers/{id}/artifacts", "get", 200, t.call("GET", base + "/artifacts", null), problems);
            conforms(c, "/computers/{id}/control", "get", 200, t.call("GET", base + "/control", null), problems);
            var lease = t.post(base + "/control", null);
            conforms(c, "/computers/{id}/control", "post", 200, lease, problems);
            conforms(c, "/computers/{id}/control", "delete", 200, t.call("DELETE", base + "/control?lease_id="
                    + lease.json().path("lease_id").asText(), null), problems);
            var link = t.post(base + "/viewers", "{\"mode\": \"read_only\"}");
            conforms(c, "/computers/{id}/viewers", "post", 200, link, problems);
            conforms(c, "/computers/{id}/viewers", "get", 200, t.call("GET", base + "/viewers", null), problems);
            conforms(c, "/viewer", "get", 200, t.call("GET", "/viewer", null, link.json().path("token").asText()),
                    problems);
            conforms(c, "/computers/{id}/viewers/{link}", "delete", 200, t.call("DELETE", base + "/viewers/"
                    + link.json().path("id").asText(), null), problems);
            conforms(c, "/computers/{id}", "get", 404, t.call("GET", "/computers/openapi_none", null), problems);
            // the same computer as a sandbox
            var sandbox = "/browser-sandboxes/" + id;
            conforms(s, "/browser-sandboxes/{id}", "get", 200, t.call("GET", sandbox, null), problems);
            conforms(s, "/browser-sandboxes", "get", 200, t.call("GET", "/browser-sandboxes", null), problems);
            conforms(s, "/browser-sandboxes/{id}/contexts", "get", 200, t.call("GET", sandbox + "/contexts", null),
                    problems);
            conforms(s, "/browser-sandboxes/{id}/replay-events", "get", 200, t.call("GET", sandbox + "/replay-events",
                    null), problems);
        } finally {
            t.delete(id);
        }
        assertEquals(List.of(), problems);
    }

    /** The answer has the documented status and, when JSON, only documented fields of documented types. */
    private static void conforms(JsonNode doc, String path, String method, int status, TestServer.Response r,
                                 List<String> problems) {
        var where = method.toUpperCase(java.util.Locale.ROOT) + " " + path;
        if (r.status() != status) {
            problems.add(where + ": answered " + r.status() + " " + r.body() + ", not " + status);
            return;
        }
        var response = resolve(doc, doc.path("paths").path(path).path(method).path("responses").path(Integer.toString(status)));
        if (response == null || response.isMissingNode()) {
            problems.add(where + ": " + status + " is not documented");
            return;
        }
        var schema = response.path("content").path("application/json").path("schema");
        if (schema.isMissingNode()) return;
        shape(doc, schema, r.json(), where, problems);
    }

    private static void shape(JsonNode doc, JsonNode schema, JsonNode actual, String where, List<String> problems) {
        schema = resolve(doc, schema);
        if (schema == null) {
            problems.add(where + ": its schema's $ref resolves to nothing");
            return;
        }
        if (schema.has("oneOf") || schema.has("anyOf")) return;
        var types = new HashSet<String>();
        if (schema.path("type").isArray()) schema.path("type").forEach(x -> types.add(x.asText()));
        else if (schema.has("type")) types.add(schema.path("type").asText());
        var kind = actual == null || actual.isNull() ? "null" : actual.isIntegralNumber() ? "integer"
                : actual.isNumber() ? "number" : actual.isTextual() ? "string" : actual.isBoolean() ? "boolean"
                : actual.isArray() ? "array" : "object";
        boolean typeOk = types.isEmpty() || types.contains(kind) || kind.equals("integer") && types.contains("number");
        if (!typeOk) {
            problems.add(where + ": " + kind + " where the document says " + types);
            return;
        }
        if (actual == null) return;
        if (actual.isArray() && schema.has("items")) {
            for (int i = 0; i < actual.size(); i++) shape(doc, schema.path("items"), actual.get(i), where + "[" + i + "]", problems);
        }
        if (actual.isObject() && schema.has("properties")) {
            var props = schema.path("properties");
            var extra = schema.path("additionalProperties");
            actual.properties().forEach(e -> {
                var field = where + "." + e.getKey();
                if (props.has(e.getKey())) shape(doc, props.path(e.getKey()), e.getValue(), field, problems);
                else if (extra.isObject()) shape(doc, extra, e.getValue(), field, problems);
                else if (!extra.asBoolean(false)) problems.add(field + " is not in the document");
            });
        }
    }

    // ---- helpers ----

    private record Operation(String path, String method, JsonNode node) {}

    private static List<Operation> operations(JsonNode doc) {
        var ops = new ArrayList<Operation>();
        doc.path("paths").properties().forEach(p -> p.getValue().properties().forEach(o -> {
            if (OPERATIONS.contains(o.getKey())) ops.add(new Operation(p.getKey(), o.getKey(), o.getValue()));
        }));
        return ops;
    }

    /** Whether {@code doc} has an operation {@code method} that the registered {@code pattern} routes. */
    private static boolean describes(JsonNode doc, String method, String pattern) {
        return operations(doc).stream().anyMatch(op -> op.method().equalsIgnoreCase(method) && matches(pattern, op.path()));
    }

    /**
     * Whether the registered path pattern takes requests to the documented path: a registered {@code {x}} takes any
     * one segment, a literal only itself, a trailing {@code *} the rest. A registered trailing slash (the
     * {@code /cdp/json/version/} Playwright asks for) is the same route as without it.
     */
    static boolean matches(String pattern, String documented) {
        if (pattern.length() > 1 && pattern.endsWith("/")) pattern = pattern.substring(0, pattern.length() - 1);
        var p = pattern.split("/", -1);
        var d = documented.split("/", -1);
        for (int i = 0; i < p.length; i++) {
            if (p[i].equals("*") && i == p.length - 1) return d.length >= p.length;
            if (i >= d.length) return false;
            if (p[i].startsWith("{") && p[i].endsWith("}")) continue;
            if (!p[i].equals(d[i])) return false;
        }
        return p.length == d.length;
    }

    private static java.util.Optional<String> undocumented(String path) {
        return UNDOCUMENTED.entrySet().stream().filter(e -> e.getKey().endsWith("*")
                        ? path.startsWith(e.getKey().substring(0, e.getKey().length() - 1)) : e.getKey().equals(path))
                .map(Map.Entry::getValue).findFirst();
    }

    /** {@code node}, or what its {@code $ref} points at (null when that is nothing). */
    private static JsonNode resolve(JsonNode doc, JsonNode node) {
        var ref = node.path("$ref");
        if (ref.isMissingNode()) return node;
        var target = pointer(doc, ref.asText());
        return target == null || target.isMissingNode() ? null : target;
    }

    private static JsonNode pointer(JsonNode doc, String ref) {
        if (!ref.startsWith("#/")) return null;
        return doc.at(ref.substring(1));
    }

    /** Every {@code $ref} in the document points at something in it. */
    private static void refs(JsonNode doc, JsonNode node, String where, List<String> problems) {
        if (node instanceof ObjectNode o) {
            var ref = o.get("$ref");
            if (ref != null) {
                var target = pointer(doc, ref.asText());
                if (target == null || target.isMissingNode()) problems.add(where + ": $ref " + ref.asText() + " resolves to nothing");
            }
            o.properties().forEach(e -> refs(doc, e.getValue(), where + "/" + e.getKey(), problems));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) refs(doc, node.get(i), where + "/" + i, problems);
        }
    }

    /**
     * No key without a value: OpenAPI has no use for one, and it is what an unquoted comma in a YAML flow mapping makes
     * ({@code {description: a, b}} has a key {@code b}).
     */
    private static void keysWithoutValues(JsonNode node, String where, List<String> problems) {
        if (node instanceof ObjectNode o) {
            o.properties().forEach(e -> {
                if (e.getValue().isNull() && !Set.of("default", "const", "example").contains(e.getKey())) {
                    problems.add(where + ": '" + e.getKey() + "' has no value (an unquoted comma in a flow mapping?)");
                }
                keysWithoutValues(e.getValue(), where + "/" + e.getKey(), problems);
            });
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) keysWithoutValues(node.get(i), where + "/" + i, problems);
        }
    }

    @Test
    void theMatcherReadsPatternsAsHelidonDoes() {
        assertTrue(matches("/computers/{id}/{action}", "/computers/{id}/click"));
        assertTrue(matches("/computers/{id}/cdp/json/version/", "/computers/{id}/cdp/json/version"));
        assertTrue(matches("/console/*", "/console/app.js"));
        assertTrue(!matches("/computers/{id}/tabs", "/computers/{id}/{tab}"));
        assertTrue(!matches("/computers/{id}", "/computers/{id}/status"));
    }
}
