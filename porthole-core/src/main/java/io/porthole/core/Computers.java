package io.porthole.core;

import io.porthole.api.ErrorCode;
import io.porthole.core.browser.BrowserEngine;
import io.porthole.core.browser.Identity;
import io.porthole.core.browser.LaunchSpec;
import io.porthole.core.desktop.DesktopEngine;
import io.porthole.core.sandbox.SandboxRuntime;
import io.porthole.core.sandbox.SandboxSpec;
import io.porthole.core.internal.Files2;
import io.porthole.core.internal.Ids;
import io.porthole.core.internal.Steps;
import io.porthole.core.internal.Threads;
import io.porthole.core.store.EnvironmentRecord;
import io.porthole.core.store.ReplayEvent;
import io.porthole.core.store.Store;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The lifecycle of computers: create, look up, keep alive, end (by delete, expiry, crash or shutdown), and
 * recovery after a restart. The one expiry scheduler lives here. Thread-safe.
 *
 * <p>A computer's files live in {@code <dataDir>/computers/<id>} and are removed when it ends.
 */
public final class Computers implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Computers.class.getName());
    private static final EnumSet<ComputerStatus> LIVE = EnumSet.of(ComputerStatus.STARTING, ComputerStatus.RUNNING,
            ComputerStatus.PAUSED);

    private final Store store;
    private final SandboxRuntime runtime;
    /** Launch templates are engines too, under this prefix and their name. */
    public static final String TEMPLATE_PREFIX = "template:";
    /** The browser engines by name; the first is the default. */
    private final Map<String, BrowserEngine> engines;
    private final DesktopEngine desktops;
    private final Optional<java.net.URI> advancedProxy;
    private final Environments environments;
    private final ComputersConfig config;
    private final Clock clock;
    private final Path computersDir;
    private final ConcurrentHashMap<String, Computer> live = new ConcurrentHashMap<>();
    /** How many computers may run at once: a create reserves its place before anything starts. */
    private final Capacity capacity;
    private final ScheduledExecutorService scheduler;
    private final Standby standby;
    private final Pool pool;
    private final Provisioner provisioner;
    /** The node these computers run on (their records name it). */
    private final String nodeId;
    /** Set when the node drains: it takes no new computers. */
    private volatile boolean draining;
    /** The node of a server that was given none (tests, tools). */
    public static final String LOCAL_NODE = "local";

    /**
     * @param engines the browser engines by name (e.g. {@code chromium}, {@code firefox}); a desktop's own
     *     browser is {@code chromium}
     */
    public Computers(Store store, SandboxRuntime runtime, Map<String, BrowserEngine> engines, DesktopEngine desktops,
                     ComputersConfig config, Clock clock, Path dataDir, long tickMillis,
                     Optional<java.net.URI> advancedProxy, Environments environments) {
        this(store, runtime, engines, desktops, config, clock, dataDir, tickMillis, advancedProxy, environments,
                LOCAL_NODE);
    }

    /**
     * @param nodeId the node this is: its computers' records name it, and at start it takes over (or ends) the live
     *     computers of that node only
     */
    public Computers(Store store, SandboxRuntime runtime, Map<String, BrowserEngine> engines, DesktopEngine desktops,
                     ComputersConfig config, Clock clock, Path dataDir, long tickMillis,
                     Optional<java.net.URI> advancedProxy, Environments environments, String nodeId) {
        this.nodeId = java.util.Objects.requireNonNull(nodeId, "nodeId");
        this.environments = environments;
        this.advancedProxy = advancedProxy;
        this.store = store;
        this.runtime = runtime;
        this.engines = Map.copyOf(engines);
        this.desktops = desktops;
        this.config = config;
        this.clock = clock;
        this.computersDir = dataDir.resolve("computers");
        this.capacity = new Capacity(config.maxLiveComputers());
        this.provisioner = new Provisioner(runtime, this.engines, desktops, computersDir);
        this.standby = new Standby(this, config.standbyAfterSeconds(), clock);
        try {
            Files.createDirectories(computersDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        recover();
        this.scheduler = Threads.scheduler("porthole-expiry");
        scheduler.scheduleWithFixedDelay(this::tick, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
        // after the sweep of what an earlier run left, which would take the pool's computers for leftovers
        this.pool = new Pool(config.pool(), new PoolLifecycle(),
                java.time.Duration.ofSeconds(config.standbyAfterSeconds()));
    }

    public ComputersConfig config() {
        return config;
    }

    /** Where what happens is reported (the server's metrics); nothing by default. */
    private volatile Telemetry telemetry = Telemetry.NONE;
    /** How many hold a computer awake now ({@link #hold}), by what for: read by {@link #census}. */
    private final ConcurrentHashMap<String, java.util.concurrent.atomic.AtomicInteger> holds = new ConcurrentHashMap<>();

    /** Reports creates, actions, commands to {@code t} from now on (the composition root sets it once, at start). */
    public void telemetry(Telemetry t) {
        this.telemetry = java.util.Objects.requireNonNull(t, "telemetry");
    }

    /** Where what happens is reported; {@link Telemetry#NONE} unless the server set one. */
    public Telemetry telemetry() {
        return telemetry;
    }

    /** This node's live computers, counted (no ids, no tenants): for the metrics. */
    public Census census() {
        var h = new java.util.HashMap<String, Integer>();
        holds.forEach((reason, n) -> h.put(reason, n.get()));
        return Census.of(live.values(), h);
    }

    /** Starts a computer and returns once it answers (its browser, or its desktop's screen). */
    public ComputerRecord create(String tenantId, ComputerSpec requested) {
        long start = System.nanoTime();
        var pooled = new AtomicBoolean();
        var kind = requested.kind().equals("desktop") ? "desktop" : requested.kind().equals("browser") ? "browser" : "other";
        var engine = requested.templateId().map(t -> engines.get(TEMPLATE_PREFIX + t)).map(BrowserEngine::name)
                .orElse(engines.containsKey(requested.engine()) ? requested.engine() : "other");
        try {
            var created = create(tenantId, requested, pooled);
            telemetry.created(kind, engine, Telemetry.OK, pooled.get(), System.nanoTime() - start);
            return created;
        } catch (PortholeException e) {
            telemetry.created(kind, engine, e.code().wireName(), pooled.get(), System.nanoTime() - start);
            throw e;
        } catch (RuntimeException e) {
            telemetry.created(kind, engine, ErrorCode.INTERNAL.wireName(), pooled.get(), System.nanoTime() - start);
            throw e;
        }
    }

    private ComputerRecord create(String tenantId, ComputerSpec requested, AtomicBoolean pooled) {
        if (draining) {
            throw new PortholeException(ErrorCode.LIMIT_EXCEEDED, "this node is draining and takes no new computers;"
                    + " create through another node");
        }
        var steps = new Steps();
        if (requested.useAdvancedProxy() && advancedProxy.isEmpty()) {
            throw new PortholeException(ErrorCode.NOT_SUPPORTED, "use_advanced_proxy needs an upstream proxy, and this"
                    + " server has none (PORTHOLE_ADVANCED_PROXY_URL is not set)");
        }
        if (requested.templateId().isPresent() && !engines.containsKey(TEMPLATE_PREFIX + requested.templateId().get())) {
            throw new PortholeException.InvalidRequest("no launch template '" + requested.templateId().get() + "' on this"
                    + " server (PORTHOLE_TEMPLATES)");
        }
        var engine = requested.templateId().map(t -> engines.get(TEMPLATE_PREFIX + t)).orElse(engines.get(requested.engine()));
        var spec = engine != null && !engine.name().equals(requested.engine()) ? requested.withEngine(engine.name()) : requested;
        if (engine == null || (spec.kind().equals("desktop") && !spec.engine().equals("chromium"))) {
            throw new PortholeException(ErrorCode.INVALID_ARGUMENT, "engine '" + spec.engine() + "' is not available"
                    + (spec.kind().equals("desktop") ? " on a desktop" : "") + "; this server has "
                    + String.join(", ", engines.keySet().stream().filter(k -> !k.startsWith(TEMPLATE_PREFIX)).sorted().toList()));
        }
        if (requested.recordVideo() && !Recorder.available(recordingFfmpeg)) {
            throw new PortholeException(ErrorCode.NOT_SUPPORTED, "recordVideo needs ffmpeg, which this server does not"
                    + " have at " + recordingFfmpeg + " (install Debian's ffmpeg package, or set PORTHOLE_FFMPEG_PATH)");
        }
        // the saved state is looked up before anything starts, so a wrong id costs nothing
        var environment = spec.environmentId().map(e -> environments.find(tenantId, e));
        // context_id: the cookies a saved environment holds, loaded into the browser (not its whole profile)
        var savedContext = spec.contextId().filter(x -> spec.kind().equals("browser")).map(e -> environments.find(tenantId, e));
        // who its browser appears to be: fixed at launch, so known before a pooled computer may be taken
        var identity = spec.kind().equals("browser") ? identity(spec) : null;
        // the lines logged from here on name the computer once it has an id
        try (var creating = pool.creating(); var about = LogContext.scope()) {
            // a saved profile goes into the browser's files before it starts: only a cold start can restore one
            if (spec.environmentId().isEmpty()) {
                pooled.set(true);
                var claimed = claimFromPool(tenantId, spec, identity, savedContext, steps);
                if (claimed.isPresent()) return claimed.get();
                pooled.set(false);
            }
            return createCold(tenantId, spec, identity, environment, savedContext, steps);
        }
    }

    /**
     * The identity a browser computer gets (ADR 0037): what its request gives, then (with a GeoIP database, an upstream
     * proxy and {@code from_proxy} not false) what the proxy's exit address says, then the server's defaults.
     */
    private Identity identity(ComputerSpec spec) {
        var requested = spec.identity();
        if (requested.fromProxy().orElse(false) && !locator.enabled()) {
            throw new PortholeException(ErrorCode.NOT_SUPPORTED, "'identity.from_proxy' needs a GeoIP database, and this"
                    + " server has none (PORTHOLE_GEOIP_DATABASE is not set)");
        }
        var upstream = spec.proxy().or(() -> spec.useAdvancedProxy() ? advancedProxy : Optional.empty());
        return requested.resolve(config.identity().forViewport(spec.width(), spec.height()),
                placeOf(requested, upstream));
    }

    /** Where the upstream's exit is, if GeoIP is on and the request lets it decide. */
    private Optional<ProxyPlace> placeOf(IdentityRequest requested, Optional<java.net.URI> upstream) {
        if (!locator.enabled() || upstream.isEmpty() || !requested.fromProxy().orElse(true)) return Optional.empty();
        return locator.locate(upstream.get());
    }

    /**
     * What contexts a browser computer opens from now on are to get after its upstream changed to {@code upstream}: the
     * identity its request resolves to with the new exit's place (its explicit parts stay; going direct, or to an exit
     * the database does not know, gives the defaults). Given to its browser; empty when GeoIP does not decide (no
     * database, {@code from_proxy} false, a desktop).
     */
    public Optional<Identity> identityForUpstream(Computer c, Optional<java.net.URI> upstream) {
        var r = c.record();
        var launched = r.identity();
        var requested = r.identityRequested();
        if (launched.isEmpty() || c.isDesktop() || !locator.enabled() || !requested.fromProxy().orElse(true)) {
            return Optional.empty();
        }
        var next = requested.resolve(config.identity().forViewport(r.width(), r.height()), placeOf(requested, upstream))
                .withScreen(launched.get().screenWidth(), launched.get().screenHeight());
        boolean applied;
        try {
            applied = c.browser().identityForNewContexts(next);
        } catch (RuntimeException e) {
            // the proxy has changed already; contexts opened from now on keep what they had
            LOG.log(System.Logger.Level.WARNING, "computer {0}: its browser did not take the identity for new contexts: {1}",
                    c.id(), e.getMessage());
            applied = false;
        }
        event(c.id(), ReplayEvent.LIFECYCLE, "identity_for_new_contexts", Map.of("timezone", next.timezone(),
                "locale", next.locale(), "applied", applied));
        return Optional.of(next);
    }

    private volatile ProxyLocator locator = ProxyLocator.NONE;

    /** Where identities find an upstream proxy's place (the server's GeoIP database); none by default. */
    public void proxyLocator(ProxyLocator l) {
        this.locator = java.util.Objects.requireNonNull(l, "locator");
    }

    private ComputerRecord createCold(String tenantId, ComputerSpec spec, Identity identity,
                                      Optional<EnvironmentRecord> environment,
                                      Optional<EnvironmentRecord> savedContext, Steps steps) {
        admitByMemory();
        // the check and the count are one step: concurrent creates cannot all pass the check and then start; a
        // place a pooled computer holds is given up for a create the pool cannot serve
        var place = capacity.tryReserve().or(() -> pool.evictOne() ? capacity.tryReserve() : Optional.empty())
                .orElseThrow(() -> new PortholeException(ErrorCode.LIMIT_EXCEEDED, "this server runs at most "
                        + capacity.max() + " computers at once; delete one or try again later"));
        steps.lap("admitted");
        var now = clock.instant();
        var record = new ComputerRecord(Ids.id("comp"), tenantId, spec.kind(), spec.engine(), ComputerStatus.STARTING,
                now, now, spec.maxLifetimeSeconds(), spec.inactivityTimeoutSeconds(), spec.idleTimeoutEnabled(),
                spec.persistent(), spec.width(), spec.height(), spec.scale(), spec.environmentId().orElse(null),
                null, null, spec.templateId().orElse(null), spec.metadataJson()).onNode(nodeId)
                .withIdentity(identity, spec.identity());
        LogContext.set(record.id(), tenantId);
        var computer = new Computer(record, clock);
        computer.holdPlace(place);
        try {
            store.insertComputer(record);
        } catch (RuntimeException e) {
            place.close();
            throw e;
        }
        live.put(record.id(), computer);
        steps.lap("record inserted");
        try {
            var sessionCookies = new java.util.concurrent.atomic.AtomicReference<Optional<String>>(Optional.empty());
            var started = provisioner.start(record.id(), PoolShape.of(spec, identity), sandbox -> {
                // the computer's from now on: a delete while it starts ends it
                computer.attachSandbox(sandbox);
                steps.lap("sandbox");
                // nothing the browser fetches may go out another way than the one asked for
                applyWayOut(computer, spec);
                // the saved profile before the browser reads it
                sessionCookies.set(environment.flatMap(e -> environments.restore(e, sandbox)));
            }, reason -> end(computer, ComputerStatus.FAILED, reason));
            steps.lap(computer.isDesktop() ? "desktop" : "browser");
            attach(computer, started);
            // cookies come back into either engine (the profile files only into the one that wrote them)
            if (started.browser() != null) {
                environment.ifPresent(e -> sessionCookies.get().flatMap(json -> Cookies.convert(json, e.engine(),
                        spec.engine())).ifPresent(started.browser()::importCookies));
            }
            applyRequest(computer, spec, savedContext);
            steps.lap("applied");
        } catch (RuntimeException | IOException e) {
            throw startFailed(computer, e);
        }
        computer.update(r -> r.withStatus(ComputerStatus.RUNNING).withActivity(clock.instant()));
        if (computer.isEnding()) {
            throw new PortholeException.NotFound(ErrorCode.COMPUTER_NOT_RUNNING,
                    "computer " + record.id() + " was ended while it started");
        }
        steps.lap("attached");
        // the running record and its replay event in one commit, before the answer
        store.updateComputerWithEvent(computer.record(), ReplayEvent.LIFECYCLE, "created",
                json(Map.of("kind", spec.kind(), "browser", spec.engine())), clock.instant());
        steps.lap("stored");
        LOG.log(System.Logger.Level.INFO, "computer {0} running ({1}x{2})", record.id(), spec.width(), spec.height());
        LOG.log(System.Logger.Level.DEBUG, "computer {0} created: {1}", record.id(), steps);
        return computer.record();
    }

    /** What a computer that is starting is counted at, as its browser has not taken its memory yet. */
    static final long STARTING_COMPUTER_BYTES = 256L << 20;

    /**
     * Refuses a create, with a 429 the client may retry, while the host has less memory available than the
     * configured minimum, counting the computers still starting at {@link #STARTING_COMPUTER_BYTES} each: a computer
     * started without room would have the kernel kill processes of computers that are working.
     */
    private void admitByMemory() {
        memoryShortage().ifPresent(why -> {
            throw new PortholeException(ErrorCode.LIMIT_EXCEEDED, why + "; delete a computer or try again later");
        });
    }

    /** Why the host has too little memory to start one more computer safely; empty if it has enough. */
    private Optional<String> memoryShortage() {
        long min = config.minAvailableMemoryBytes();
        if (min <= 0) return Optional.empty();
        var available = runtime.availableMemory();
        if (available.isEmpty()) return Optional.empty();
        long starting = live.values().stream().filter(c -> c.record().status() == ComputerStatus.STARTING).count()
                + (pool == null ? 0 : pool.starting());
        long left = available.getAsLong() - starting * STARTING_COMPUTER_BYTES;
        if (left >= min) return Optional.empty();
        return Optional.of("this server's host has " + (Math.max(0, left) >> 20) + " MiB of memory available"
                + (starting > 0 ? " (counting " + starting + " computers still starting)" : "") + ", less than the "
                + (min >> 20) + " MiB a new computer needs to start safely (PORTHOLE_MIN_AVAILABLE_MEMORY_MB)");
    }

    /**
     * Serves a create from the warm pool if it has a computer of the request's shape ready: the computer becomes the
     * tenant's, under its lifetimes, and what the request asks beyond the shape is applied to it running (proxy, HAR,
     * a context's cookies, recording, metadata). Empty when the pool has none (the create starts one cold).
     */
    private Optional<ComputerRecord> claimFromPool(String tenantId, ComputerSpec spec, Identity identity,
                                                   Optional<EnvironmentRecord> savedContext,
                                                   Steps steps) {
        // a pooled browser was launched with the default identity: a create that asks for another starts cold
        var shape = PoolShape.of(spec, identity);
        while (true) {
            var taken = pool.take(shape);
            if (taken.isEmpty()) return Optional.empty();
            var warm = taken.get();
            var now = clock.instant();
            var record = new ComputerRecord(warm.id, tenantId, spec.kind(), spec.engine(), ComputerStatus.RUNNING,
                    now, now, spec.maxLifetimeSeconds(), spec.inactivityTimeoutSeconds(), spec.idleTimeoutEnabled(),
                    spec.persistent(), spec.width(), spec.height(), spec.scale(), null, null, null,
                    spec.templateId().orElse(null), spec.metadataJson()).onNode(nodeId)
                    .withIdentity(identity, spec.identity());
            var subject = warm.subject != null ? warm.subject : LogContext.subject(record.id(), tenantId);
            LogContext.set(subject);
            var computer = new Computer(record, clock);
            // from here its processes' ends are this computer's; if one ended while it waited, it is not used
            if (!warm.claimFor(computer)) {
                pool.giveUp(warm);
                LogContext.clear();
                continue;
            }
            steps.lap("claimed");
            subject.tenant(tenantId);
            computer.holdPlace(warm.place);
            attach(computer, new Provisioner.Started(warm.sandbox, warm.browser, warm.desktop));
            live.put(record.id(), computer);
            try {
                // the record and its first event before anything keyed by its id (its upstream) is stored
                store.insertComputerWithEvent(record, ReplayEvent.LIFECYCLE, "created",
                        json(Map.of("kind", spec.kind(), "browser", spec.engine(), "pooled", true)), now);
                steps.lap("stored");
                applyWayOut(computer, spec);
                applyRequest(computer, spec, savedContext);
            } catch (RuntimeException e) {
                throw startFailed(computer, e);
            }
            pool.claimed(warm);
            if (computer.isEnding()) {
                throw new PortholeException.NotFound(ErrorCode.COMPUTER_NOT_RUNNING,
                        "computer " + record.id() + " was ended while it started");
            }
            steps.lap("applied");
            LOG.log(System.Logger.Level.INFO, "computer {0} running ({1}x{2}), from the warm pool", record.id(),
                    spec.width(), spec.height());
            LOG.log(System.Logger.Level.DEBUG, "computer {0} created: {1}", record.id(), steps);
            return Optional.of(computer.record());
        }
    }

    /** Gives a started computer its sandbox and browser or desktop. */
    private void attach(Computer computer, Provisioner.Started started) {
        var id = computer.id();
        computer.attachSandbox(started.sandbox());
        if (started.desktop() != null) {
            computer.attachDesktop(started.desktop());
            // the desktop's browser starts when an action first needs it; if it dies, the next one restarts it
            computer.browserFactory(provisioner.desktopBrowser(id, started.sandbox(), computer.record().width(),
                    computer.record().height()));
        } else {
            started.browser().onNavigation((tab, url) -> event(id, ReplayEvent.NAVIGATION, "navigated",
                    Map.of("tabId", tab, "url", url)));
            computer.attachBrowser(started.browser());
        }
    }

    /**
     * The way out a request asks for: the advanced proxy or its own as the egress proxy's upstream (it switches at run
     * time), and a HAR of what goes through. A cold computer gets it before its browser starts, a pooled one when it
     * is claimed (its browser has loaded nothing but about:blank and runs without background networking).
     */
    private void applyWayOut(Computer computer, ComputerSpec spec) {
        if (spec.useAdvancedProxy()) useUpstream(computer, advancedProxy);
        spec.proxy().ifPresent(p -> useUpstream(computer, Optional.of(p)));
        if (spec.recordHar()) {
            computer.sandbox().egress().recordHar();
            computer.recordHar(true);
        }
    }

    /**
     * What else a request asks of a computer beyond its shape, applied to it running (a cold one or one from the
     * pool): a saved context's cookies, its screencast and a recording of it.
     */
    private void applyRequest(Computer computer, ComputerSpec spec, Optional<EnvironmentRecord> savedContext) {
        savedContext.ifPresent(e -> environments.cookies(e).flatMap(json -> Cookies.convert(json, e.engine(),
                spec.engine())).ifPresent(computer.browser()::importCookies));
        attachScreencast(computer);
        if (spec.recordVideo()) {
            computer.recorder(Recorder.start(computer, recordingFfmpeg, computersDir.resolve(computer.id()), maxRecordingBytes));
        }
    }

    /** Ends a computer whose start failed; what to throw for it (a client's error as it is, else a 503). */
    private PortholeException startFailed(Computer computer, Exception e) {
        end(computer, ComputerStatus.FAILED, "start_failed: " + e.getMessage());
        if (e instanceof PortholeException pe) return pe;
        return new PortholeException.Unavailable(ErrorCode.UNAVAILABLE,
                "the computer could not be started: " + e.getMessage(), e);
    }

    /** What the warm pool starts and ends its computers with. */
    private final class PoolLifecycle implements Pool.Lifecycle {
        @Override
        public Pool.Warm start(PoolShape shape, Capacity.Reservation place) throws Exception {
            var id = Ids.id("comp");
            // its lines name it from the start, and its tenant once a create claims it (the threads started for it
            // hold this subject)
            var subject = LogContext.subject(id, null);
            try (var about = LogContext.about(subject)) {
                var warm = new java.util.concurrent.atomic.AtomicReference<Pool.Warm>();
                var started = provisioner.start(id, shape, sandbox -> warm.set(new Pool.Warm(id, shape, sandbox, place)),
                        reason -> exited(warm.get(), reason));
                var w = warm.get();
                w.browser = started.browser();
                w.desktop = started.desktop();
                w.subject = subject;
                return w;
            }
        }

        /** A process of a pooled computer ended: its computer's end if it was claimed, else out of the pool. */
        private void exited(Pool.Warm w, String reason) {
            w.exited().ifPresentOrElse(c -> end(c, ComputerStatus.FAILED, reason), () -> pool.lost(w));
        }

        @Override
        public void discard(Pool.Warm w) {
            var b = w.browser;
            if (b != null) quietly("closing the browser of pooled " + w.id, b::close);
            var d = w.desktop;
            if (d != null) quietly("closing the desktop of pooled " + w.id, d::close);
            quietly("ending the sandbox of pooled " + w.id, w.sandbox::close);
            try {
                Files2.deleteTree(computersDir.resolve(w.id));
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "removing the files of pooled " + w.id + " failed", e);
            }
            w.place.close();
        }

        @Override
        public Optional<Capacity.Reservation> reserve() {
            return capacity.tryReserve();
        }

        @Override
        public boolean memoryAllows() {
            return memoryShortage().isEmpty();
        }
    }

    /** The warm pool's shapes and counts (the admin route's). */
    public List<PoolStats> poolStats() {
        return pool.stats();
    }

    /** The tenant's computer, live or ended. */
    public ComputerRecord get(String tenantId, String id) {
        var c = live.get(id);
        if (c != null && c.record().tenantId().equals(tenantId)) return c.record();
        return store.findComputer(id).filter(r -> r.tenantId().equals(tenantId))
                .orElseThrow(() -> notFound(id));
    }

    /**
     * The tenant's running computer, or a clear 404 saying it does not exist or has ended (a 422
     * {@code computer_paused} if it is suspended). It may be in standby: to reach into it, use {@link #use}.
     */
    public Computer requireRunning(String tenantId, String id) {
        var c = live.get(id);
        if (c != null && c.record().tenantId().equals(tenantId) && !c.isEnding()
                && c.record().status() == ComputerStatus.RUNNING) {
            return c;
        }
        var r = get(tenantId, id);
        if (r.status() == ComputerStatus.PAUSED) {
            throw new PortholeException(ErrorCode.COMPUTER_PAUSED, "computer " + id + " is suspended; resume it"
                    + " (POST /browser-sandboxes/" + id + "/resume) before sending actions");
        }
        throw notRunning(r);
    }

    /**
     * The tenant's running computer, awake: woken from standby if it was in it, and kept from going into standby
     * until the returned use is closed. Counts as activity, at the start and at the end. This (or {@link #hold}, for
     * a computer already looked up) is how everything that reaches into a computer gets it.
     *
     * @param reason what the use is for, named in the replay event if it wakes the computer ({@code action},
     *     {@code command}, {@code keepalive}, …)
     * @throws PortholeException as {@link #requireRunning} does
     */
    public Use use(String tenantId, String id, String reason) {
        return hold(requireRunning(tenantId, id), reason);
    }

    /**
     * Keeps {@code c} (running or paused) from going into standby until the returned use is closed, and wakes it if it
     * is in standby now; a paused computer stays paused. Counts as activity, at the start and at the end.
     *
     * @throws PortholeException.Unavailable if its processes cannot be thawed
     */
    public Use hold(Computer c, String reason) {
        // counted first, then woken under its sleep lock: a freeze either happened before (and is undone here) or
        // sees the count and does not happen
        c.addUser();
        try {
            standby.wake(c, reason);
        } catch (RuntimeException e) {
            c.removeUser();
            throw e;
        }
        touch(c);
        var count = holds.computeIfAbsent(reason, r -> new java.util.concurrent.atomic.AtomicInteger());
        count.incrementAndGet();
        return new Use(c, count);
    }

    /** A computer held awake ({@link #use}, {@link #hold}) until {@link #close}; closing again does nothing. */
    public final class Use implements AutoCloseable {
        private final Computer computer;
        private final java.util.concurrent.atomic.AtomicInteger count;
        private final AtomicBoolean closed = new AtomicBoolean();

        private Use(Computer computer, java.util.concurrent.atomic.AtomicInteger count) {
            this.computer = computer;
            this.count = count;
        }

        public Computer computer() {
            return computer;
        }

        @Override
        public void close() {
            if (!closed.compareAndSet(false, true)) return;
            count.decrementAndGet();
            computer.removeUser();
            touch(computer);
        }
    }

    /** The running or paused computer with this id, whoever owns it (for access-token checks). */
    public Optional<Computer> findLive(String id) {
        var c = live.get(id);
        return c == null || c.isEnding() ? Optional.empty() : Optional.of(c);
    }

    /**
     * Suspends the tenant's running computer: every process stops where it is (in RAM, not durable). Its max
     * lifetime keeps counting; its idle timer does not. Idempotent on a paused computer.
     */
    public ComputerRecord suspend(String tenantId, String id) {
        var c = liveOf(tenantId, id);
        var lock = c.sleepLock();
        lock.lock();
        try {
            if (c.record().status() == ComputerStatus.PAUSED) return c.record();
            if (c.record().status() != ComputerStatus.RUNNING || c.isEnding()) throw notRunning(c.record());
            // a computer in standby is frozen already: it stays so, now suspended
            if (!standby.intoSuspend(c)) c.sandbox().freeze();
            c.update(r -> r.withStatus(ComputerStatus.PAUSED));
            store.updateComputer(c.record());
        } finally {
            lock.unlock();
        }
        event(id, ReplayEvent.LIFECYCLE, "suspended", Map.of());
        return c.record();
    }

    /** Resumes a suspended computer; its idle timer starts again from now. Idempotent on a running one. */
    public ComputerRecord resume(String tenantId, String id) {
        var c = liveOf(tenantId, id);
        var lock = c.sleepLock();
        lock.lock();
        try {
            if (c.record().status() == ComputerStatus.RUNNING) return c.record();
            if (c.record().status() != ComputerStatus.PAUSED || c.isEnding()) throw notRunning(c.record());
            c.sandbox().thaw();
            c.update(r -> r.withStatus(ComputerStatus.RUNNING).withActivity(clock.instant()));
            store.updateComputer(c.record());
        } finally {
            lock.unlock();
        }
        event(id, ReplayEvent.LIFECYCLE, "resumed", Map.of());
        return c.record();
    }

    /** The tenant's live (running or paused) computer, or the not-running error. */
    Computer liveComputer(String tenantId, String id) {
        return liveOf(tenantId, id);
    }

    /** Runs {@code action} on every live computer that is not ending. */
    void forEachLive(java.util.function.Consumer<Computer> action) {
        for (var c : live.values()) if (!c.isEnding()) action.accept(c);
    }

    private Computer liveOf(String tenantId, String id) {
        var c = live.get(id);
        if (c != null && c.record().tenantId().equals(tenantId) && !c.isEnding()) return c;
        throw notRunning(get(tenantId, id));
    }

    /**
     * Appends a replay event, committed before this returns (so before the request that caused it is
     * answered).
     */
    public void event(String computerId, String category, String type, Map<String, ?> data) {
        store.appendEvent(computerId, category, type, json(data), clock.instant());
    }

    private static String json(Map<String, ?> data) {
        try {
            return JSON.writeValueAsString(data);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return "{}";
        }
    }

    private static final String UPSTREAM = "upstream";

    /**
     * Chains the computer's new connections through {@code upstream} (or direct), and keeps it, encrypted, so
     * that a restart that takes the computer over chains it the same way.
     */
    public void useUpstream(Computer c, Optional<java.net.URI> upstream) {
        c.sandbox().egress().useUpstream(upstream);
        store.putSecret(c.id(), UPSTREAM, upstream.map(u -> environments.seal(
                u.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8), c.id() + "/" + UPSTREAM)));
    }

    /** The upstream a computer used before a restart, if it had one. */
    private Optional<java.net.URI> storedUpstream(String id) {
        try {
            return store.getSecret(id, UPSTREAM).map(sealed -> java.net.URI.create(new String(
                    environments.open(sealed, id + "/" + UPSTREAM), java.nio.charset.StandardCharsets.UTF_8)));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "the upstream proxy of {0} could not be read back: {1}", id, e.getMessage());
            return Optional.empty();
        }
    }

    /** The computer's replay events, newest first, before the cursor {@code beforeSeq} if given. */
    public List<ReplayEvent> events(String tenantId, String id, Optional<Long> beforeSeq, int limit) {
        get(tenantId, id);
        return store.listEvents(id, beforeSeq, limit);
    }

    static PortholeException notRunning(ComputerRecord r) {
        var why = r.terminationReason() == null ? "" : " (" + r.terminationReason() + ")";
        return new PortholeException.NotFound(ErrorCode.COMPUTER_NOT_RUNNING, "computer " + r.id() + " is "
                + r.status().wireName() + why + " and takes no more actions; create a new computer");
    }

    private static PortholeException notFound(String id) {
        return new PortholeException.NotFound(ErrorCode.NOT_FOUND, "no computer with id '" + id + "'");
    }

    /** Live computers ({@code type=live}) or persistent ones ({@code type=persistent}) of the tenant. */
    public List<ComputerRecord> list(String tenantId, boolean persistent) {
        if (persistent) return store.listPersistentComputers(tenantId);
        // every node's (the store has them all), this node's as they are now
        var out = new ArrayList<ComputerRecord>();
        for (var r : store.listComputers(tenantId, LIVE)) {
            var c = live.get(r.id());
            if (c == null) {
                out.add(r);
            } else if (!c.isEnding() && c.record().status().isLive()) {
                out.add(c.record());
            }
        }
        out.sort((a, b) -> b.createdAt().compareTo(a.createdAt()));
        return out;
    }

    /** The tenant's computers in any of {@code statuses}, newest first, live ones as they are now. */
    public List<ComputerRecord> listAll(String tenantId, java.util.Set<ComputerStatus> statuses) {
        var out = new ArrayList<ComputerRecord>();
        for (var r : store.listComputers(tenantId, statuses)) {
            var c = live.get(r.id());
            var now = c == null ? r : c.record();
            if (statuses.contains(now.status())) out.add(now);
        }
        return out;
    }

    /** Ends the computer. Idempotent: deleting an ended computer of the tenant is not an error. */
    public ComputerRecord delete(String tenantId, String id) {
        var c = live.get(id);
        if (c != null && c.record().tenantId().equals(tenantId)) {
            end(c, ComputerStatus.TERMINATED, "deleted");
            return c.record();
        }
        return get(tenantId, id);
    }

    /** The egress counts of the tenant's running computer, if it runs. */
    public Optional<io.porthole.core.sandbox.Egress.Stats> egressStats(String tenantId, String id) {
        var c = live.get(id);
        if (c == null || !c.record().tenantId().equals(tenantId) || c.isEnding()) return Optional.empty();
        var s = c.sandboxOrNull();
        return s == null ? Optional.empty() : Optional.of(s.egress().stats());
    }

    /**
     * Gives the computer its screencast: the desktop's screen for a desktop, else the browser's main tab, captured
     * while anyone watches. Viewers joining and leaving are replay events and live events, and count as activity
     * (a computer someone watches is not idle).
     */
    private void attachScreencast(Computer c) {
        var settings = config.screencast();
        c.attachScreencast(new io.porthole.core.live.Screencast(sink -> {
            var desktop = c.desktopOrNull();
            return desktop != null ? desktop.screencast(settings, sink) : c.browser().screencast(settings, sink);
        }, (viewers, joined, label) -> {
            touch(c);
            var type = joined ? "viewer_joined" : "viewer_left";
            var data = Map.of("viewers", viewers, "viewer", label);
            event(c.id(), ReplayEvent.PREVIEW, type, data);
            c.events().publish(io.porthole.core.live.LiveEvent.PREVIEW, Map.of("event", type, "viewers", viewers,
                    "viewer", label));
        }));
    }

    /** Counts as activity: resets the idle timer. */
    public void touch(Computer c) {
        c.touch(clock.instant());
    }

    /** Keepalive: resets the idle timer of a running computer, wakes it from standby, and returns it. */
    public ComputerRecord keepalive(String tenantId, String id) {
        try (var use = use(tenantId, id, "keepalive")) {
            return use.computer().record();
        }
    }

    void recordViewport(Computer c, int width, int height, double scale) {
        c.update(r -> r.withViewport(width, height, scale));
        store.updateComputer(c.record());
    }

    /** Ends {@code c} once: kills its browser, removes its files, stores the outcome. */
    void end(Computer c, ComputerStatus status, String reason) {
        if (c.beginEnding()) finishEnding(c, status, reason);
    }

    /** The rest of {@link #end}, for a caller that has claimed the end with {@code beginEnding}. */
    private void finishEnding(Computer c, ComputerStatus status, String reason) {
        try (var about = LogContext.about(c.id(), c.record().tenantId())) {
            finishEndingAbout(c, status, reason);
        }
    }

    private void finishEndingAbout(Computer c, ComputerStatus status, String reason) {
        // the outcome is recorded first: from now on the computer answers as ended, and a teardown that takes
        // a few seconds on a busy host does not show as a computer still running
        var steps = new Steps();
        var now = clock.instant();
        boolean wasPaused = c.record().status() == ComputerStatus.PAUSED;
        boolean save = c.record().persistent() && status == ComputerStatus.TERMINATED
                && !reason.equals("server_shutdown") && c.record().status() != ComputerStatus.STARTING;
        c.update(r -> r.ended(status, now, reason));
        store.updateComputer(c.record());
        event(c.id(), ReplayEvent.LIFECYCLE, lifecycleType(status, reason), Map.of("reason", reason));
        steps.lap("stored");
        // its watchers and listeners learn it first; the capture stops before the browser does, and the recording is
        // written out while the sandbox its encoder runs in is still there
        var screencast = c.screencastOrNull();
        if (screencast != null) quietly("stopping the screencast of " + c.id(), screencast::close);
        c.events().close();
        var recorder = c.takeRecorder();
        if (recorder != null) quietly("finishing the recording of " + c.id(), recorder::finish);
        quietly("storing the recording of " + c.id(), () -> Recorder.store(c.record(), computersDir.resolve(c.id()),
                recordingSink));
        // a frozen browser answers nothing and a frozen process cannot die: thaw first, suspended or in standby (a
        // freeze for standby under way finishes first, and none starts once the computer is ending)
        var frozen = c.sandboxOrNull();
        var sleep = c.sleepLock();
        sleep.lock();
        try {
            if ((wasPaused || c.inStandby()) && frozen != null) quietly("thawing " + c.id(), frozen::thaw);
            c.standbySince(null);
        } finally {
            sleep.unlock();
        }
        // browser first (it writes its profile on a clean close), then the desktop, then everything else
        Optional<String> sessionCookies = Optional.empty();
        if (save) {
            try {
                sessionCookies = c.browserIfStarted().flatMap(b -> b.isAlive() ? b.exportCookies() : Optional.empty());
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "the session cookies of " + c.id() + " could not be read", e);
            }
        }
        steps.lap("watchers");
        // a browser closes gracefully only to write the profile that is saved; any other is ended at once
        c.browserIfStarted().ifPresent(b -> quietly("closing the browser of " + c.id(), save ? b::close : b::closeNow));
        steps.lap("browser");
        var home = c.sandboxOrNull();
        if (save && home != null) {
            // committed before the delete is answered: the environment is the computer's id
            var cookies = sessionCookies;
            quietly("saving the state of " + c.id(), () -> environments.save(c.record(), home, cookies));
        }
        var desktop = c.desktopOrNull();
        if (desktop != null) quietly("closing the desktop of " + c.id(), desktop::close);
        var sandbox = c.sandboxOrNull();
        if (sandbox != null && c.recordsHar()) {
            // stored before the end is answered, like every artifact
            quietly("storing the HAR of " + c.id(), () -> sandbox.egress().har()
                    .ifPresent(har -> harSink.accept(c.record(), har)));
        }
        steps.lap("saved");
        if (sandbox != null) quietly("ending the sandbox of " + c.id(), sandbox::close);
        steps.lap("sandbox");
        // its proxy credentials are of no use any more
        quietly("forgetting the upstream of " + c.id(), () -> store.putSecret(c.id(), UPSTREAM, Optional.empty()));
        try {
            Files2.deleteTree(computersDir.resolve(c.id()));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "removing the files of " + c.id() + " failed", e);
        }
        steps.lap("files");
        live.remove(c.id());
        // its processes are gone: its place is free for the next create
        c.releasePlace();
        synchronized (emptied) {
            emptied.notifyAll();
        }
        LOG.log(System.Logger.Level.INFO, "computer {0} {1}: {2}", c.id(), status.wireName(), reason);
        LOG.log(System.Logger.Level.DEBUG, "computer {0} ended: {1}", c.id(), steps);
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private static void quietly(String what, Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, what + " failed", e);
        }
    }

    /** The replay event's type for how a computer ended. */
    private static String lifecycleType(ComputerStatus status, String reason) {
        if (status == ComputerStatus.FAILED) return "crashed";
        return switch (reason) {
            case "max_lifetime_exceeded", "inactivity_timeout" -> "expired";
            default -> "closed";
        };
    }

    /** One pass of the scheduler: expire what is due, store idle timers that moved. */
    void tick() {
        var now = clock.instant();
        for (var c : live.values()) {
            var r = c.record();
            if (c.isEnding()) continue;
            if (r.status() == ComputerStatus.PAUSED) {
                // max lifetime keeps counting while suspended; the idle timer does not
                if (!now.isBefore(r.expiresAt()) && c.beginEnding()) {
                    Threads.startVirtual("porthole-expire-" + c.id(),
                            () -> finishEnding(c, ComputerStatus.TERMINATED, "max_lifetime_exceeded"));
                }
                continue;
            }
            if (r.status() != ComputerStatus.RUNNING) continue;
            var sandbox = c.sandboxOrNull();
            if (sandbox != null && sandbox.outOfMemory()) {
                // the kernel has killed part of it; what is left is not the computer the user had
                if (c.beginEnding()) {
                    Threads.startVirtual("porthole-oom-" + c.id(),
                            () -> finishEnding(c, ComputerStatus.FAILED, "memory_limit_exceeded"));
                }
                continue;
            }
            // ending takes a moment: claim the end here, so the next tick does not try again, and finish it
            // off the scheduler, so that other deadlines are not delayed
            if (!now.isBefore(r.expiresAt())) {
                if (c.beginEnding()) {
                    Threads.startVirtual("porthole-expire-" + c.id(),
                            () -> finishEnding(c, ComputerStatus.TERMINATED, "max_lifetime_exceeded"));
                }
            } else if (r.idleExpiresAt().map(t -> !now.isBefore(t)).orElse(false) && !c.hasRunningCommands()
                    && c.viewers() == 0) {
                if (c.beginEnding()) {
                    Threads.startVirtual("porthole-expire-" + c.id(),
                            () -> finishEnding(c, ComputerStatus.TERMINATED, "inactivity_timeout"));
                }
            } else {
                if (c.takeActivityDirty()) store.updateComputer(r);
                // frozen off the scheduler, which a slow freeze would hold up
                if (standby.due(c, now) && c.beginFallingAsleep()) {
                    Threads.startVirtual("porthole-standby-" + c.id(), LogContext.wrap(c.id(), r.tenantId(), () -> {
                        try {
                            standby.sleep(c);
                        } finally {
                            c.fellAsleep();
                        }
                    }));
                }
            }
        }
    }

    /**
     * At start: computers the store thinks are live whose sandboxes still run (the server was killed or
     * stopped without ending them) are taken over under the same id, with their deadlines as stored; the
     * others are marked terminated with a lifecycle event. Then anything else an earlier run left is swept.
     */
    private void recover() {
        var adopted = new java.util.HashSet<String>();
        // records from before nodes were kept were made by the server on this data directory
        store.claimUnownedComputers(nodeId);
        for (var r : store.listComputersOnNode(nodeId, LIVE)) {
            if (r.status() != ComputerStatus.STARTING && adopt(r)) {
                adopted.add(r.id());
                continue;
            }
            var now = clock.instant();
            store.updateComputer(r.ended(ComputerStatus.TERMINATED, now, "server_restarted"));
            store.appendEvent(r.id(), ReplayEvent.LIFECYCLE, "closed", "{\"reason\":\"server_restarted\"}", now);
        }
        int killed = runtime.sweepLeftovers(computersDir, adopted);
        if (killed > 0) LOG.log(System.Logger.Level.WARNING, "ended {0} processes left by an earlier run", killed);
        try (var dirs = Files.list(computersDir)) {
            dirs.filter(d -> !adopted.contains(d.getFileName().toString())).forEach(Files2::deleteTree);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!adopted.isEmpty()) LOG.log(System.Logger.Level.INFO, "took over {0} running computers", adopted.size());
    }

    /** Takes over the computer's sandbox and browser (or desktop), if they still run; false otherwise. */
    private boolean adopt(ComputerRecord r) {
        try (var about = LogContext.about(r.id(), r.tenantId())) {
            return adoptAbout(r);
        }
    }

    private boolean adoptAbout(ComputerRecord r) {
        boolean desktop = r.kind().equals("desktop");
        var sandbox = runtime.adopt(new SandboxSpec(r.id(), computersDir.resolve(r.id()),
                desktop ? Map.of("DISPLAY", DesktopEngine.DISPLAY) : Map.of()));
        if (sandbox.isEmpty()) return false;
        var s = sandbox.get();
        var computer = new Computer(r, clock);
        try {
            boolean paused = r.status() == ComputerStatus.PAUSED;
            // a frozen browser answers nothing: thaw to take it over (suspended, or in standby when the last run
            // stopped), and freeze a suspended one again after
            s.thaw();
            computer.attachSandbox(s);
            storedUpstream(r.id()).ifPresent(u -> s.egress().useUpstream(Optional.of(u)));
            // the engine it was launched with: its template's, if it had one
            var engine = desktop ? engines.get("chromium") : Optional.ofNullable(r.templateId())
                    .map(t -> engines.get(TEMPLATE_PREFIX + t)).orElse(engines.get(r.engine()));
            if (engine == null) throw new IllegalStateException("no engine " + r.engine());
            // the identity it was launched with (a record from before identities were kept: the built-in one)
            var identity = r.identity().filter(i -> !desktop).orElseGet(() -> Identity.defaults(r.width(), r.height()));
            var launch = new LaunchSpec(r.id(), s, r.width(), r.height(), desktop ? 1.0 : r.scale(), desktop,
                    desktop ? reason -> LOG.log(System.Logger.Level.INFO, "the browser of desktop {0} exited: {1}", r.id(), reason)
                            : reason -> Threads.startVirtual("porthole-crash-" + r.id(), () -> end(computer,
                                    ComputerStatus.FAILED, s.outOfMemory() ? "memory_limit_exceeded" : "browser_exited: " + reason)),
                    identity);
            if (desktop) {
                computer.attachDesktop(desktops.adopt(s, r.width(), r.height(), reason -> Threads.startVirtual(
                        "porthole-crash-" + r.id(), () -> end(computer, ComputerStatus.FAILED,
                                s.outOfMemory() ? "memory_limit_exceeded" : "desktop_exited: " + reason))).orElseThrow(
                        () -> new IllegalStateException("its desktop does not answer")));
                computer.browserFactory(provisioner.desktopBrowser(r.id(), s, r.width(), r.height()));
                engine.adopt(launch).ifPresent(computer::attachBrowser);
            } else {
                var browser = engine.adopt(launch).orElseThrow(() -> new IllegalStateException("its browser is gone"));
                browser.onNavigation((tab, url) -> event(r.id(), ReplayEvent.NAVIGATION, "navigated",
                        Map.of("tabId", tab, "url", url)));
                computer.attachBrowser(browser);
            }
            attachScreencast(computer);
            // a recording goes on in a new part: what the earlier run wrote is kept as the first part(s)
            if (!Recorder.parts(computersDir.resolve(r.id())).isEmpty()) {
                computer.recorder(Recorder.start(computer, recordingFfmpeg, computersDir.resolve(r.id()), maxRecordingBytes));
            }
            if (paused) s.freeze();
            s.onExit().thenRun(() -> Threads.startVirtual("porthole-sandbox-exit-" + r.id(),
                    () -> end(computer, ComputerStatus.FAILED, s.outOfMemory() ? "memory_limit_exceeded" : "sandbox_exited")));
            // it runs already: counted even if the limit is lower now than when it started
            computer.holdPlace(capacity.reserveAnyway());
            live.put(r.id(), computer);
            event(r.id(), ReplayEvent.LIFECYCLE, "adopted", Map.of("reason", "server_restarted"));
            return true;
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "computer {0} could not be taken over: {1}", r.id(), e.getMessage());
            computer.browserIfStarted().ifPresent(b -> quietly("closing the browser of " + r.id(), b::close));
            quietly("ending the sandbox of " + r.id(), s::close);
            return false;
        }
    }

    private volatile java.util.function.BiConsumer<ComputerRecord, byte[]> harSink = (r, har) -> { };
    private volatile Recorder.Sink recordingSink = (r, name, file) -> { };
    private volatile long maxRecordingBytes = 64L << 20;
    private volatile Path recordingFfmpeg = Path.of("/usr/bin/ffmpeg");

    /**
     * Where recordings go when their computer ends (the artifact store), the most one part may hold, and the ffmpeg
     * that makes them (inside each computer's sandbox).
     */
    public void recordingSink(Recorder.Sink sink, long maxBytes, Path ffmpeg) {
        this.recordingSink = sink;
        this.maxRecordingBytes = maxBytes;
        this.recordingFfmpeg = ffmpeg;
    }

    /** Where a computer's HAR goes when it ends (the artifact store). */
    public void harSink(java.util.function.BiConsumer<ComputerRecord, byte[]> sink) {
        this.harSink = sink;
    }

    /**
     * Stops watching the computers without ending them (a shutdown that leaves them for the next start); the pool's
     * computers, which are nobody's, are ended.
     */
    /** The node these computers run on. */
    public String nodeId() {
        return nodeId;
    }

    /** How many computers run here for tenants (the warm pool's not counted). */
    public int liveCount() {
        return live.size();
    }

    /** How many computers this node may run at once ({@code PORTHOLE_MAX_COMPUTERS}). */
    public int capacityLimit() {
        return capacity.max();
    }

    /**
     * How many more computers a create could get here now: the places not held, and the warm pool's ready computers
     * (a claim is a create). None while draining.
     */
    public int freePlaces() {
        if (draining) return 0;
        int ready = pool.stats().stream().mapToInt(PoolStats::ready).sum();
        return Math.max(0, capacity.max() - capacity.held()) + ready;
    }

    /** Whether the node is draining. */
    public boolean draining() {
        return draining;
    }

    /**
     * Starts a drain: no new computers from now on, and the warm pool's are ended; the live ones go on until they end
     * (see {@link #awaitNone}).
     */
    public void drain() {
        draining = true;
        pool.close();
    }

    /** Waits until no computer runs here, or {@code timeout} has passed; true if none runs. */
    public boolean awaitNone(java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (emptied) {
            while (!live.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return false;
                // woken when a computer ends; the bound covers a wake-up that came between the check and the wait
                emptied.wait(Math.min(java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(left) + 1, 1000));
            }
        }
        return true;
    }

    private final Object emptied = new Object();

    /** Ends every live computer now with {@code reason} (a drain whose deadline passed). */
    public void endAll(String reason) {
        var threads = new ArrayList<Thread>();
        for (var c : live.values()) {
            threads.add(Threads.startVirtual("porthole-end-" + c.id(), () -> end(c, ComputerStatus.TERMINATED, reason)));
        }
        for (var t : threads) {
            try {
                t.join(15_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Ends here the computers whose records were ended elsewhere: another node marked this one down (it was cut off,
     * or it was taking over its computers after a restart while the others counted it as gone) and failed them. The
     * store says what they are, and nothing of them may run on. One query when nothing is amiss. Returns how many.
     */
    public int reconcile() {
        var stillLive = new java.util.HashSet<String>();
        for (var r : store.listComputersOnNode(nodeId, LIVE)) stillLive.add(r.id());
        int ended = 0;
        for (var c : live.values()) {
            // a computer claimed from the pool is live here a moment before its record is written
            if (stillLive.contains(c.id()) || c.isEnding()) continue;
            var stored = store.findComputer(c.id());
            if (stored.isPresent() && !stored.get().status().isLive()) {
                var r = stored.get();
                LOG.log(System.Logger.Level.WARNING, "computer {0} was ended elsewhere ({1}); ending it here", c.id(),
                        r.terminationReason());
                Threads.startVirtual("porthole-reconcile-" + c.id(), () -> end(c, r.status(), r.terminationReason()));
                ended++;
            }
        }
        return ended;
    }

    public void detach() {
        scheduler.shutdownNow();
        pool.close();
    }

    /** Ends every live computer (server shutdown). */
    @Override
    public void close() {
        scheduler.shutdownNow();
        pool.close();
        var threads = new ArrayList<Thread>();
        for (var c : live.values()) {
            threads.add(Threads.startVirtual("porthole-shutdown-" + c.id(),
                    () -> end(c, ComputerStatus.TERMINATED, "server_shutdown")));
        }
        for (var t : threads) {
            try {
                t.join(15_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        runtime.close();
    }

    /** Now, by the clock the lifecycle runs on. */
    Instant now() {
        return clock.instant();
    }
}
