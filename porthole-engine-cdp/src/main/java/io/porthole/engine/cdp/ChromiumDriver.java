package io.porthole.engine.cdp;

import static io.porthole.engine.cdp.CdpConnection.params;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.porthole.api.ErrorCode;
import io.porthole.api.PageContext;
import io.porthole.api.TabInfo;
import io.porthole.core.PortholeException;
import io.porthole.core.action.Keys;
import io.porthole.core.action.MouseButton;
import io.porthole.core.action.Point;
import io.porthole.core.browser.BrowserDriver;
import io.porthole.core.browser.Identity;
import io.porthole.core.browser.PageScripts;
import io.porthole.core.internal.Steps;
import io.porthole.core.internal.Threads;
import io.porthole.core.live.Capture;
import io.porthole.core.live.CaptureSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link BrowserDriver} for one Chromium over CDP. Tabs are page targets, auto-attached with flat sessions
 * and held before they run until the viewport and overrides are applied. Input goes through
 * {@code Input.dispatch*Event} in CSS pixels: screenshot pixels divided by the device scale.
 *
 * <p>Actions are not safe to run concurrently (the core serialises them); tab bookkeeping is updated from the
 * event thread and is thread-safe.
 */
final class ChromiumDriver implements BrowserDriver {
    private static final System.Logger LOG = System.getLogger(ChromiumDriver.class.getName());
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration NAVIGATION_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration TAB_READY_TIMEOUT = Duration.ofSeconds(10);
    /** The page's own wait for its new size, and a little more for the answer. */
    private static final Duration VIEWPORT_SETTLE_TIMEOUT = Duration.ofMillis(PageScripts.VIEWPORT_WAIT_MILLIS + 1_000);
    /** Far past any coordinate or delta the parser lets through, far inside float range (see requireInputRange). */
    private static final double MAX_INPUT_VALUE = 1e7;

    /** One page target. */
    private static final class Tab {
        final String targetId;
        /** Chromium's browserContextId; the default context's is whatever Chromium says for it. */
        volatile String browserContextId;
        volatile String sessionId;
        volatile String url;
        volatile String title;
        final CompletableFuture<Void> ready = new CompletableFuture<>();
        volatile CompletableFuture<Void> load = new CompletableFuture<>();

        Tab(String targetId, String url, String title) {
            this.targetId = targetId;
            this.url = url;
            this.title = title;
        }
    }

    private final CdpConnection cdp;
    private final DevToolsEndpoint devTools;
    private volatile java.util.function.BiConsumer<String, String> navigationListener = (tab, url) -> { };
    private final ChromiumProcess process;
    private final String userAgent;
    /**
     * navigator.userAgentData to go with {@link #userAgent}, known once the browser has said its version; null when
     * the user agent is not overridden (or the version could not be read).
     */
    private final CompletableFuture<ObjectNode> userAgentMetadata = new CompletableFuture<>();
    /** The first page target attached, which {@link #start} makes the main tab. */
    private final CompletableFuture<Tab> firstTab = new CompletableFuture<>();
    /** A window on a desktop: its size is the window's, and input goes through the desktop, not CDP. */
    private final boolean headful;
    private final Map<String, Tab> tabs = new ConcurrentHashMap<>();
    private final Map<String, Long> tabOrder = new ConcurrentHashMap<>();
    private long tabCounter;
    private volatile String mainTabId;
    /** The browser's default context, as its first tab says at start; null after an adopt (not known then). */
    private volatile String defaultContextId;
    private volatile int width;
    private volatile int height;
    private volatile double scale;
    private final int launchWidth;
    private final int launchHeight;
    /** The scale the browser was started with: its screen's; another one needs a device metrics override. */
    private final double launchScale;
    /** Who the browser appears to be; its timezone is the process's (TZ), its screen the launch flags'. */
    private final Identity identity;
    /**
     * The identity of contexts created after {@link #identityForNewContexts}, and of each such context by its
     * browserContextId: their targets get the timezone, locale and languages by per-target emulation.
     */
    private volatile Identity newContextIdentity;
    private final Map<String, Identity> contextIdentities = new ConcurrentHashMap<>();
    /** The browserContextId of each attached session (pages, iframes, workers). */
    private final Map<String, String> sessionContexts = new ConcurrentHashMap<>();
    // pointer and keyboard state, in CSS pixels
    private double pointerX;
    private double pointerY;
    private String pointerTab = "";
    private int buttonsDown;
    private int modifiers;
    /** The main tab's screencast, while anyone watches. */
    private final ChromiumScreencast screencast;

    ChromiumDriver(CdpConnection cdp, ChromiumProcess process, String userAgent, int width, int height, double scale,
                   boolean headful, DevToolsEndpoint devTools, Identity identity) {
        this.identity = identity;
        this.launchScale = scale;
        this.launchWidth = width;
        this.launchHeight = height;
        this.devTools = devTools;
        this.headful = headful;
        this.cdp = cdp;
        this.process = process;
        this.userAgent = userAgent;
        this.width = width;
        this.height = height;
        this.scale = scale;
        this.screencast = new ChromiumScreencast(cdp, this::screencastTarget);
        cdp.closedFuture().thenAccept(reason -> screencast.browserGone("the browser has gone away (" + reason + ")"));
    }

    /**
     * Subscribes to targets and waits, at most {@code startTimeout} for the browser's first answer, for the first
     * page to be ready. The browser-level commands go out together, as soon as the browser is started: Chromium
     * answers them in order once it reads its pipe, so a browser still starting does not make each one wait for
     * the one before (each round trip there took 20-300 ms while Chromium made its first tab).
     */
    void start(Duration startTimeout, Steps steps) {
        cdp.onEvent(this::onEvent);
        var version = cdp.send("Browser.getVersion", null, null);
        learnVersion(version);
        var discover = cdp.send("Target.setDiscoverTargets", params().put("discover", true), null);
        var attach = cdp.send("Target.setAutoAttach", params().put("autoAttach", true).put("waitForDebuggerOnStart", true)
                .put("flatten", true), null);
        var downloads = cdp.send("Browser.setDownloadBehavior", params().put("behavior", "deny"), null);
        grantGeolocation(null);
        try {
            cdp.await("Browser.getVersion", version, startTimeout);
        } catch (CdpException e) {
            List.of(discover, attach, downloads).forEach(cdp::abandon);
            throw e;
        }
        steps.lap("first answer");
        cdp.await("Target.setDiscoverTargets", discover, COMMAND_TIMEOUT);
        cdp.await("Target.setAutoAttach", attach, COMMAND_TIMEOUT);
        try {
            cdp.await("Browser.setDownloadBehavior", downloads, COMMAND_TIMEOUT);
        } catch (CdpException e) {
            LOG.log(System.Logger.Level.DEBUG, "downloads could not be denied: {0}", e.getMessage());
        }
        steps.lap("targets");
        Tab first = null;
        try {
            first = firstTab.get(TAB_READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // none came: one is made below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PortholeException.ActionFailed("interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new PortholeException.ActionFailed("the first tab could not be found: " + e.getCause());
        }
        if (first != null) {
            steps.lap("first tab attached");
            await(first.ready, TAB_READY_TIMEOUT, "the first tab");
            steps.lap("first tab set up");
            setMain(first.targetId);
        } else {
            var created = call("Target.createTarget", params().put("url", "about:blank"), null);
            var tab = waitForTab(created.path("targetId").asText());
            setMain(tab.targetId);
        }
    }

    /** What navigator.userAgentData must say, once {@code version} (Browser.getVersion) answers. */
    private void learnVersion(CompletableFuture<JsonNode> version) {
        if (userAgent == null) {
            userAgentMetadata.complete(null);
            return;
        }
        version.whenComplete((v, e) -> userAgentMetadata.complete(e == null
                ? UserAgentMetadata.forProduct(v.path("product").asText()) : null));
    }

    /**
     * Takes over a running browser on a connection an earlier run used: its tabs get new sessions (the earlier
     * run's are still attached, with their settings, on the same pipe), new tabs arrive by the auto-attach that
     * run set up.
     */
    void adopt() {
        cdp.onEvent(this::onEvent);
        grantGeolocation(null);
        learnVersion(cdp.send("Browser.getVersion", null, null));
        var targets = call("Target.getTargets", params(), null).path("targetInfos");
        for (var t : targets) {
            if (!"page".equals(t.path("type").asText())) continue;
            call("Target.attachToTarget", params().put("targetId", t.path("targetId").asText()).put("flatten", true), null);
        }
        long deadline = System.nanoTime() + TAB_READY_TIMEOUT.toNanos();
        while (tabs.isEmpty() && System.nanoTime() < deadline) sleep(10);
        var first = newestTab();
        if (first.isEmpty()) throw new PortholeException.ActionFailed("the adopted browser has no tab");
        await(tabs.get(first.get()).ready, TAB_READY_TIMEOUT, "the adopted tab");
        setMain(first.get());
    }

    // ---- events ----

    private void onEvent(CdpConnection.Event e) {
        switch (e.method()) {
            case "Target.attachedToTarget" -> {
                var info = e.params().path("targetInfo");
                var sessionId = e.params().path("sessionId").asText();
                var type = info.path("type").asText();
                // a target attached through its page's session (a dedicated worker, an iframe) may not say its
                // context: it is its parent's
                var context = info.path("browserContextId").asText(null);
                if (context == null && e.sessionId() != null) context = sessionContexts.get(e.sessionId());
                if (context != null) sessionContexts.put(sessionId, context);
                if (!"page".equals(type)) {
                    if (OTHER_CONTEXTS.contains(type)) {
                        var ctx = context;
                        Threads.startVirtual("cdp-target-setup", () -> setUpOther(sessionId, type, ctx));
                    } else {
                        cdp.send("Runtime.runIfWaitingForDebugger", null, sessionId);
                    }
                    return;
                }
                var targetId = info.path("targetId").asText();
                var tab = tabs.computeIfAbsent(targetId, id -> new Tab(id, info.path("url").asText(), info.path("title").asText()));
                tab.sessionId = sessionId;
                tab.browserContextId = info.path("browserContextId").asText(null);
                synchronized (tabOrder) {
                    tabOrder.putIfAbsent(targetId, ++tabCounter);
                }
                if (!firstTab.isDone()) defaultContextId = tab.browserContextId;
                firstTab.complete(tab);
                Threads.startVirtual("cdp-tab-setup", () -> setUpTab(tab));
            }
            case "Target.targetInfoChanged" -> {
                var info = e.params().path("targetInfo");
                var tab = tabs.get(info.path("targetId").asText());
                if (tab != null) {
                    var url = info.path("url").asText(tab.url);
                    if (url != null && !url.equals(tab.url) && !url.isEmpty()) navigationListener.accept(tab.targetId, url);
                    tab.url = url;
                    tab.title = info.path("title").asText(tab.title);
                }
            }
            case "Target.targetDestroyed", "Target.detachedFromTarget" -> {
                if (e.params().has("sessionId")) sessionContexts.remove(e.params().path("sessionId").asText());
                var targetId = e.params().has("targetId") ? e.params().path("targetId").asText()
                        : findBySession(e.params().path("sessionId").asText()).map(t -> t.targetId).orElse("");
                forget(targetId);
            }
            case "Page.loadEventFired" -> findBySession(e.sessionId()).ifPresent(t -> t.load.complete(null));
            case "Page.screencastFrame" -> screencast.onFrame(e);
            case "Page.javascriptDialogOpening" ->
                    // an open alert() blocks the page for every later action; accept it like a user would
                    cdp.send("Page.handleJavaScriptDialog", params().put("accept", true), e.sessionId());
            default -> { }
        }
    }

    /**
     * Applies the overrides to a new tab, held by the auto-attach until then, and lets it run. Everything goes out
     * together, the release last: Chromium applies a session's commands in order, so the page runs with every
     * override in place, after one round trip instead of six (a new page answers its first command only once its
     * renderer is up, and each command after that waited behind the page's own work: 40-110 ms for the release
     * alone). A tab whose set-up failed is closed.
     */
    private void setUpTab(Tab tab) {
        var s = tab.sessionId;
        var sent = new ArrayList<Map.Entry<String, CompletableFuture<JsonNode>>>();
        try {
            var who = identityOf(tab.browserContextId);
            var override = userAgentOverride(who);
            if (!headful && (width != launchWidth || height != launchHeight) && scale == launchScale) {
                // a window opens at the launch size: one opened after a resize takes the current one first
                var window = call("Browser.getWindowForTarget", params().put("targetId", tab.targetId), null).path("windowId");
                sent.add(Map.entry("Browser.setWindowBounds", cdp.send("Browser.setWindowBounds",
                        params().put("windowId", window.asLong()).set("bounds", windowBounds()), null)));
            }
            sent.add(Map.entry("Page.enable", cdp.send("Page.enable", params(), s)));
            sent.add(Map.entry("Emulation.setFocusEmulationEnabled",
                    cdp.send("Emulation.setFocusEmulationEnabled", params().put("enabled", true), s)));
            if (!headful && scale != launchScale) {
                // a scale other than the screen's cannot be given natively once the browser runs
                sent.add(Map.entry("Emulation.setDeviceMetricsOverride",
                        cdp.send("Emulation.setDeviceMetricsOverride", metrics(), s)));
            }
            if (override != null) {
                sent.add(Map.entry("Emulation.setUserAgentOverride", cdp.send("Emulation.setUserAgentOverride", override, s)));
            }
            sendIdentity(who, tab.browserContextId, s, sent, true);
            sent.add(Map.entry("Target.setAutoAttach", cdp.send("Target.setAutoAttach", nestedAutoAttach(), s)));
            sent.add(Map.entry("Runtime.runIfWaitingForDebugger", cdp.send("Runtime.runIfWaitingForDebugger", params(), s)));
            for (var c : sent) cdp.await(c.getKey(), c.getValue(), COMMAND_TIMEOUT);
            tab.ready.complete(null);
        } catch (RuntimeException e) {
            sent.forEach(c -> cdp.abandon(c.getValue()));
            // it may run without what failed: a tab that is not what the computer promises does not go on
            cdp.send("Target.closeTarget", params().put("targetId", tab.targetId), null);
            tab.ready.completeExceptionally(e);
        }
        // it may be the main tab, which a screencast waits for
        screencast.retarget();
    }

    /** Target types other than pages that run scripts: each gets the same user agent, languages and locale. */
    private static final java.util.Set<String> OTHER_CONTEXTS = java.util.Set.of("iframe", "worker", "shared_worker",
            "service_worker", "worklet", "shared_storage_worklet", "auction_worklet");

    /**
     * Gives an out-of-process iframe or a worker, held by the auto-attach, what its page has (user agent and
     * client hints, languages, locale, and the context's timezone where it differs from the process's), then lets
     * it run. What a target refuses is logged and left: it runs all the same (a worker shares its renderer's
     * locale, and Chromium answers a second locale override in that renderer with an error).
     */
    private void setUpOther(String sessionId, String type, String browserContextId) {
        var sent = new ArrayList<Map.Entry<String, CompletableFuture<JsonNode>>>();
        try {
            var who = identityOf(browserContextId);
            var override = userAgentOverride(who);
            if (override != null) {
                sent.add(Map.entry("Emulation.setUserAgentOverride", cdp.send("Emulation.setUserAgentOverride", override, sessionId)));
            }
            sendIdentity(who, browserContextId, sessionId, sent, "iframe".equals(type));
            if (!"service_worker".equals(type) && !"shared_worker".equals(type)) {
                sent.add(Map.entry("Target.setAutoAttach", cdp.send("Target.setAutoAttach", nestedAutoAttach(), sessionId)));
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "a {0} could not be prepared: {1}", type, e.getMessage());
        }
        var run = cdp.send("Runtime.runIfWaitingForDebugger", params(), sessionId);
        for (var c : sent) {
            try {
                cdp.await(c.getKey(), c.getValue(), COMMAND_TIMEOUT);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "a {0} refused {1}: {2}", type, c.getKey(), e.getMessage());
            }
        }
        try {
            cdp.await("Runtime.runIfWaitingForDebugger", run, COMMAND_TIMEOUT);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "a {0} did not resume: {1}", type, e.getMessage());
        }
    }

    /**
     * The auto-attach of a page's (or frame's, or worker's) own session: the browser-level one reaches pages, shared
     * and service workers, but a dedicated worker or an out-of-process iframe is attached only through the session
     * of what made it, held the same way until it has its overrides.
     */
    private static ObjectNode nestedAutoAttach() {
        return params().put("autoAttach", true).put("waitForDebuggerOnStart", true).put("flatten", true);
    }

    /** The identity of a context: the one it was created with after a change, else the browser's. */
    private Identity identityOf(String browserContextId) {
        var who = browserContextId == null ? null : contextIdentities.get(browserContextId);
        return who != null ? who : identity;
    }

    /**
     * The user agent override for a target of that identity, with client hints once the browser has said its
     * version; null where the user agent is the browser's own (a desktop's headful browser).
     */
    private ObjectNode userAgentOverride(Identity who) {
        if (userAgent == null) return null;
        // acceptLanguage is navigator.languages too: no q-values here (Chromium adds them to the header)
        var override = params().put("userAgent", userAgent).put("acceptLanguage", String.join(",", who.languages()))
                .put("platform", "Linux x86_64");
        await(userAgentMetadata, COMMAND_TIMEOUT, "the browser's version");
        var metadata = userAgentMetadata.getNow(null);
        if (metadata != null) override.set("userAgentMetadata", metadata);
        return override;
    }

    /**
     * The parts of an identity a target takes by emulation: the Intl locale (Chromium ships only en-US's
     * resources, so --lang cannot change it), the timezone of a context whose identity differs from the
     * process's TZ, and for a frame the geolocation.
     */
    private void sendIdentity(Identity who, String browserContextId, String sessionId,
                              List<Map.Entry<String, CompletableFuture<JsonNode>>> sent, boolean frame) {
        if (!"en-US".equals(who.locale()) && !clientsContext(browserContextId)) {
            sent.add(Map.entry("Emulation.setLocaleOverride", tolerateOtherLocale(
                    cdp.send("Emulation.setLocaleOverride", params().put("locale", who.locale()), sessionId))));
        }
        if (!who.timezone().equals(identity.timezone())) {
            sent.add(Map.entry("Emulation.setTimezoneOverride",
                    cdp.send("Emulation.setTimezoneOverride", params().put("timezoneId", who.timezone()), sessionId)));
        }
        if (frame && who.geolocation().isPresent()) {
            var g = who.geolocation().get();
            sent.add(Map.entry("Emulation.setGeolocationOverride", cdp.send("Emulation.setGeolocationOverride",
                    params().put("latitude", g.latitude()).put("longitude", g.longitude()).put("accuracy", g.accuracyMeters()),
                    sessionId)));
        }
    }

    /**
     * A context a CDP client made itself (Playwright's {@code newContext}): neither the default one nor one of ours.
     * Its locale is the client's to set: Chromium lets only one session override a renderer's locale, and a client's
     * {@code Emulation.setLocaleOverride} answered "Another locale override is already in effect" would break it.
     */
    private boolean clientsContext(String browserContextId) {
        var byDefault = defaultContextId;
        return browserContextId != null && byDefault != null && !browserContextId.equals(byDefault)
                && !contexts.containsKey(browserContextId);
    }

    /**
     * The locale override, answered as done when another session's override is already in effect: after an adopt the
     * earlier run's sessions are still attached with the same identity's locale, and a worker shares its renderer's.
     */
    private static CompletableFuture<JsonNode> tolerateOtherLocale(CompletableFuture<JsonNode> override) {
        return override.handle((answer, e) -> {
            if (e == null) return answer;
            var cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
            if (String.valueOf(cause.getMessage()).contains("locale override is already in effect")) return params();
            throw cause instanceof RuntimeException r ? r : new java.util.concurrent.CompletionException(cause);
        });
    }

    /** Lets pages of a context (null: the default one) ask for the position the identity gives without a prompt. */
    private void grantGeolocation(String browserContextId) {
        if (identityOf(browserContextId).geolocation().isEmpty()) return;
        var p = params();
        p.putArray("permissions").add("geolocation");
        if (browserContextId != null) p.put("browserContextId", browserContextId);
        cdp.send("Browser.grantPermissions", p, null);
    }

    private void applyMetrics(String sessionId) {
        call("Emulation.setDeviceMetricsOverride", metrics(), sessionId);
    }

    /** The override used only for a device scale other than the launch's: the screen stays the identity's. */
    private ObjectNode metrics() {
        return params().put("width", width).put("height", height).put("deviceScaleFactor", scale).put("mobile", false)
                .put("screenWidth", Math.max(identity.screenWidth(), width))
                .put("screenHeight", Math.max(identity.screenHeight(), height + WindowMetrics.CHROME_HEIGHT));
    }

    /** The window that holds the current viewport. */
    private ObjectNode windowBounds() {
        return params().put("width", width).put("height", height + WindowMetrics.CHROME_HEIGHT);
    }

    private void setMain(String tabId) {
        mainTabId = tabId;
        screencast.retarget();
    }

    /**
     * Where the screencast runs: the main tab's session once the tab is set up, with the viewport in device
     * pixels as the largest picture; empty while there is no such tab (a tab getting ready says so).
     */
    private Optional<ChromiumScreencast.Target> screencastTarget() {
        var main = mainTabId;
        var tab = main == null ? null : tabs.get(main);
        if (tab == null) tab = newestTab().map(tabs::get).orElse(null);
        if (tab == null || !tab.ready.isDone() || tab.ready.isCompletedExceptionally() || tab.sessionId == null) {
            return Optional.empty();
        }
        return Optional.of(new ChromiumScreencast.Target(tab.sessionId, (int) Math.round(width * scale),
                (int) Math.round(height * scale)));
    }

    @Override
    public Capture screencast(CaptureSettings settings, Capture.Sink sink) {
        if (!isAlive()) throw new PortholeException.Unavailable("the browser has ended; there is nothing to watch");
        return screencast.attach(settings, sink);
    }

    private Optional<Tab> findBySession(String sessionId) {
        if (sessionId == null || sessionId.isEmpty()) return Optional.empty();
        return tabs.values().stream().filter(t -> sessionId.equals(t.sessionId)).findFirst();
    }

    private void forget(String targetId) {
        if (targetId.isEmpty() || tabs.remove(targetId) == null) return;
        tabOrder.remove(targetId);
        if (targetId.equals(mainTabId)) setMain(newestTab().orElse(null));
    }

    private Optional<String> newestTab() {
        return tabOrder.entrySet().stream().filter(en -> tabs.containsKey(en.getKey()))
                .max(Map.Entry.comparingByValue()).map(Map.Entry::getKey);
    }

    // ---- tabs ----

    @Override
    public String resolveTab(Optional<String> requested) {
        if (requested.isPresent()) {
            var tab = tabs.get(requested.get());
            if (tab == null) throw new PortholeException.ActionFailed("no open tab with id '" + requested.get()
                    + "'; list tabs with GET /computers/{id}/tabs");
            return tab.targetId;
        }
        var main = mainTabId;
        if (main == null || !tabs.containsKey(main)) {
            main = newestTab().orElseThrow(() -> new PortholeException.ActionFailed("the browser has no open tab"));
            setMain(main);
        }
        return main;
    }

    private Tab tab(String tabId) {
        var tab = tabs.get(tabId);
        if (tab == null) throw new PortholeException.ActionFailed("the tab '" + tabId + "' is closed");
        await(tab.ready, TAB_READY_TIMEOUT, "tab " + tabId);
        return tab;
    }

    @Override
    public List<TabInfo> tabs() {
        var out = new ArrayList<TabInfo>();
        var ordered = new ArrayList<>(tabs.values());
        ordered.sort((a, b) -> Long.compare(tabOrder.getOrDefault(a.targetId, 0L), tabOrder.getOrDefault(b.targetId, 0L)));
        var main = mainTabId;
        for (var t : ordered) {
            var url = t.url == null ? "" : t.url;
            if (url.startsWith("devtools://") || url.startsWith("chrome://")) continue;
            out.add(new TabInfo(t.targetId, url, t.title == null ? "" : t.title, t.targetId.equals(main), contextOf(t)));
        }
        return out;
    }

    @Override
    public TabInfo newTab(Optional<String> url) {
        var created = call("Target.createTarget", params().put("url", "about:blank"), null);
        var tab = waitForTab(created.path("targetId").asText());
        setMain(tab.targetId);
        call("Target.activateTarget", params().put("targetId", tab.targetId), null);
        if (url.isPresent() && !url.get().isBlank()) navigate(tab.targetId, url.get());
        return new TabInfo(tab.targetId, tab.url, tab.title, true, contextOf(tab));
    }

    // ---- contexts ----

    /** Contexts made through us, by our id (Chromium's browserContextId), with the proxy the client gave. */
    private final Map<String, io.porthole.core.browser.BrowserContextInfo> contexts = new ConcurrentHashMap<>();

    private String contextOf(Tab tab) {
        var id = tab.browserContextId;
        return id != null && contexts.containsKey(id) ? id : TabInfo.DEFAULT_CONTEXT;
    }

    @Override
    public List<io.porthole.core.browser.BrowserContextInfo> contexts() {
        var out = new ArrayList<io.porthole.core.browser.BrowserContextInfo>();
        out.add(new io.porthole.core.browser.BrowserContextInfo(TabInfo.DEFAULT_CONTEXT, Optional.empty()));
        out.addAll(contexts.values());
        return out;
    }

    @Override
    public io.porthole.core.browser.BrowserContextInfo createContext(Optional<String> proxy) {
        var p = params().put("disposeOnDetach", false);
        proxy.ifPresent(url -> {
            p.put("proxyServer", url);
            // loopback too goes through the context's proxy, as it does through the browser's
            p.put("proxyBypassList", "<-loopback>");
        });
        var id = call("Target.createBrowserContext", p, null).path("browserContextId").asText();
        var info = new io.porthole.core.browser.BrowserContextInfo(id, proxy);
        contexts.put(id, info);
        var who = newContextIdentity;
        if (who != null) contextIdentities.put(id, who);
        grantGeolocation(id);
        // its first tab; the main tab stays where it was until the client opens a tab in the context itself
        var main = mainTabId;
        try {
            newTabIn(id, Optional.empty());
            setMain(main);
        } catch (RuntimeException e) {
            closeContext(id);
            throw e;
        }
        return info;
    }

    /**
     * Contexts created from now on take {@code identity}'s timezone, locale, languages and geolocation, by
     * per-target emulation on each of their pages, iframes and workers (TZ is the browser process's and stays the
     * launch identity's: it covers the default context and the contexts created before). The screen is the
     * browser's and does not change.
     */
    @Override
    public boolean identityForNewContexts(Identity identity) {
        newContextIdentity = identity;
        return true;
    }

    @Override
    public void closeContext(String contextId) {
        if (TabInfo.DEFAULT_CONTEXT.equals(contextId)) {
            throw new PortholeException.InvalidRequest("the default context cannot be closed; close the sandbox instead");
        }
        if (contexts.remove(contextId) == null) {
            throw new PortholeException.NotFound(io.porthole.api.ErrorCode.NOT_FOUND, "no context '" + contextId + "'");
        }
        contextIdentities.remove(contextId);
        var inIt = tabs.values().stream().filter(t -> contextId.equals(t.browserContextId)).map(t -> t.targetId).toList();
        call("Target.disposeBrowserContext", params().put("browserContextId", contextId), null);
        inIt.forEach(this::forget);
        if (mainTabId != null && inIt.contains(mainTabId)) setMain(newestTab().orElse(null));
    }

    @Override
    public TabInfo newTabIn(String contextId, Optional<String> url) {
        if (TabInfo.DEFAULT_CONTEXT.equals(contextId)) return newTab(url);
        if (!contexts.containsKey(contextId)) {
            throw new PortholeException.NotFound(io.porthole.api.ErrorCode.NOT_FOUND, "no context '" + contextId + "'");
        }
        var created = call("Target.createTarget", params().put("url", "about:blank").put("browserContextId", contextId), null);
        var tab = waitForTab(created.path("targetId").asText());
        tab.browserContextId = contextId;
        setMain(tab.targetId);
        if (url.isPresent() && !url.get().isBlank()) navigate(tab.targetId, url.get());
        return new TabInfo(tab.targetId, tab.url, tab.title, true, contextId);
    }

    @Override
    public Optional<String> exportCookies() {
        var cookies = call("Storage.getCookies", params(), null).path("cookies");
        return Optional.of(cookies.toString());
    }

    @Override
    public void importCookies(String json) {
        importCookies(TabInfo.DEFAULT_CONTEXT, json);
    }

    @Override
    public void importCookies(String contextId, String json) {
        com.fasterxml.jackson.databind.JsonNode cookies;
        try {
            cookies = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
        } catch (java.io.IOException e) {
            LOG.log(System.Logger.Level.WARNING, "saved cookies are not JSON; none restored");
            return;
        }
        if (cookies == null || !cookies.isArray() || cookies.isEmpty()) return;
        var params = params();
        var list = params.putArray("cookies");
        for (var c : cookies) {
            var p = list.addObject();
            for (var field : List.of("name", "value", "domain", "path", "secure", "httpOnly", "sameSite", "priority",
                    "sourceScheme", "sourcePort", "partitionKey")) {
                if (c.has(field)) p.set(field, c.get(field));
            }
            // a session cookie has no expiry: it lives as long as this browser does
            if (!c.path("session").asBoolean(false) && c.path("expires").asDouble(-1) > 0) p.set("expires", c.get("expires"));
        }
        if (!TabInfo.DEFAULT_CONTEXT.equals(contextId)) {
            if (!contexts.containsKey(contextId)) {
                throw new PortholeException.NotFound(io.porthole.api.ErrorCode.NOT_FOUND, "no context '" + contextId + "'");
            }
            params.put("browserContextId", contextId);
        }
        call("Storage.setCookies", params, null);
    }

    @Override
    public byte[] pdf(String tabId) {
        if (headful) {
            throw new PortholeException.InvalidRequest(io.porthole.api.ErrorCode.UNSUPPORTED_ON_ENGINE,
                    "a desktop's browser cannot print to PDF; use a browser computer");
        }
        var tab = tab(tabId);
        var data = call("Page.printToPDF", params().put("printBackground", true), tab.sessionId).path("data").asText();
        return java.util.Base64.getDecoder().decode(data);
    }

    private Tab waitForTab(String targetId) {
        long deadline = System.nanoTime() + TAB_READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            var tab = tabs.get(targetId);
            if (tab != null) {
                await(tab.ready, TAB_READY_TIMEOUT, "the new tab");
                return tab;
            }
            sleep(5);
        }
        throw new PortholeException.ActionFailed("the new tab did not start within " + TAB_READY_TIMEOUT.toSeconds() + " s");
    }

    @Override
    public void switchTab(String tabId) {
        var tab = tab(resolveTab(Optional.of(tabId)));
        call("Target.activateTarget", params().put("targetId", tab.targetId), null);
        setMain(tab.targetId);
    }

    @Override
    public void closeTab(String tabId) {
        var tab = tab(resolveTab(Optional.of(tabId)));
        if (tabs.size() <= 1) {
            throw new PortholeException.ActionFailed("the last tab cannot be closed; open another tab first");
        }
        call("Target.closeTarget", params().put("targetId", tab.targetId), null);
        forget(tab.targetId);
        var main = mainTabId;
        if (main != null) call("Target.activateTarget", params().put("targetId", main), null);
    }

    // ---- navigation and content ----

    @Override
    public void navigate(String tabId, String url) {
        // checked by the parser already; checked again because a driver never opens the host's files
        var target = io.porthole.core.action.Urls.navigable(url);
        var tab = tab(tabId);
        var load = new CompletableFuture<Void>();
        tab.load = load;
        pointerTab = ""; // a new document has seen no pointer yet: the next click moves there first
        var result = call("Page.navigate", params().put("url", target), tab.sessionId);
        var error = result.path("errorText").asText("");
        if (!error.isEmpty()) {
            // Chromium now commits its error page; acting before that lands hits a page in transition
            try {
                load.get(5, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // the error page did not report; the next action still waits for the tab
            }
            throw new PortholeException.ActionFailed("navigation to " + target + " failed: " + error);
        }
        if (!result.has("loaderId")) return; // same-document navigation: no load event comes
        try {
            load.get(NAVIGATION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.log(System.Logger.Level.DEBUG, "{0} did not fire load within {1}s", target, NAVIGATION_TIMEOUT.toSeconds());
        } catch (Exception e) {
            throw new PortholeException.ActionFailed("navigation to " + target + " was interrupted: " + e.getMessage());
        }
    }

    @Override
    public byte[] screenshotPng(String tabId) {
        var tab = tab(tabId);
        var result = call("Page.captureScreenshot", params().put("format", "png").put("fromSurface", true)
                .put("captureBeyondViewport", false), tab.sessionId);
        return java.util.Base64.getDecoder().decode(result.path("data").asText());
    }

    @Override
    public String html(String tabId) {
        return evaluate(tabId, "(document.doctype ? new XMLSerializer().serializeToString(document.doctype) + '\\n' : '')"
                + " + (document.documentElement ? document.documentElement.outerHTML : '')").asText("");
    }

    @Override
    public PageContext pageContext(String tabId) {
        var v = evaluate(tabId, "({url: location.href, title: document.title, vw: innerWidth, vh: innerHeight,"
                + " pw: Math.max(document.documentElement ? document.documentElement.scrollWidth : 0, innerWidth),"
                + " ph: Math.max(document.documentElement ? document.documentElement.scrollHeight : 0, innerHeight),"
                + " sx: scrollX, sy: scrollY, dpr: devicePixelRatio})");
        return new PageContext(v.path("url").asText(), v.path("title").asText(), tabId, tabId.equals(mainTabId),
                v.path("vw").asInt(), v.path("vh").asInt(), v.path("pw").asInt(), v.path("ph").asInt(),
                v.path("sx").asDouble(), v.path("sy").asDouble(), v.path("dpr").asDouble());
    }

    private JsonNode evaluate(String tabId, String expression) {
        var tab = tab(tabId);
        var result = call("Runtime.evaluate", params().put("expression", expression).put("returnByValue", true)
                .put("awaitPromise", true), tab.sessionId);
        if (result.has("exceptionDetails")) {
            throw new PortholeException.ActionFailed("the page could not be read: "
                    + result.path("exceptionDetails").path("text").asText());
        }
        return result.path("result").path("value");
    }

    /**
     * Sizes every tab and answers once their pages have the new size: Chromium answers the override before the
     * page has resized, so a read right after could see the old size. A tab still being set up is waited for
     * (it may have applied the old size).
     */
    @Override
    public void setViewport(int width, int height, double scale) {
        boolean hadOverride = scale != launchScale || this.scale != launchScale;
        this.width = width;
        this.height = height;
        this.scale = scale;
        var sized = new ArrayList<Tab>();
        for (var tab : tabs.values()) {
            try {
                tab.ready.get(TAB_READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                continue; // never set up: it takes no actions either
            }
            if (headful || scale != launchScale) {
                applyMetrics(tab.sessionId);
            } else {
                // natively: the tab's window takes the viewport plus the browser's chrome
                if (hadOverride) call("Emulation.clearDeviceMetricsOverride", params(), tab.sessionId);
                var window = call("Browser.getWindowForTarget", params().put("targetId", tab.targetId), null).path("windowId");
                call("Browser.setWindowBounds", params().put("windowId", window.asLong()).set("bounds", windowBounds()), null);
            }
            sized.add(tab);
        }
        var resized = new ArrayList<CompletableFuture<JsonNode>>();
        for (var tab : sized) {
            resized.add(cdp.send("Runtime.evaluate", params().put("expression",
                    PageScripts.awaitViewport(width, height, scale)).put("awaitPromise", true).put("returnByValue", true),
                    tab.sessionId));
        }
        for (var f : resized) {
            try {
                cdp.await("Runtime.evaluate", f, VIEWPORT_SETTLE_TIMEOUT);
            } catch (CdpException e) {
                // a page that does not answer resizes all the same; the next action waits for it as usual
                LOG.log(System.Logger.Level.DEBUG, "a page did not confirm its new size: {0}", e.getMessage());
            }
        }
        // a screencast's pictures are at most the viewport's size: it starts again at the new one
        screencast.retarget();
    }

    // ---- mouse ----

    @Override
    public void click(String tabId, Optional<Point> at, MouseButton button, int clicks) {
        var tab = tab(tabId);
        moveTo(tab, at);
        for (int i = 1; i <= clicks; i++) {
            mouseEvent(tab, "mousePressed", button, i);
            mouseEvent(tab, "mouseReleased", button, i);
        }
        awaitInput();
    }

    @Override
    public void mouseMove(String tabId, Point to) {
        moveTo(tab(tabId), Optional.of(to));
        awaitInput();
    }

    @Override
    public void mouseDown(String tabId, Optional<Point> at, MouseButton button) {
        var tab = tab(tabId);
        moveTo(tab, at);
        mouseEvent(tab, "mousePressed", button, pressCount(button));
        awaitInput();
    }

    @Override
    public void mouseUp(String tabId, Optional<Point> at, MouseButton button) {
        var tab = tab(tabId);
        moveTo(tab, at);
        mouseEvent(tab, "mouseReleased", button, presses);
        awaitInput();
    }

    /** As a desktop counts presses: another within this time and distance of the last makes a double click. */
    private static final long MULTI_CLICK_NANOS = 500_000_000L;
    private static final double MULTI_CLICK_DISTANCE = 4;
    private long lastPressNanos;
    private double lastPressX = Double.NaN;
    private double lastPressY = Double.NaN;
    private MouseButton lastPressButton;
    private int presses;

    /**
     * The click count of a press made with mouse-down (a person at the console presses and releases, and expects
     * a double click from two quick presses): counted up to 3 like the desktop does, else 1.
     */
    private int pressCount(MouseButton button) {
        long now = System.nanoTime();
        boolean again = button == lastPressButton && now - lastPressNanos < MULTI_CLICK_NANOS
                && Math.abs(pointerX - lastPressX) <= MULTI_CLICK_DISTANCE && Math.abs(pointerY - lastPressY) <= MULTI_CLICK_DISTANCE;
        presses = again ? Math.min(presses + 1, 3) : 1;
        lastPressNanos = now;
        lastPressX = pointerX;
        lastPressY = pointerY;
        lastPressButton = button;
        return presses;
    }

    @Override
    public void drag(String tabId, List<Point> path) {
        var tab = tab(tabId);
        moveTo(tab, Optional.of(path.getFirst()));
        mouseEvent(tab, "mousePressed", MouseButton.LEFT, 1);
        // a drag goes step by step, each event answered before the next, as a hand would move
        awaitInput();
        for (int i = 1; i < path.size(); i++) {
            double fromX = pointerX;
            double fromY = pointerY;
            double toX = path.get(i).x() / scale;
            double toY = path.get(i).y() / scale;
            int steps = 5;
            for (int s = 1; s <= steps; s++) {
                pointerX = fromX + (toX - fromX) * s / steps;
                pointerY = fromY + (toY - fromY) * s / steps;
                mouseEvent(tab, "mouseMoved", MouseButton.LEFT, 0);
                awaitInput();
            }
        }
        mouseEvent(tab, "mouseReleased", MouseButton.LEFT, 1);
        awaitInput();
    }

    @Override
    public void scroll(String tabId, Optional<Point> at, double dx, double dy) {
        var tab = tab(tabId);
        moveTo(tab, at);
        awaitInput();
        requireInputRange(dx);
        requireInputRange(dy);
        call("Input.dispatchMouseEvent", params().put("type", "mouseWheel").put("x", pointerX).put("y", pointerY)
                .put("deltaX", dx).put("deltaY", dy).put("modifiers", modifiers), tab.sessionId);
        settle(tab);
    }

    private void moveTo(Tab tab, Optional<Point> at) {
        if (at.isEmpty()) return;
        double x = at.get().x() / scale;
        double y = at.get().y() / scale;
        // A move waits for the page's next frame (~10 ms); where the pointer already is, there is no move to
        // report, as with a real mouse. The tab matters too: each tab has its own pointer.
        if (x == pointerX && y == pointerY && tab.targetId.equals(pointerTab)) return;
        pointerX = x;
        pointerY = y;
        pointerTab = tab.targetId;
        mouseEvent(tab, "mouseMoved", MouseButton.LEFT, 0);
    }

    private void mouseEvent(Tab tab, String type, MouseButton button, int clickCount) {
        int bit = buttonBit(button);
        if (type.equals("mousePressed")) buttonsDown |= bit;
        if (type.equals("mouseReleased")) buttonsDown &= ~bit;
        requireInputRange(pointerX);
        requireInputRange(pointerY);
        var p = params().put("type", type).put("x", pointerX).put("y", pointerY).put("modifiers", modifiers)
                .put("buttons", buttonsDown).put("clickCount", clickCount);
        if (type.equals("mouseMoved")) {
            p.put("button", buttonsDown == 0 ? "none" : "left");
        } else {
            p.put("button", cdpButton(button));
        }
        sentInput.add(cdp.send("Input.dispatchMouseEvent", p, tab.sessionId));
    }

    /**
     * Refuses a number Chromium cannot take. An input event with a coordinate or delta past float range is never
     * answered, and the page then takes no input at all until it navigates; the parser keeps far inside this
     * (ActionLimits), so this only guards against a caller that skipped it.
     */
    private static void requireInputRange(double v) {
        if (!(Math.abs(v) <= MAX_INPUT_VALUE)) {
            throw new PortholeException.ActionFailed(ErrorCode.INVALID_ARGUMENT, "an input value of " + v
                    + " is out of range");
        }
    }

    /** Mouse events sent and not yet answered, in the order sent. */
    private final List<CompletableFuture<JsonNode>> sentInput = new ArrayList<>();

    /**
     * Waits for every mouse event sent since the last wait. The events of one action go out back to back and
     * the page answers them together with its next frame: a click costs one frame, not one per event (9 ms
     * against 3 for a Playwright-style click here).
     */
    private void awaitInput() {
        try {
            for (var f : sentInput) cdp.await("Input.dispatchMouseEvent", f, COMMAND_TIMEOUT);
        } finally {
            // after a timeout the rest of the action's events are not waited for: nobody waits for them later
            for (var f : sentInput) if (!f.isDone()) cdp.abandon(f);
            sentInput.clear();
        }
    }

    private static int buttonBit(MouseButton b) {
        return switch (b) {
            case LEFT -> 1;
            case RIGHT -> 2;
            case MIDDLE -> 4;
            case BACK -> 8;
            case FORWARD -> 16;
        };
    }

    private static String cdpButton(MouseButton b) {
        return b.name().toLowerCase(Locale.ROOT);
    }

    /** Lets the page apply what was just sent (scrolling) before the next read: two animation frames. */
    private void settle(Tab tab) {
        call("Runtime.evaluate", params().put("expression",
                "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(0))))")
                .put("awaitPromise", true).put("returnByValue", true), tab.sessionId);
    }

    // ---- keyboard ----

    @Override
    public void typeText(String tabId, String text) {
        var tab = tab(tabId);
        var pending = new StringBuilder();
        text.codePoints().forEach(cp -> {
            var ch = new String(Character.toChars(cp));
            var key = ch.equals("\n") || ch.equals("\r") ? "Enter" : ch.equals("\t") ? "Tab" : ch;
            var def = KeyDefinitions.find(key);
            if (def.isPresent()) {
                if (!pending.isEmpty()) {
                    insertText(tab, pending.toString());
                    pending.setLength(0);
                }
                press(tab, def.get());
            } else {
                pending.append(ch);
            }
        });
        if (!pending.isEmpty()) insertText(tab, pending.toString());
    }

    private void insertText(Tab tab, String text) {
        call("Input.insertText", params().put("text", text), tab.sessionId);
    }

    private void press(Tab tab, KeyDefinitions.KeyDef def) {
        keyEvent(tab, def, true);
        keyEvent(tab, def, false);
    }

    @Override
    public void keyChord(String tabId, List<String> keys) {
        var tab = tab(tabId);
        var defs = new ArrayList<KeyDefinitions.KeyDef>();
        for (var name : keys) defs.add(definition(name, keys));
        var pressed = new ArrayList<KeyDefinitions.KeyDef>();
        RuntimeException failure = null;
        try {
            for (var def : defs) {
                // counted as pressed once sent: a press that timed out may still reach the page later
                pressed.add(def);
                keyEvent(tab, def, true);
            }
        } catch (RuntimeException e) {
            failure = e;
        }
        // every key sent goes up again, even if one of them failed: none stays held for later actions
        for (int i = pressed.size() - 1; i >= 0; i--) {
            try {
                keyEvent(tab, pressed.get(i), false);
            } catch (RuntimeException e) {
                if (failure == null) failure = e;
            }
        }
        if (failure != null) throw failure;
    }

    /** A letter pressed with Shift in a chord types its upper case, as on a keyboard. */
    private KeyDefinitions.KeyDef definition(String name, List<String> chord) {
        var key = name;
        if (name.length() == 1 && Character.isLetter(name.charAt(0)) && chord.contains("Shift")) {
            key = name.toUpperCase(Locale.ROOT);
        }
        return KeyDefinitions.find(key).orElseThrow(() -> new PortholeException.ActionFailed(ErrorCode.INVALID_ARGUMENT,
                "the key '" + name + "' cannot be pressed on its own; send it as text with a type action"));
    }

    @Override
    public void keyDown(String tabId, String key) {
        keyEvent(tab(tabId), definition(key, List.of()), true);
    }

    @Override
    public void keyUp(String tabId, String key) {
        keyEvent(tab(tabId), definition(key, List.of()), false);
    }

    private void keyEvent(Tab tab, KeyDefinitions.KeyDef def, boolean down) {
        int bit = KeyDefinitions.modifierBit(def.key());
        if (down) modifiers |= bit;
        var p = params().put("modifiers", modifiers).put("key", def.key()).put("code", def.code())
                .put("windowsVirtualKeyCode", def.keyCode()).put("nativeVirtualKeyCode", def.keyCode())
                .put("location", def.location());
        boolean typesText = down && !def.text().isEmpty() && (modifiers & (KeyDefinitions.CTRL | KeyDefinitions.ALT
                | KeyDefinitions.META)) == 0;
        if (down) {
            p.put("type", typesText ? "keyDown" : "rawKeyDown");
            if (typesText) p.put("text", def.text()).put("unmodifiedText", def.text());
        } else {
            p.put("type", "keyUp");
        }
        // the state follows what was sent, answered or not: a release that timed out leaves no modifier held
        if (!down) modifiers &= ~bit;
        call("Input.dispatchKeyEvent", p, tab.sessionId);
    }

    @Override
    public io.porthole.core.browser.ProtocolClient connectClient(io.porthole.core.browser.ProtocolClient.Protocol protocol,
                                                                 java.util.function.Consumer<String> onMessage,
                                                                 Runnable onClosed) {
        if (protocol != io.porthole.core.browser.ProtocolClient.Protocol.CDP) {
            return io.porthole.core.browser.BrowserDriver.super.connectClient(protocol, onMessage, onClosed);
        }
        return devTools.connect(onMessage, onClosed);
    }

    @Override
    public void onNavigation(java.util.function.BiConsumer<String, String> listener) {
        navigationListener = listener;
    }

    // ---- lifecycle ----

    @Override
    public boolean isAlive() {
        return process.isAlive() && cdp.isOpen();
    }

    @Override
    public void closeNow() {
        // its end is the sandbox's to make: that kills every process of the sandbox at once (its pid namespace),
        // where killing the browser first leaves its children for the sandbox's init to reap a second later
        process.markClosing();
        screencast.shutdown();
        cdp.close();
    }

    @Override
    public void close() {
        process.markClosing();
        screencast.shutdown();
        if (cdp.isOpen() && process.isAlive()) {
            try {
                cdp.send("Browser.close", null, null).get(2, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // killed below
            }
        }
        cdp.close();
        process.kill();
    }

    // ---- helpers ----

    private JsonNode call(String method, ObjectNode params, String sessionId) {
        return cdp.call(method, params, sessionId, COMMAND_TIMEOUT);
    }

    private static void await(CompletableFuture<?> f, Duration timeout, String what) {
        try {
            f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new PortholeException.ActionFailed(what + " did not become ready within " + timeout.toSeconds() + " s");
        } catch (Exception e) {
            throw new PortholeException.ActionFailed(what + " could not be prepared: " + e.getMessage());
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PortholeException.ActionFailed("interrupted");
        }
    }
}
