package io.porthole.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The chart under deploy/helm/porthole, offline: rendered and linted by Helm's own library, every rendered object
 * checked against the Kubernetes API's models, and the properties the cluster relies on asserted (ADR 0029).
 * Nothing here reaches a cluster or the network.
 */
class HelmChartTest {
    private static final Path CHART = Path.of("helm/porthole").toAbsolutePath();
    private static final Path FULL = CHART.resolve("ci/full-values.yaml");
    /** The Kubernetes version the chart is rendered for: the oldest its kubeVersion allows is 1.30. */
    private static final String KUBE_VERSION = "1.33.0";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> CAPABILITIES =
            Set.of("SYS_ADMIN", "SETPCAP", "SETUID", "SETGID", "SETFCAP", "CHOWN", "FOWNER", "DAC_OVERRIDE", "KILL");
    /** The API objects the chart may render, each with the model that checks it. */
    private static final Map<String, Validator> MODELS = Map.of(
            "v1/ConfigMap", V1ConfigMap::validateJsonElement,
            "v1/Service", V1Service::validateJsonElement,
            "apps/v1/StatefulSet", V1StatefulSet::validateJsonElement,
            "policy/v1/PodDisruptionBudget", V1PodDisruptionBudget::validateJsonElement,
            "autoscaling/v2/HorizontalPodAutoscaler", V2HorizontalPodAutoscaler::validateJsonElement);

    @FunctionalInterface
    private interface Validator {
        void validate(JsonElement json) throws IOException;
    }

    /** The rendered objects of one install. */
    private record Rendered(List<JsonNode> objects) {
        List<JsonNode> all(String kind) {
            return objects.stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
        }

        JsonNode one(String kind) {
            var found = all(kind);
            assertEquals(1, found.size(), "one " + kind + " rendered");
            return found.getFirst();
        }

        JsonNode container() {
            var containers = one("StatefulSet").at("/spec/template/spec/containers");
            assertEquals(1, containers.size(), "one container per node");
            return containers.get(0);
        }

        Map<String, String> config() {
            var out = new java.util.TreeMap<String, String>();
            one("ConfigMap").path("data").properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
            return out;
        }

        JsonNode env(String name) {
            for (var env : container().path("env")) {
                if (env.path("name").asText().equals(name)) return env;
            }
            return null;
        }
    }

    private static Rendered render(Consumer<TemplateCommand> options) {
        var command = new Helm(CHART).template().withName("porthole").withNamespace("agents").withKubeVersion(KUBE_VERSION);
        options.accept(command);
        var out = command.call();
        var objects = new ArrayList<JsonNode>();
        try (var parser = YAML.createParser(out)) {
            for (var it = YAML.readValues(parser, JsonNode.class); it.hasNext(); ) {
                var node = it.next();
                if (node != null && !node.isNull() && !node.isEmpty()) objects.add(node);
            }
        } catch (IOException e) {
            throw new AssertionError("helm template printed what is not YAML: " + e.getMessage() + "\n" + out, e);
        }
        assertFalse(objects.isEmpty(), "helm template rendered nothing");
        return new Rendered(objects);
    }

    private static Rendered defaults() {
        return render(c -> {});
    }

    private static Rendered full() {
        return render(c -> c.withValuesFile(FULL));
    }

    /** Checks one object against the model of its apiVersion and kind: unknown fields, missing ones, wrong types. */
    private static void validate(JsonNode object) throws IOException {
        var key = object.path("apiVersion").asText() + "/" + object.path("kind").asText();
        var model = MODELS.get(key);
        assertNotNull(model, "the chart renders " + key + ", which this test has no model for");
        try {
            model.validate(JsonParser.parseString(JSON.writeValueAsString(object)));
        } catch (RuntimeException e) {
            // the models say what is wrong with IllegalArgumentException, and a wrong JSON type can surface as a
            // ClassCastException or IllegalStateException from Gson: each is a refusal
            fail(key + " " + object.at("/metadata/name").asText() + " is not a valid object: " + e.getMessage());
        }
    }

    @Test
    void everyRenderedObjectOfEveryValuesFileIsAValidKubernetesObject() throws IOException {
        var renders = List.of(defaults(), full(),
                render(c -> c.withValuesFile(FULL).set("autoscaling.enabled", true)),
                render(c -> c.set("security.privileged", true)));
        for (var rendered : renders) {
            for (var object : rendered.objects()) validate(object);
        }
        var kinds = new HashSet<String>();
        renders.forEach(r -> r.objects().forEach(o -> kinds.add(o.path("kind").asText())));
        assertEquals(Set.of("ConfigMap", "Service", "StatefulSet", "PodDisruptionBudget", "HorizontalPodAutoscaler"), kinds);
    }

    @Test
    void theModelsRefuseAMisspelledFieldDeepInsideAPodTemplate() throws IOException {
        var statefulSet = defaults().one("StatefulSet").deepCopy();
        var container = (ObjectNode) statefulSet.at("/spec/template/spec/containers/0");
        container.set("livenesProbe", container.get("livenessProbe"));
        var error = assertThrows(AssertionError.class, () -> validate(statefulSet));
        assertTrue(error.getMessage().contains("livenesProbe"), error.getMessage());
        var wrongType = defaults().one("StatefulSet").deepCopy();
        ((ObjectNode) wrongType.at("/spec/template/spec/containers/0")).put("env", "PORTHOLE_PORT=1");
        assertThrows(AssertionError.class, () -> validate(wrongType));
    }

    @Test
    void helmLintFindsNothingInStrictMode() {
        var result = new Helm(CHART).lint().strict().call();
        assertFalse(result.isFailed(), String.join("\n", result.getMessages()));
        for (var message : result.getMessages()) {
            assertFalse(message.startsWith("[WARNING]") || message.startsWith("[ERROR]"), message);
        }
    }

    @Test
    void probesAskHealthForLifeAndReadyForClients() {
        for (var rendered : List.of(defaults(), full())) {
            var container = rendered.container();
            assertEquals("/health", container.at("/livenessProbe/httpGet/path").asText());
            assertEquals("/health", container.at("/startupProbe/httpGet/path").asText());
            assertEquals("/ready", container.at("/readinessProbe/httpGet/path").asText());
            for (var probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
                assertEquals("http", container.at("/" + probe + "/httpGet/port").asText(), probe);
            }
            assertEquals("http", container.at("/ports/0/name").asText());
            assertEquals(8844, container.at("/ports/0/containerPort").asInt());
            assertEquals("8844", rendered.config().get("PORTHOLE_PORT"));
            assertEquals("0.0.0.0", rendered.config().get("PORTHOLE_HOST"));
        }
    }

    @Test
    void logsAreTextByDefaultAndJsonWhenAsked() {
        assertEquals("text", defaults().config().get("PORTHOLE_LOG_FORMAT"));
        assertEquals("json", render(c -> c.set("logFormat", "json")).config().get("PORTHOLE_LOG_FORMAT"));
        assertThrows(IllegalStateException.class, () -> render(c -> c.set("logFormat", "xml")));
    }

    @Test
    void theGracePeriodOutlastsTheDrainDeadline() {
        var longer = render(c -> c.set("drain.deadlineSeconds", 86400));
        for (var rendered : List.of(defaults(), full(), longer)) {
            var config = rendered.config();
            assertEquals("true", config.get("PORTHOLE_DRAIN_ON_SIGTERM"));
            long deadline = Long.parseLong(config.get("PORTHOLE_DRAIN_DEADLINE_SECONDS"));
            long grace = rendered.one("StatefulSet").at("/spec/template/spec/terminationGracePeriodSeconds").asLong();
            assertTrue(grace >= deadline + 10, "grace period " + grace + " s, drain deadline " + deadline + " s");
            // SIGTERM drains: no preStop hook spends the grace period first
            assertTrue(rendered.container().path("lifecycle").isMissingNode(), "no lifecycle hook");
        }
        assertEquals("86400", longer.config().get("PORTHOLE_DRAIN_DEADLINE_SECONDS"));
    }

    @Test
    void secretsComeOnlyFromTheNamedSecretAsKeyRefsOrFiles() {
        var secretLike = Pattern.compile(".*(_KEY|_PASSWORD|_SECRET|_TOKEN|_KEY_ID)$");
        for (var rendered : List.of(defaults(), full())) {
            assertTrue(rendered.all("Secret").isEmpty(), "the chart renders no Secret");
            var secretName = rendered.one("StatefulSet").at("/spec/template/spec/volumes").findValuesAsText("secretName");
            assertEquals(1, secretName.size());
            var name = secretName.getFirst();
            var config = rendered.config();
            for (var key : config.keySet()) {
                assertFalse(secretLike.matcher(key).matches(), key + " is in the ConfigMap");
            }
            // variables: a plain value only for what is not secret; secrets by secretKeyRef to the one Secret
            for (var env : rendered.container().path("env")) {
                var var = env.path("name").asText();
                if (secretLike.matcher(var).matches()) {
                    assertEquals(name, env.at("/valueFrom/secretKeyRef/name").asText(), var);
                    assertTrue(env.path("value").isMissingNode(), var + " has a value in the manifest");
                }
            }
            // files: every *_FILE setting points into the Secret's volume, at an item it projects
            var mount = rendered.container().path("volumeMounts").findParents("mountPath").stream()
                    .filter(m -> m.path("name").asText().equals("secret")).findFirst().orElseThrow();
            assertTrue(mount.path("readOnly").asBoolean());
            var secretVolume = rendered.one("StatefulSet").at("/spec/template/spec/volumes").findParents("secret")
                    .getFirst().path("secret");
            var items = new HashSet<String>();
            secretVolume.path("items").forEach(i -> items.add(i.path("path").asText()));
            assertEquals(0400, secretVolume.path("defaultMode").asInt());
            for (var e : config.entrySet()) {
                if (!e.getKey().endsWith("_FILE")) continue;
                var prefix = mount.path("mountPath").asText() + "/";
                assertTrue(e.getValue().startsWith(prefix), e.getKey() + " is " + e.getValue());
                assertTrue(items.contains(e.getValue().substring(prefix.length())), e.getKey() + " names no item of the Secret");
            }
            assertTrue(config.containsKey("PORTHOLE_CLUSTER_SECRET_FILE"));
            assertEquals(name, rendered.env("PORTHOLE_API_KEY").at("/valueFrom/secretKeyRef/name").asText());
            assertEquals(name, rendered.env("PORTHOLE_STATE_KEY").at("/valueFrom/secretKeyRef/name").asText());
        }
        var full = full();
        assertTrue(full.config().containsKey("PORTHOLE_DATABASE_PASSWORD_FILE"));
        assertTrue(full.config().containsKey("PORTHOLE_S3_SECRET_ACCESS_KEY_FILE"));
        assertEquals("porthole-prod", full.env("PORTHOLE_S3_ACCESS_KEY_ID").at("/valueFrom/secretKeyRef/name").asText());
        var refused = assertThrows(IllegalStateException.class,
                () -> render(c -> c.set("extraConfig.PORTHOLE_DATABASE_PASSWORD", "hunter2")));
        assertTrue(refused.getMessage().contains("looks like a secret"), refused.getMessage());
    }

    @Test
    void theSecurityContextIsTheNamedCapabilitiesAndNothingMore() {
        var rendered = defaults();
        var pod = rendered.one("StatefulSet").at("/spec/template/spec");
        var security = rendered.container().path("securityContext");
        assertFalse(security.path("privileged").asBoolean(true), "not privileged");
        var added = new HashSet<String>();
        security.at("/capabilities/add").forEach(c -> added.add(c.asText()));
        assertEquals(CAPABILITIES, added);
        assertEquals("ALL", security.at("/capabilities/drop/0").asText());
        assertEquals(1, security.at("/capabilities/drop").size());
        assertTrue(security.path("readOnlyRootFilesystem").asBoolean());
        assertEquals(0, pod.at("/securityContext/runAsUser").asInt(-1));
        assertEquals("RuntimeDefault", pod.at("/securityContext/seccompProfile/type").asText());
        assertEquals("Unconfined", pod.at("/securityContext/appArmorProfile/type").asText());
        for (var host : List.of("hostPID", "hostIPC", "hostNetwork")) {
            assertFalse(pod.path(host).asBoolean(false), host);
        }
        assertTrue(pod.path("hostUsers").isMissingNode() || pod.path("hostUsers").asBoolean());
        assertFalse(pod.path("automountServiceAccountToken").asBoolean(true));
        assertTrue(pod.path("volumes").findValues("hostPath").isEmpty(), "no host path is mounted");
        // no /dev/shm or /dev/fuse of the host's: bubblewrap gives each sandbox its own /dev
        for (var m : rendered.container().path("volumeMounts")) {
            assertFalse(m.path("mountPath").asText().startsWith("/dev"), m.toString());
        }

        var privileged = render(c -> c.set("security.privileged", true)).container().path("securityContext");
        assertTrue(privileged.path("privileged").asBoolean());
        assertTrue(privileged.path("capabilities").isMissingNode());
    }

    @Test
    void eachNodeAdvertisesItsNameUnderTheHeadlessService() {
        for (var rendered : List.of(defaults(), full())) {
            var statefulSet = rendered.one("StatefulSet");
            var headless = rendered.all("Service").stream()
                    .filter(s -> s.at("/spec/clusterIP").asText().equals("None")).toList();
            assertEquals(1, headless.size());
            var service = headless.getFirst();
            var serviceName = service.at("/metadata/name").asText();
            assertEquals(serviceName, statefulSet.at("/spec/serviceName").asText());
            assertTrue(service.at("/spec/publishNotReadyAddresses").asBoolean(), "a draining node keeps its name");
            assertEquals(statefulSet.at("/spec/selector/matchLabels"), service.at("/spec/selector"));

            var env = rendered.container().path("env");
            var names = new ArrayList<String>();
            env.forEach(e -> names.add(e.path("name").asText()));
            assertEquals("metadata.name", rendered.env("POD_NAME").at("/valueFrom/fieldRef/fieldPath").asText());
            assertEquals("metadata.namespace", rendered.env("POD_NAMESPACE").at("/valueFrom/fieldRef/fieldPath").asText());
            assertEquals("$(POD_NAME)", rendered.env("PORTHOLE_NODE_ID").path("value").asText());
            var url = rendered.env("PORTHOLE_NODE_URL").path("value").asText();
            assertEquals("http://$(POD_NAME)." + serviceName + ".$(POD_NAMESPACE).svc.cluster.local:8844", url);
            // $(VAR) expands only variables defined earlier in the list
            assertTrue(names.indexOf("POD_NAME") < names.indexOf("PORTHOLE_NODE_ID"));
            assertTrue(names.indexOf("POD_NAMESPACE") < names.indexOf("PORTHOLE_NODE_URL"));
        }
    }

    @Test
    void theDefaultsAreOneNodeOnItsOwnDiskAndTheFullValuesAClusterOnPostgresAndS3() {
        var single = defaults();
        assertEquals(1, single.one("StatefulSet").at("/spec/replicas").asInt());
        assertFalse(single.config().containsKey("PORTHOLE_DATABASE_URL"));
        assertFalse(single.config().containsKey("PORTHOLE_BLOBS"));
        assertTrue(single.all("HorizontalPodAutoscaler").isEmpty(), "autoscaling is off by default");

        var cluster = full();
        var config = cluster.config();
        assertEquals(3, cluster.one("StatefulSet").at("/spec/replicas").asInt());
        assertTrue(config.get("PORTHOLE_DATABASE_URL").startsWith("jdbc:postgresql://"));
        assertEquals("porthole", config.get("PORTHOLE_DATABASE_USER"));
        assertEquals("s3", config.get("PORTHOLE_BLOBS"));
        for (var key : List.of("PORTHOLE_S3_ENDPOINT", "PORTHOLE_S3_REGION", "PORTHOLE_S3_BUCKET", "PORTHOLE_S3_PREFIX")) {
            assertFalse(config.getOrDefault(key, "").isEmpty(), key);
        }
        assertEquals("16", config.get("PORTHOLE_MAX_COMPUTERS"));
        assertEquals("chromium:2,firefox:1", config.get("PORTHOLE_POOL"));
        assertEquals("1000", config.get("PORTHOLE_NODE_HEARTBEAT_MILLIS"));
        assertEquals("5000", config.get("PORTHOLE_NODE_DOWN_AFTER_MILLIS"));
        assertEquals("/var/lib/porthole", config.get("PORTHOLE_DATA_DIR"));

        // each node's data on a claim of its own, mounted where PORTHOLE_DATA_DIR says
        var claim = cluster.one("StatefulSet").at("/spec/volumeClaimTemplates/0");
        assertEquals("data", claim.at("/metadata/name").asText());
        assertEquals("50Gi", claim.at("/spec/resources/requests/storage").asText());
        var dataMount = cluster.container().path("volumeMounts").findParents("mountPath").stream()
                .filter(m -> m.path("name").asText().equals("data")).findFirst().orElseThrow();
        assertEquals(config.get("PORTHOLE_DATA_DIR"), dataMount.path("mountPath").asText());

        var scaled = render(c -> c.withValuesFile(FULL).set("autoscaling.enabled", true));
        var hpa = scaled.one("HorizontalPodAutoscaler");
        assertTrue(scaled.one("StatefulSet").at("/spec/replicas").isMissingNode(), "the autoscaler owns replicas");
        assertEquals("StatefulSet", hpa.at("/spec/scaleTargetRef/kind").asText());
        assertEquals("porthole_computers_in_use", hpa.at("/spec/metrics/0/pods/metric/name").asText());
        // 0.75 of 16 computers per node, in milli-units
        assertEquals("12000m", hpa.at("/spec/metrics/0/pods/target/averageValue").asText());
    }

    @Test
    void thePodIsSizedForItsComputers() {
        var rendered = render(c -> c.set("computersPerNode", 10).set("computerMemoryLimitMb", 1024));
        var resources = rendered.container().path("resources");
        // the server's 1024 MiB and each computer's share
        assertEquals((1024 + 10 * 512) + "Mi", resources.at("/requests/memory").asText());
        assertEquals((1024 + 10 * 1024) + "Mi", resources.at("/limits/memory").asText());
        assertEquals((500 + 10 * 250) + "m", resources.at("/requests/cpu").asText());
        assertTrue(resources.at("/limits/cpu").isMissingNode(), "no CPU limit by default");
        assertEquals("10", rendered.config().get("PORTHOLE_MAX_COMPUTERS"));
        assertEquals("1024", rendered.config().get("PORTHOLE_MEMORY_LIMIT_MB"));
    }

    @Test
    void theDisruptionBudgetAndServicesSelectTheNodes() {
        var rendered = full();
        var pods = rendered.one("StatefulSet").at("/spec/template/metadata/labels");
        var pdb = rendered.one("PodDisruptionBudget");
        assertEquals(1, pdb.at("/spec/maxUnavailable").asInt());
        pdb.at("/spec/selector/matchLabels").properties()
                .forEach(l -> assertEquals(l.getValue(), pods.path(l.getKey()), l.getKey()));
        for (var service : rendered.all("Service")) {
            service.at("/spec/selector").properties()
                    .forEach(l -> assertEquals(l.getValue(), pods.path(l.getKey()), l.getKey()));
            assertEquals("http", service.at("/spec/ports/0/targetPort").asText());
        }
    }

    @Test
    void valuesThatCannotWorkAreRefusedAtRender() {
        var noStore = assertThrows(IllegalStateException.class, () -> render(c -> c.set("replicas", 3)));
        assertTrue(noStore.getMessage().contains("database.url"), noStore.getMessage());
        var noBlobs = assertThrows(IllegalStateException.class,
                () -> render(c -> c.set("replicas", 3).set("database.url", "jdbc:postgresql://db:5432/p")));
        assertTrue(noBlobs.getMessage().contains("blobs.type"), noBlobs.getMessage());
        var password = assertThrows(IllegalStateException.class,
                () -> render(c -> c.set("database.url", "jdbc:postgresql://db:5432/p?password=x")));
        assertTrue(password.getMessage().contains("must not hold a password"), password.getMessage());
        // values.schema.json: a misspelt key, a wrong type, an unknown blob store
        var typo = assertThrows(IllegalStateException.class, () -> render(c -> c.set("replica", 3)));
        assertTrue(typo.getMessage().contains("replica"), typo.getMessage());
        assertThrows(IllegalStateException.class, () -> render(c -> c.set("computersPerNode", "eight")));
        assertThrows(IllegalStateException.class, () -> render(c -> c.set("blobs.type", "gcs")));
        assertThrows(IllegalStateException.class, () -> render(c -> c.set("security.appArmor.type", "Localhost")));
    }
}
