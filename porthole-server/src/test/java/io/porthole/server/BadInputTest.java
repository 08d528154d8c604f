package io.porthole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.porthole.core.action.ActionLimits;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every bad input gets a clear 4xx JSON error and leaves the computer usable. */
class BadInputTest {
    private static TestServer t;
    private static String id;

    @BeforeAll
    static void computer() {
        t = TestServer.get();
        id = t.createComputer("{}");
    }

    @AfterAll
    static void cleanUp() {
        t.delete(id);
    }

    @AfterEach
    void computerStillWorks() {
        var r = t.action(id, "screenshot", "{}");
        assertEquals("success", r.path("status").asText(), r.toString());
        // input too: a refused input must not have reached the browser and wedged its input queue
        var click = t.action(id, "click", "{\"x\":5,\"y\":5}");
        assertEquals("success", click.path("status").asText(), click.toString());
    }

    private static String path(int points) {
        return "{\"path\":[" + String.join(",", Collections.nCopies(points, "{\"x\":10,\"y\":10}")) + "]}";
    }

    private static String actions(String action, int times) {
        return "{\"actions\":[" + String.join(",", Collections.nCopies(times, action)) + "]}";
    }

    static Stream<Arguments> badRequests() {
        return Stream.of(
                Arguments.of("malformed JSON", "POST", "/click", "{\"x\":", 400, "invalid_json"),
                Arguments.of("not an object", "POST", "/click", "[1,2]", 400, "invalid_json"),
                Arguments.of("wrong type", "POST", "/click", "{\"x\":\"ten\",\"y\":5}", 400, "invalid_argument"),
                Arguments.of("x without y", "POST", "/click", "{\"x\":10}", 400, "invalid_argument"),
                Arguments.of("negative coordinate", "POST", "/click", "{\"x\":-1,\"y\":5}", 400, "invalid_argument"),
                Arguments.of("text not a string", "POST", "/type", "{\"text\":5}", 400, "invalid_argument"),
                Arguments.of("missing text", "POST", "/type", "{}", 400, "invalid_argument"),
                Arguments.of("missing url", "POST", "/navigate", "{}", 400, "invalid_argument"),
                Arguments.of("file url", "POST", "/navigate", "{\"url\":\"file:///etc/passwd\"}", 400, "invalid_argument"),
                Arguments.of("javascript url", "POST", "/navigate", "{\"url\":\"javascript:alert(1)\"}", 400, "invalid_argument"),
                Arguments.of("drag without points", "POST", "/drag", "{\"x1\":1}", 400, "invalid_argument"),
                Arguments.of("viewport without width", "POST", "/viewport", "{\"height\":600}", 400, "invalid_argument"),
                Arguments.of("viewport too large", "POST", "/viewport", "{\"width\":100000,\"height\":600}", 400, "invalid_argument"),
                Arguments.of("unknown key", "POST", "/hotkey", "{\"keys\":[\"Hyperdrive\"]}", 400, "invalid_argument"),
                Arguments.of("keys not a list", "POST", "/hotkey", "{\"keys\":5}", 400, "invalid_argument"),
                Arguments.of("wait too long", "POST", "/execute", "{\"action\":{\"type\":\"wait\",\"ms\":600000}}", 400, "invalid_argument"),
                Arguments.of("execute without action", "POST", "/execute", "{}", 400, "invalid_argument"),
                Arguments.of("unknown action", "POST", "/execute", "{\"action\":{\"type\":\"teleport\"}}", 400, "unknown_action"),
                Arguments.of("action without type", "POST", "/execute", "{\"action\":{\"x\":1}}", 400, "invalid_argument"),
                Arguments.of("batch without actions", "POST", "/batch", "{\"actions\":{}}", 400, "invalid_argument"),
                Arguments.of("unknown route", "POST", "/teleport", "{}", 404, "not_found"),
                Arguments.of("bad button", "POST", "/execute", "{\"action\":{\"type\":\"click\",\"x\":1,\"y\":1,\"button\":\"seventh\"}}", 400, "invalid_argument"),
                Arguments.of("bad scale", "POST", "/viewport", "{\"width\":800,\"height\":600,\"scale_factor\":0}", 400, "invalid_argument"),
                // past float range Chromium never answers, and its input stays stuck for the page
                Arguments.of("coordinate past float range", "POST", "/click", "{\"x\":1e39,\"y\":100}", 400, "invalid_argument"),
                Arguments.of("coordinate 1e308", "POST", "/click", "{\"x\":1e308,\"y\":100}", 400, "invalid_argument"),
                Arguments.of("coordinate past X11's 32767", "POST", "/mouse-down", "{\"x\":5,\"y\":40000}", 400, "invalid_argument"),
                Arguments.of("drag to a huge point", "POST", "/drag", "{\"x1\":1,\"y1\":1,\"x2\":1e39,\"y2\":1}", 400, "invalid_argument"),
                Arguments.of("huge scroll", "POST", "/scroll", "{\"x\":10,\"y\":10,\"dx\":1e20}", 400, "invalid_argument"),
                Arguments.of("scroll of 2^53+1", "POST", "/scroll", "{\"dy\":9007199254740993}", 400, "invalid_argument"),
                Arguments.of("scroll of 10000 wheel clicks", "POST", "/scroll", "{\"dy\":1e6}", 400, "invalid_argument"),
                Arguments.of("huge coordinate through execute", "POST", "/execute",
                        "{\"action\":{\"type\":\"click\",\"x\":1e39,\"y\":1}}", 400, "invalid_argument"),
                Arguments.of("text too long to type in time", "POST", "/type",
                        "{\"text\":\"" + "a".repeat(ActionLimits.MAX_TYPED_CHARACTERS + 1) + "\"}", 400, "invalid_argument"),
                Arguments.of("drag path of 51 points", "POST", "/drag", path(51), 400, "invalid_argument"),
                Arguments.of("chord of 11 keys", "POST", "/hotkey",
                        "{\"keys\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\",\"k\"]}", 400, "invalid_argument"),
                Arguments.of("batch of waits past 30 s", "POST", "/batch", actions("{\"type\":\"wait\",\"ms\":20000}", 2), 400, "invalid_argument"),
                Arguments.of("batch of two 55 s waits", "POST", "/batch", actions("{\"type\":\"wait\",\"ms\":55000}", 2), 400, "invalid_argument"),
                Arguments.of("batch typing too much", "POST", "/batch",
                        actions("{\"type\":\"type\",\"text\":\"" + "a".repeat(ActionLimits.MAX_TYPED_CHARACTERS / 2 + 1) + "\"}", 2),
                        400, "invalid_argument"),
                Arguments.of("batch of 101 actions", "POST", "/batch", actions("{\"type\":\"screenshot\"}", 101), 400, "invalid_argument"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void badInputIsAClear4xx(String what, String method, String route, String body, int status, String code) {
        var r = t.call(method, "/computers/" + id + route, body);
        assertEquals(status, r.status(), what + ": " + r.body());
        assertEquals("application/json", r.header("Content-Type"));
        assertEquals(code, r.json().path("code").asText(), r.body());
        assertFalse(r.json().path("message").asText().isBlank());
    }

    /** Bodies that are not one JSON object: trailing garbage, two values, other JSON types, a key twice. */
    private static final List<String> NOT_ONE_OBJECT = List.of("{}}", "{\"x\":1} x", "{} {}", "[]", "[{}]", "1", "\"s\"",
            "true", "null", "{\"x\":1,\"x\":2}");

    /** Every route that takes a JSON object (the {id} is the class's computer). */
    private static final List<String> OBJECT_ROUTES = List.of("/computers", "/computers/{id}/click",
            "/computers/{id}/batch", "/computers/{id}/execute", "/computers/{id}/keepalive", "/computers/{id}/navigate",
            "/computers/{id}/exec/sync", "/browser-sandboxes", "/browser-sandboxes/{id}/contexts",
            "/browser-sandboxes/{id}/contexts/default/tabs", "/browser-sandboxes/{id}/artifacts/screenshot",
            "/browser-sandboxes/{id}/artifacts/pdf", "/browser-sandboxes/{id}/artifacts", "/admin/keys");

    static Stream<Arguments> notOneObject() {
        return OBJECT_ROUTES.stream().flatMap(route -> NOT_ONE_OBJECT.stream().map(body -> Arguments.of(route, body)));
    }

    @ParameterizedTest(name = "POST {0} {1}")
    @MethodSource("notOneObject")
    void aBodyThatIsNotOneJsonObjectIs400(String route, String body) {
        var r = t.post(route.replace("{id}", id), body);
        assertEquals(400, r.status(), r.body());
        assertEquals("application/json", r.header("Content-Type"));
        assertEquals("invalid_json", r.json().path("code").asText(), r.body());
        var message = r.json().path("message").asText();
        assertFalse(message.isBlank());
        assertFalse(message.matches("(?s).*(Exception|Feature|java\\.|com\\.fasterxml|`).*"), message);
    }

    @Test
    void aBodyThatIsNotOneJsonObjectMakesNothing() {
        int computers = t.call("GET", "/computers", null).json().size();
        int sandboxes = t.call("GET", "/browser-sandboxes?limit=200", null).json().path("items").size();
        int contexts = t.call("GET", "/browser-sandboxes/" + id + "/contexts", null).json().path("items").size();
        int artifacts = t.call("GET", "/browser-sandboxes/" + id + "/artifacts", null).json().path("items").size();
        int keys = t.call("GET", "/admin/keys", null).json().size();
        for (var body : NOT_ONE_OBJECT) {
            for (var route : List.of("/computers", "/browser-sandboxes", "/browser-sandboxes/{id}/contexts",
                    "/browser-sandboxes/{id}/artifacts/screenshot", "/browser-sandboxes/{id}/artifacts/pdf", "/admin/keys")) {
                assertEquals(400, t.post(route.replace("{id}", id), body).status(), route + " " + body);
            }
        }
        assertEquals(computers, t.call("GET", "/computers", null).json().size());
        assertEquals(sandboxes, t.call("GET", "/browser-sandboxes?limit=200", null).json().path("items").size());
        assertEquals(contexts, t.call("GET", "/browser-sandboxes/" + id + "/contexts", null).json().path("items").size());
        assertEquals(artifacts, t.call("GET", "/browser-sandboxes/" + id + "/artifacts", null).json().path("items").size());
        assertEquals(keys, t.call("GET", "/admin/keys", null).json().size());
    }

    @Test
    void anRpcLineOrExecBodyThatIsNotOneJsonObjectIsAnErrorLine() {
        var lines = Sandboxes.rpc(t, id, "{\"id\":1,\"method\":\"tabs.list\"}}\n[]\n\"s\"\n{\"id\":4,\"id\":5}\n"
                + "{\"id\":6,\"method\":\"tabs.list\"}\n");
        assertEquals(5, lines.size(), lines.toString());
        for (var line : lines.subList(0, 4)) {
            assertEquals("invalid_json", line.path("error").path("code").asText(), line.toString());
        }
        assertTrue(lines.get(4).has("result"), lines.get(4).toString());
        for (var body : List.of("{\"command\":\"true\"}}", "[]", "\"true\"")) {
            var r = t.post("/computers/" + id + "/exec", body);
            assertEquals(200, r.status(), r.body());
            assertTrue(r.body().strip().lines().count() == 1 && r.body().contains("\"invalid_json\""), body + " → " + r.body());
        }
    }

    @Test
    void aUrlTheBrowserRefusesIsAnActionErrorAndLogsNoTrace() {
        try (var logs = new LogCapture()) {
            for (var url : List.of("http://[::1", "http://999.1.1.1/", "http://x:99999/")) {
                var r = t.post("/computers/" + id + "/navigate", "{\"url\":\"" + url + "\"}");
                assertTrue(r.status() == 200 || r.status() == 400, url + " → " + r.body());
                if (r.status() == 200) assertEquals("error", r.json().path("status").asText(), r.body());
            }
            assertEquals(List.of(), logs.warningsOrTraces());
        }
    }

    @Test
    void unknownComputerIs404() {
        var r = t.post("/computers/comp_doesnotexist/click", "{\"x\":1,\"y\":1}");
        assertEquals(404, r.status());
        assertEquals("not_found", r.json().path("code").asText());
        assertEquals(404, t.call("GET", "/computers/comp_doesnotexist", null).status());
        assertEquals(404, t.call("DELETE", "/computers/comp_doesnotexist", null).status());
    }

    @Test
    void oversizedBodyIs413() {
        var big = "{\"text\":\"" + "a".repeat(2 << 20) + "\"}";
        var r = t.post("/computers/" + id + "/type", big);
        assertEquals(413, r.status());
        assertEquals("payload_too_large", r.json().path("code").asText());
    }

    @Test
    void emptyJsonBodyIsAcceptedAsThePythonSdkSendsIt() {
        var r = t.request("POST", "/computers/" + id + "/keepalive", "",
                Map.of("Authorization", "Bearer " + TestServer.KEY, "Content-Type", "application/json"));
        assertEquals(200, r.status(), r.body());
        var shot = t.request("POST", "/computers/" + id + "/screenshot", "",
                Map.of("Authorization", "Bearer " + TestServer.KEY, "Content-Type", "application/json"));
        assertEquals("success", shot.json().path("status").asText());
    }

    @Test
    void nullsAndUnknownFieldsAreIgnored() {
        var r = t.post("/computers/" + id + "/click", "{\"x\":10,\"y\":10,\"tab_id\":null,\"flavour\":\"mint\"}");
        assertEquals("success", r.json().path("status").asText(), r.body());
    }

    @Test
    void badCreateParametersAre400AndCreateNothing() {
        int before = t.call("GET", "/computers", null).json().size();
        for (var body : java.util.List.of("{\"kind\":\"toaster\"}", "{\"max_lifetime_seconds\":-5}",
                "{\"display\":{\"width\":5}}", "{\"inactivity_timeout_seconds\":\"long\"}", "{\"persistent\":\"yes\"}",
                "{\"engine\":\"webkit\"}", "{\"kind\":\"desktop\",\"engine\":\"firefox\"}")) {
            var r = t.post("/computers", body);
            assertEquals(400, r.status(), body + " → " + r.body());
            assertEquals("invalid_argument", r.json().path("code").asText());
        }
        assertEquals(before, t.call("GET", "/computers", null).json().size());
    }

    @Test
    void aProxyUrlTheEgressCannotUseIs400() {
        for (var url : java.util.List.of("socks4://127.0.0.1:1080", "http://no-port.example", "ftp://x:21")) {
            var r = t.post("/computers/" + id + "/change-proxy", "{\"proxy_url\":\"" + url + "\"}");
            assertEquals(400, r.status(), url + " → " + r.body());
            assertEquals("invalid_argument", r.json().path("code").asText());
        }
    }

    @Test
    void listWithAnUnknownTypeIs400() {
        assertEquals(400, t.call("GET", "/computers?type=sideways", null).status());
        assertTrue(t.call("GET", "/computers?type=persistent", null).json().isArray());
    }
}
