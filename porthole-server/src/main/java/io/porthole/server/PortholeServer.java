package io.porthole.server;

import io.helidon.http.HttpException;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.porthole.api.ErrorCode;
import io.porthole.blob.s3.S3BlobStore;
import io.porthole.core.ActionDispatcher;
import io.porthole.core.ApiKeys;
import io.porthole.core.Computers;
import io.porthole.core.Exec;
import io.porthole.core.PortholeException;
import io.porthole.core.blob.BlobStore;
import io.porthole.core.blob.ExpiringBlobs;
import io.porthole.core.internal.Threads;
import io.porthole.desktop.FfmpegEncoder;
import io.porthole.desktop.XvfbDesktopEngine;
import io.porthole.runtime.local.EgressPolicy;
import io.porthole.runtime.local.LocalSandboxRuntime;
import io.porthole.runtime.local.UnisolatedRuntime;
import io.porthole.core.sandbox.SandboxRuntime;
import io.porthole.engine.cdp.ChromiumEngine;
import io.porthole.store.jdbc.JdbcStore;
import io.porthole.store.jdbc.LocalBlobStore;
import io.porthole.store.jdbc.LocalExpiringBlobs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The composition root: reading this constructor tells what runs. Store → engine → computers → dispatcher →
 * HTTP. Start one with {@link #start(ServerConfig)}; {@link #close()} stops the listener, then ends every
 * computer, then closes the store.
 */
public final class PortholeServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PortholeServer.class.getName());

    private final ServerConfig config;
    /** The store, every call timed for the metrics. */
    private final io.porthole.core.store.Store store;
    /** This node's metrics (ADR 0033), which the core reports to. */
    private final Metrics metrics = new Metrics();
    /** The S3 connection, when the blobs are in a bucket; closed last. */
    private final Optional<S3BlobStore> s3;
    private final ApiKeys keys;
    private final Computers computers;
    private final Exec exec;
    private final HealthRoutes health;
    private final ScreenshotLinks screenshots;
    private final io.porthole.core.ViewerLinks links;
    private final io.porthole.core.Takeover takeover;
    private final ConnectionGuard connections = new ConnectionGuard();
    private final ClusterRouter router = new ClusterRouter();
    /** Every route as it was registered (the OpenAPI route check reads it). */
    private final RouteTable routeTable = new RouteTable();
    private volatile Cluster cluster;
    private final java.util.concurrent.atomic.AtomicBoolean draining = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.CompletableFuture<Void> drained = new java.util.concurrent.CompletableFuture<>();
    private volatile Runnable onDrained = () -> { };
    private final WebServer web;
    private volatile String baseUrl;

    private PortholeServer(ServerConfig config) {
        this.config = config;
        var clock = Clock.systemUTC();
        try {
            if (!Files.isDirectory(config.dataDir())) {
                // keys, hashes and every computer's profile live here: nobody else reads it
                Files.createDirectories(config.dataDir(), java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the data directory " + config.dataDir() + " cannot be created", e);
        }
        // blobs first: when the bucket cannot be used, nothing else has started
        this.s3 = config.s3Blobs().map(c -> {
            try {
                return S3BlobStore.open(c, config.dataDir().resolve("s3-spool"), S3BlobStore.DEFAULT_GRACE, clock);
            } catch (IllegalStateException e) {
                throw new IllegalStateException("PORTHOLE_BLOBS=s3: " + e.getMessage(), e);
            }
        });
        BlobStore blobs = s3.<BlobStore>map(b -> b).orElseGet(() -> new LocalBlobStore(config.dataDir().resolve("blobs")));
        ExpiringBlobs shots = s3.map(b -> b.expiring("screenshots", ".png"))
                .orElseGet(() -> new LocalExpiringBlobs(config.dataDir().resolve("screenshots"), ".png"));
        s3.ifPresent(b -> LOG.log(System.Logger.Level.INFO, "artifacts, environments and screenshots are kept in S3, "
                + b.where()));
        try {
            this.store = metrics.timed(openStore(config));
        } catch (RuntimeException e) {
            s3.ifPresent(S3BlobStore::close);
            throw e;
        }
        try {
            this.keys = new ApiKeys(store, clock);
            config.apiKey().ifPresent(k -> keys.register(k, ApiKeys.DEFAULT_TENANT, "bootstrap (PORTHOLE_API_KEY)", true));
            var listeningPort = new java.util.concurrent.atomic.AtomicInteger(config.port());
            // no computer reaches a node of the cluster, even on an address PORTHOLE_EGRESS_ALLOW opens
            var egressPolicy = new EgressPolicy(config.egressAllow(), listeningPort::get, () -> {
                var c = cluster;
                return c == null ? java.util.Set.of() : c.endpoints();
            }, metrics);
            var engines = new java.util.LinkedHashMap<String, io.porthole.core.browser.BrowserEngine>();
            engines.put("chromium", new ChromiumEngine(config.chromium()));
            try {
                engines.put("firefox", new io.porthole.engine.bidi.FirefoxEngine(config.firefox()));
            } catch (PortholeException e) {
                LOG.log(System.Logger.Level.WARNING, "Firefox sandboxes are not available: " + e.getMessage());
            }
            config.templates().forEach((name, t) -> engines.put(Computers.TEMPLATE_PREFIX + name, switch (t.browser()) {
                case "firefox" -> {
                    var prefs = new java.util.HashMap<>(config.firefox().extraPrefs());
                    prefs.putAll(t.prefs());
                    yield new io.porthole.engine.bidi.FirefoxEngine(new io.porthole.engine.bidi.FirefoxConfig(
                            t.binary().orElse(config.firefox().binary()), prefs, config.firefox().startTimeout(),
                            config.firefox().logBidi(), config.firefox().ownDisplay()));
                }
                default -> {
                    var flags = new java.util.ArrayList<>(config.chromium().extraFlags());
                    flags.addAll(t.flags());
                    yield new ChromiumEngine(new io.porthole.engine.cdp.ChromiumConfig(
                            t.binary().or(() -> config.chromium().binary()), flags,
                            config.chromium().startTimeoutSeconds(), config.chromium().logCdp(), config.chromium().gpu()));
                }
            }));
            var desktops = new XvfbDesktopEngine(new FfmpegEncoder(config.live().ffmpeg()));
            // said once the encoder has been asked what it can do (in the background: it takes a moment)
            Threads.startVirtual("porthole-screencast-check", () -> desktops.screencastProblem().ifPresent(p ->
                    LOG.log(System.Logger.Level.WARNING, "desktop screencasts are off: " + p)));
            var readOnly = new java.util.ArrayList<>(installDirs(engines.values()));
            outsideUsr(config.live().ffmpeg()).filter(d -> !readOnly.contains(d)).ifPresent(readOnly::add);
            SandboxRuntime runtime = switch (config.isolation()) {
                case NAMESPACES -> new LocalSandboxRuntime(List.of(config.dataDir()), egressPolicy, config.advancedProxy(),
                        config.limits(), List.copyOf(readOnly), config.chromium().gpu());
                case NONE -> {
                    LOG.log(System.Logger.Level.WARNING, "PORTHOLE_ISOLATION=none: COMPUTERS ARE NOT ISOLATED. Every"
                            + " computer runs as this server's user, sees the host's files and network, and can reach"
                            + " this server and every other computer. Use this only on a machine you trust, never with"
                            + " untrusted agents or pages.");
                    yield new UnisolatedRuntime(config.dataDir(), egressPolicy, config.advancedProxy(), config.limits());
                }
            };
            // on a shared database every node must read what another saved and accept the tokens another made: the
            // keys are the cluster's, kept in the store (ADR 0026); alone, they are kept in the data directory
            boolean shared = config.database().isPresent();
            var stateKey = config.stateKey().orElseGet(() -> shared ? sharedKey(store, "state-key")
                    : AccessTokens.loadOrCreate(config.dataDir().resolve("state.key")));
            var environments = new io.porthole.core.Environments(store, blobs, stateKey, clock);
            var nodeId = config.cluster().nodeId().orElseGet(() -> NodeIds.loadOrCreate(config.dataDir().resolve("node-id")));
            this.computers = new Computers(store, runtime, engines, desktops, config.computers(), clock,
                    config.dataDir(), config.schedulerTickMillis(), config.advancedProxy(), environments, nodeId);
            computers.telemetry(metrics);
            // identities take the place of an upstream proxy's exit from the operator's GeoIP database (ADR 0037)
            computers.proxyLocator(GeoIpLocator.of(config.geoIp(), proxy -> {
                // the echo goes where the computer's own traffic may go: its proxy under the egress rules, the
                // operator's advanced proxy trusted
                if (proxy.equals(config.advancedProxy().orElse(null))) return java.net.InetAddress.getByName(proxy.getHost());
                try {
                    return egressPolicy.resolve(proxy.getHost(), proxy.getPort());
                } catch (EgressPolicy.Refused e) {
                    throw new java.io.IOException("the egress rules refuse the proxy: " + e.getMessage());
                }
            }));
            metrics.observe(computers, draining::get);
            this.exec = new Exec(computers, config.maxExecOutputBytes());
            this.health = new HealthRoutes(() -> cluster, store, runtime, List.copyOf(engines.values()), clock);
            var auth = new Auth(keys);
            this.screenshots = new ScreenshotLinks(shots, config.screenshotTtlSeconds(), clock);
            var dispatcher = new ActionDispatcher(computers, screenshots, exec);
            this.links = new io.porthole.core.ViewerLinks(store, clock, ServerConfig.LiveConfig.VIEWER_LINK_MAX);
            this.takeover = new io.porthole.core.Takeover(computers, clock, config.live().controlLease());
            var tokens = shared ? new AccessTokens(sharedKey(store, "access-token")) : new AccessTokens(config.dataDir());
            var artifacts = new io.porthole.core.Artifacts(store, blobs, computers, clock, config.maxArtifactBytes());
            computers.harSink((r, har) -> artifacts.put(r.tenantId(), r.id(), "har", "application/json", "egress.har", har));
            computers.recordingSink((r, name, file) -> artifacts.put(r.tenantId(), r.id(), "video", "video/mp4", name,
                    Files.readAllBytes(file)), config.maxArtifactBytes(), config.live().ffmpeg());
            java.util.function.Supplier<String> base = () -> baseUrl;
            var protocols = new ProtocolRoutes(computers, auth, tokens, base, () -> cluster);
            var sandboxes = new SandboxRoutes(computers, dispatcher, artifacts, environments, auth, tokens,
                    config.maxBodyBytes(), base, takeover);
            this.web = WebServer.builder()
                    // stopped by close(), from porthole serve's own shutdown hook: a SIGTERM that drains keeps serving
                    .shutdownHook(false)
                    .host(config.host())
                    .port(config.port())
                    // WebSocket upgrades for the CDP and BiDi passthrough; other upgrades go on to the routes
                    .addProtocol(new io.porthole.server.ws.WsProtocolConfig(List.of(protocols)))
                    // streamed answers (NDJSON lines) go out as written, not held back by Nagle's algorithm
                    .connectionOptions(o -> o.tcpNoDelay(true))
                    // what Helidon answers itself (a malformed request line or header) is JSON too
                    .directHandlers(ProtocolErrors.handlers())
                    .routing(routeTable.recording(r -> {
                        r.addFilter(connections);
                        // the lines logged while a request about a computer is handled name it (ADR 0034)
                        r.addFilter(new LogContextFilter(computers));
                        // the first route, for any path: a request about another node's computer goes there
                        r.any(router);
                        protocols.register(r);
                        sandboxes.register(r);
                        routes(r, auth, dispatcher);
                    }))
                    .build()
                    .start();
            listeningPort.set(web.port());
            // the listener binds first, so that the default public URL can name the port it got
            this.baseUrl = config.publicUrl().orElse("http://" + displayHost(config.host()) + ":" + web.port());
            screenshots.baseUrl(baseUrl);
            var nodeUrl = config.cluster().nodeUrl().orElse("http://" + displayHost(config.host()) + ":" + web.port());
            var registry = new io.porthole.core.cluster.NodeRegistry(store, computers, nodeUrl, clock,
                    config.cluster().heartbeat(), config.cluster().downAfter());
            var secret = config.cluster().secret().orElseGet(() -> store.sharedKey("cluster-secret",
                    io.porthole.core.internal.Ids.secret(32)));
            this.cluster = new Cluster(registry, store, computers, secret.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    clock);
            router.start(cluster);
            LOG.log(System.Logger.Level.INFO, "node {0} at {1}", nodeId, nodeUrl);
            if (config.database().isPresent() && config.s3Blobs().isEmpty()) {
                LOG.log(System.Logger.Level.WARNING, "the store is shared (PORTHOLE_DATABASE_URL) but blobs are this node's"
                        + " own: artifacts, saved environments and screenshots made here cannot be read through another"
                        + " node; with more than one node, set PORTHOLE_BLOBS=s3");
            }
        } catch (RuntimeException e) {
            connections.close();
            store.close();
            s3.ifPresent(S3BlobStore::close);
            throw e;
        }
    }

    /** 32 random bytes every node of the cluster shares under {@code name}: the first node's, kept in the store. */
    private static byte[] sharedKey(io.porthole.core.store.Store store, String name) {
        var candidate = new byte[32];
        new java.security.SecureRandom().nextBytes(candidate);
        return java.util.Base64.getDecoder().decode(store.sharedKey(name,
                java.util.Base64.getEncoder().encodeToString(candidate)));
    }

    /** The store the configuration names: PostgreSQL if it names a database, else SQLite in the data directory. */
    static JdbcStore openStore(ServerConfig config) {
        return config.database().map(JdbcStore::postgres)
                .orElseGet(() -> JdbcStore.sqlite(config.dataDir().resolve("porthole.db")));
    }

    /** Where the browsers are installed, when not under /usr: a sandbox shows it read-only, and no more of the host. */
    private static List<Path> installDirs(java.util.Collection<io.porthole.core.browser.BrowserEngine> engines) {
        var dirs = new java.util.LinkedHashSet<Path>();
        for (var engine : engines) {
            // the engine says what is wrong with its binary when it launches
            engine.binary().flatMap(PortholeServer::outsideUsr).ifPresent(dirs::add);
        }
        return List.copyOf(dirs);
    }

    /** The directory of a program the sandboxes run, if it is not under /usr (which they show anyway). */
    private static Optional<Path> outsideUsr(Path binary) {
        try {
            var real = binary.toRealPath();
            return real.startsWith("/usr") ? Optional.empty() : Optional.of(real.getParent());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private void routes(HttpRouting.Builder r, Auth auth, ActionDispatcher dispatcher) {
        health.register(r);
        r.route(Http.get("/openapi/browser-sandboxes.yaml", (req, res) -> {
            try (var in = PortholeServer.class.getResourceAsStream("browser-sandboxes.openapi.yaml")) {
                res.header(io.helidon.http.HeaderNames.CONTENT_TYPE, "application/yaml");
                res.send(in.readAllBytes());
            }
        }));
        r.route(Http.get("/screenshots/{file}", screenshots::serve));
        r.route(Http.get("/openapi/computers.yaml", PortholeServer::computersOpenApi));
        new AdminRoutes(keys, auth, config.maxBodyBytes(), computers).register(r);
        new MetricsRoutes(metrics, config.metrics(), auth).register(r);
        new NodeRoutes(() -> cluster, auth, this::drain).register(r);
        var retries = new RetryJoin(Clock.systemUTC());
        var access = new Access(computers, auth, links);
        new LiveRoutes(computers, access, config.live()).register(r);
        new ControlRoutes(access, takeover, dispatcher, config.maxBodyBytes(), () -> baseUrl, config.live().viewerLinkDefault())
                .register(r);
        new ExecRoutes(exec, computers, auth, config.maxBodyBytes(), retries).register(r);
        new ComputerRoutes(computers, dispatcher, auth, config.maxBodyBytes(), retries, takeover).register(r);
        // the web console: /, /view and /console/* only
        new ConsoleRoutes().register(r);
        // the error answers to HEAD requests carry no body either
        r.any((req, res) -> Http.error(HeadResponse.of(req, res), ErrorCode.NOT_FOUND,
                "no route " + req.prologue().method().text() + " " + req.path().path()));
        r.error(PortholeException.class, (req, res, e) -> Http.error(HeadResponse.of(req, res), e.code(), e.getMessage()));
        r.error(HttpException.class, PortholeServer::helidonRefusal);
        r.error(Throwable.class, (req, res, e) -> {
            // a bug of ours: the trace is for the log; the caller learns that, not which class failed
            LOG.log(System.Logger.Level.ERROR, "unexpected failure on " + req.prologue().method().text() + " "
                    + req.path().path(), e);
            Http.error(HeadResponse.of(req, res), ErrorCode.INTERNAL, "internal error; the server log has the details");
        });
    }

    /**
     * What Helidon's handlers throw to answer with a status (the static content of the console: 304 for a file the
     * browser has, 416 for a range it does not): that status, with our JSON error body unless it is 304.
     */
    private static void helidonRefusal(ServerRequest req, ServerResponse res, HttpException e) {
        var status = e.status();
        if (status.code() == Status.NOT_MODIFIED_304.code()) {
            res.status(status).send();
            return;
        }
        if (status.code() >= 500) {
            LOG.log(System.Logger.Level.ERROR, "unexpected failure on " + req.prologue().method().text() + " "
                    + req.path().path(), e);
            Http.error(HeadResponse.of(req, res), ErrorCode.INTERNAL, "internal error; the server log has the details");
            return;
        }
        var code = status.code() == Status.NOT_FOUND_404.code() ? ErrorCode.NOT_FOUND : ErrorCode.INVALID_REQUEST;
        Http.send(HeadResponse.of(req, res), status.code(), io.porthole.api.ErrorBody.of(code,
                status.reasonPhrase().toLowerCase(java.util.Locale.ROOT)));
    }

    /** The Computers API's OpenAPI 3.1 document (ADR 0032), served as the browser-sandboxes one: no key, YAML. */
    private static void computersOpenApi(ServerRequest req, ServerResponse res) throws IOException {
        try (var in = PortholeServer.class.getResourceAsStream("computers.openapi.yaml")) {
            res.header(io.helidon.http.HeaderNames.CONTENT_TYPE, "application/yaml");
            res.send(in.readAllBytes());
        }
    }

    private static String displayHost(String host) {
        if (host.equals("0.0.0.0") || host.equals("::") || host.isEmpty()) return "127.0.0.1";
        return host.contains(":") ? "[" + host + "]" : host;
    }

    public static PortholeServer start(ServerConfig config) {
        return new PortholeServer(config);
    }

    public int port() {
        return web.port();
    }

    /** Base URL clients use (PORTHOLE_PUBLIC_URL, or http://host:port). */
    public String baseUrl() {
        return baseUrl;
    }

    /** The routes as they were registered, in order. */
    RouteTable routeTable() {
        return routeTable;
    }

    public ApiKeys keys() {
        return keys;
    }

    public ServerConfig config() {
        return config;
    }

    /** This server's node id. */
    public String nodeId() {
        return computers.nodeId();
    }

    /**
     * Starts a drain (once): the node takes no new computers, ends its warm pool, and keeps serving its live
     * computers until they end or the drain deadline passes, when it ends what is left ({@code node_drained}). Then
     * it leaves the cluster and {@link #drained()} completes (and the {@link #onDrained} action runs).
     */
    public void drain() {
        if (!draining.compareAndSet(false, true)) return;
        var c = cluster;
        if (c != null) c.registry().drain();
        else computers.drain();
        LOG.log(System.Logger.Level.INFO, "draining: {0} computers to go, for at most {1} s", computers.liveCount(),
                config.cluster().drainDeadline().toSeconds());
        Threads.startVirtual("porthole-drain", () -> {
            try {
                if (!computers.awaitNone(config.cluster().drainDeadline())) {
                    LOG.log(System.Logger.Level.WARNING, "the drain deadline passed with {0} computers running: ending"
                            + " them", computers.liveCount());
                    computers.endAll("node_drained");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (c != null) c.registry().leave();
            LOG.log(System.Logger.Level.INFO, "drained: no computer runs here");
            drained.complete(null);
            onDrained.run();
        });
    }

    /** Completes when a drain is over. */
    public java.util.concurrent.CompletableFuture<Void> drained() {
        return drained;
    }

    /** What to do once a drain is over ({@code porthole serve} exits 0). */
    public void onDrained(Runnable action) {
        this.onDrained = action;
    }

    @Override
    public void close() {
        var c = cluster;
        if (c != null) {
            c.registry().close();
            c.close();
        }
        try {
            web.stop();
        } finally {
            try {
                // by default computers go on running, for the next start to take over
                if (config.stopComputersOnShutdown()) computers.close();
                else computers.detach();
            } finally {
                takeover.close();
                connections.close();
                screenshots.close();
                store.close();
                s3.ifPresent(S3BlobStore::close);
            }
        }
    }
}
