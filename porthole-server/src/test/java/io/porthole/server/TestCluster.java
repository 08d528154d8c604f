package io.porthole.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.porthole.testing.PostgresDatabase;
import io.porthole.testing.PostgresFixture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Porthole nodes in child JVMs (so that one can be SIGKILLed) on one PostgreSQL database of their own, each with its
 * own data directory and port, on loopback (or, given {@link Hosts}, wherever those put each node: a network
 * namespace of its own, see {@link ClusterHostsTest}). Every node is started with {@code --node-id=<name>}, the same
 * API key and the heartbeat timing given; a node started again on its directory is the same node.
 */
final class TestCluster implements AutoCloseable {
    static final String KEY = "cluster-test-key-tenant-a";
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** One node: its process and the URL it listens on. */
    record Member(String name, Path dataDir, Process process, String url) {}

    /** Where a node runs: the command that puts it there (run before java), and its environment and flags there. */
    record Placement(List<String> prefix, Map<String, String> env, List<String> flags) {}

    /** Places each node by its name. */
    interface Hosts {
        Placement place(String node);
    }

    /** The nodes' database: a JDBC URL and credentials. */
    record Database(String url, String user, String password) {}

    private final PostgresDatabase ownDatabase;
    private final Hosts hosts;
    private final Path root;
    private final Map<String, String> env;
    private final List<String> common;
    private final Map<String, Member> members = new LinkedHashMap<>();
    private final Map<String, List<String>> flags = new HashMap<>();

    /**
     * Nodes on loopback, on a database of their own from {@link PostgresFixture} (dropped by {@link #close}).
     *
     * @param heartbeatMillis how often each node heartbeats
     * @param downAfterMillis how long a silent node takes to count as down
     * @param extraEnv more of every node's environment (S3 settings)
     */
    TestCluster(long heartbeatMillis, long downAfterMillis, Map<String, String> extraEnv) {
        this(heartbeatMillis, downAfterMillis, extraEnv, PostgresFixture.newDatabase(), null, "127.0.0.1", null);
    }

    /**
     * Nodes placed by {@code hosts} on {@code database} (the caller's: {@link #close} leaves it), their computers
     * allowed to reach {@code egressAllow} (PORTHOLE_EGRESS_ALLOW).
     */
    TestCluster(long heartbeatMillis, long downAfterMillis, Map<String, String> extraEnv, Database database,
                String egressAllow, Hosts hosts) {
        this(heartbeatMillis, downAfterMillis, extraEnv, null, database, egressAllow, hosts);
    }

    /** On {@code own} (dropped by {@link #close}) if given, else on {@code given}. */
    private TestCluster(long heartbeatMillis, long downAfterMillis, Map<String, String> extraEnv, PostgresDatabase own,
                        Database given, String egressAllow, Hosts hosts) {
        this.ownDatabase = own;
        this.hosts = hosts;
        try {
            this.root = Files.createTempDirectory("porthole-test-cluster-");
        } catch (IOException e) {
            if (own != null) own.close();
            throw new UncheckedIOException(e);
        }
        var e = new HashMap<String, String>(extraEnv);
        var db = own != null ? new Database(own.url(), own.user(), own.password()) : given;
        e.put("PORTHOLE_DATABASE_URL", db.url());
        e.put("PORTHOLE_DATABASE_USER", db.user());
        e.put("PORTHOLE_DATABASE_PASSWORD", db.password());
        this.env = Map.copyOf(e);
        this.common = List.of("--node-heartbeat-millis=" + heartbeatMillis, "--node-down-after-millis=" + downAfterMillis,
                "--egress-allow=" + egressAllow, "--stop-computers-on-shutdown=true", "--memory-limit-mb=1024",
                "--scheduler-tick-millis=100");
    }

    /** Starts the node {@code name} (on its directory of before, if it ran already) with {@code extra} flags. */
    synchronized Member start(String name, String... extra) {
        var dir = root.resolve(name);
        flags.putIfAbsent(name, List.of(extra));
        var args = new ArrayList<String>(common);
        args.add("--node-id=" + name);
        args.addAll(flags.get(name));
        try {
            Process process;
            if (hosts == null) {
                process = ChildServer.start(env, dir, KEY, args.toArray(String[]::new));
            } else {
                var placed = hosts.place(name);
                var e = new HashMap<>(env);
                e.putAll(placed.env());
                args.addAll(placed.flags());
                process = ChildServer.start(placed.prefix(), e, dir, KEY, args.toArray(String[]::new));
            }
            String url;
            try {
                url = ChildServer.baseUrl(process);
            } catch (Exception e) {
                process.destroyForcibly();
                throw new AssertionError("node " + name + " did not start", e);
            }
            var m = new Member(name, dir, process, url);
            members.put(name, m);
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Member member(String name) {
        return members.get(name);
    }

    /** SIGKILL: the node stops at once, saying nothing to anyone; its computers' processes go on. */
    void kill(String name) throws InterruptedException {
        var m = members.get(name);
        m.process().destroyForcibly();
        m.process().waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, and the exit code once it has stopped (it ends its computers first). */
    int stop(String name, Duration within) throws InterruptedException {
        var m = members.get(name);
        m.process().destroy();
        if (!m.process().waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
            m.process().destroyForcibly();
            m.process().waitFor(30, TimeUnit.SECONDS);
            throw new AssertionError("node " + name + " did not stop within " + within);
        }
        return m.process().exitValue();
    }

    /** A request through {@code via}, with the key. */
    TestServer.Response call(String via, String method, String path, String body) {
        return request(via, method, path, body, Map.of("Authorization", "Bearer " + KEY));
    }

    TestServer.Response request(String via, String method, String path, String body, Map<String, String> headers) {
        var b = HttpRequest.newBuilder(URI.create(members.get(via).url() + path)).timeout(Duration.ofSeconds(90));
        headers.forEach(b::header);
        if (body != null) b.header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            var res = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            var text = new String(res.body(), java.nio.charset.StandardCharsets.UTF_8);
            JsonNode json = null;
            if (res.headers().firstValue("Content-Type").orElse("").startsWith("application/json") && !text.isEmpty()) {
                json = TestServer.JSON.readTree(text);
            }
            return new TestServer.Response(res.statusCode(), json, text, res);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The node that answered (the owner, for a forwarded request). */
    static String servedBy(TestServer.Response r) {
        return r.header("Porthole-Node");
    }

    @Override
    public synchronized void close() {
        for (var m : members.values()) {
            if (m.process().isAlive()) m.process().destroy();
        }
        for (var m : members.values()) {
            try {
                if (!m.process().waitFor(60, TimeUnit.SECONDS)) {
                    m.process().destroyForcibly();
                    m.process().waitFor(30, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (ownDatabase != null) ownDatabase.close();
        io.porthole.core.internal.Files2.deleteTree(root);
    }
}
