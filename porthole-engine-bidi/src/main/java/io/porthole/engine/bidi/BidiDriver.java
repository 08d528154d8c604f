package io.porthole.engine.bidi;

import static io.porthole.engine.bidi.BidiConnection.params;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.porthole.api.ErrorCode;
import io.porthole.api.PageContext;
import io.porthole.api.TabInfo;
import io.porthole.core.PortholeException;
import io.porthole.core.action.MouseButton;
import io.porthole.core.action.Point;
import io.porthole.core.browser.BrowserContextInfo;
import io.porthole.core.browser.BrowserDriver;
import io.porthole.core.browser.Identity;
import io.porthole.core.browser.LaunchSpec;
import io.porthole.core.browser.PageScripts;
import io.porthole.core.browser.ProtocolClient;
import io.porthole.core.internal.Threads;
import io.porthole.core.live.Capture;
import io.porthole.core.live.CaptureSettings;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A {@link BrowserDriver} for one Firefox over WebDriver BiDi. Tabs are top-level browsing contexts; contexts
 * are user contexts. Input goes through {@code input.performActions} in CSS pixels: screenshot pixels divided by
 * the device scale. The viewport of every tab is set with {@code browsingContext.setViewport} as it appears.
 *
 * <p>Actions are not safe to run concurrently (the core serialises them); tab bookkeeping is updated from the
 * connection's threads and is thread-safe.
 */
final class BidiDriver implements BrowserDriver {
    private static final System.Logger LOG = System.getLogger(BidiDriver.class.getName());
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration NAVIGATION_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration TAB_READY_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration RELEASE_TIMEOUT = Duration.ofSeconds(5);
    /** The page's own wait for its new size, and a little more for the answer. */
    private static final Duration VIEWPORT_SETTLE_TIMEOUT = Duration.ofMillis(PageScripts.VIEWPORT_WAIT_MILLIS + 1_000);
    private static final String DEFAULT = TabInfo.DEFAULT_CONTEXT;

    /** One top-level browsing context. */
    private static final class Tab {
        /** The browsing context's id in this session. */
        final String id;
        /** The id callers know it by: the context's id, or for a tab taken over, the id the earlier session gave it. */
        final String publicId;
        final String userContext;
        final long order;
        volatile String url;
        /** The last URL and navigation id reported to the navigation listener. */
        volatile String reported;
        volatile String reportedNavigation;
        final CompletableFuture<Void> ready = new CompletableFuture<>();
        /** The pointer's position in CSS pixels; NaN until the first move in this document. */
        double pointerX = Double.NaN;
        double pointerY = Double.NaN;

        Tab(String id, String publicId, String userContext, long order, String url) {
            this.id = id;
            this.publicId = publicId;
            this.userContext = userContext;
            this.order = order;
            this.url = url;
        }
    }

    private final BidiConnection bidi;
    private final FirefoxProcess process;
    private final String sessionId;
    private final boolean headful;
    private final boolean ownDisplay;
    /** What contexts made from now on are told (timezone, locale) when a change of proxy moved the computer; null: the launch identity. */
    private volatile Identity newContextIdentity;
    private final Map<String, Tab> tabs = new ConcurrentHashMap<>();
    /** Child browsing context to its parent, for frames. */
    private final Map<String, String> parents = new ConcurrentHashMap<>();
    /** User contexts by id, with the proxy they were made with. */
    private final Map<String, Optional<String>> userContexts = new ConcurrentHashMap<>();
    /**
     * The user contexts Firefox has before anyone makes one (its own containers: Personal, Work, …), which are
     * not a client's contexts and are not listed. After a take-over this also holds the ones made before it.
     */
    private final java.util.Set<String> builtIn = ConcurrentHashMap.newKeySet();
    private final Set<String> chromeContexts = ConcurrentHashMap.newKeySet();
    /**
     * Tabs taken over from an earlier session: Firefox gives every tab a new id in a new session, so the ids callers
     * know stay in use. Context id to the earlier id, and back.
     */
    private final Map<String, String> aliases = new ConcurrentHashMap<>();
    private final Map<String, String> contextByPublic = new ConcurrentHashMap<>();
    private final AtomicLong tabCounter = new AtomicLong();
    private final ClientMux mux;
    private volatile String mainTabId;
    private volatile java.util.function.BiConsumer<String, String> navigationListener = (tab, url) -> { };
    private volatile int width;
    private volatile int height;
    private volatile double scale;
    /** Screencasts running now, stopped with the browser at the latest. */
    private final Set<BidiScreencast> screencasts = ConcurrentHashMap.newKeySet();

    BidiDriver(BidiConnection bidi, FirefoxProcess process, JsonNode session, LaunchSpec spec) {
        this(bidi, process, session, spec, false);
    }

    /**
     * @param ownDisplay Firefox runs headful on an X server of its own (the viewport is still set per tab, and the
     *     window is fitted around it)
     */
    BidiDriver(BidiConnection bidi, FirefoxProcess process, JsonNode session, LaunchSpec spec, boolean ownDisplay) {
        this.bidi = bidi;
        this.process = process;
        this.sessionId = session.path("sessionId").asText("");
        this.headful = spec.headful();
        this.ownDisplay = ownDisplay;
        this.width = spec.width();
        this.height = spec.height();
        this.scale = spec.scale();
        userContexts.put(DEFAULT, Optional.empty());
        // the index of contexts is updated on the reader thread, before the mux routes the same event
        bidi.tapEvents(this::indexContexts);
        this.mux = new ClientMux(bidi, session, new ClientMux.Contexts() {
            @Override
            public String topLevel(String context) {
                return BidiDriver.this.topLevel(context);
            }

            @Override
            public Optional<String> userContext(String topLevel) {
                return Optional.ofNullable(tabs.get(topLevel)).map(t -> t.userContext);
            }

            @Override
            public boolean forbidden(String id) {
                return chromeContexts.contains(id);
            }
        });
        bidi.onEvent(this::onEvent);
    }

    /** The WebDriver session the driver holds. */
    String sessionId() {
        return sessionId;
    }

    /**
     * Hides automation, lets a later run take the session over, subscribes to what the driver follows, and waits
     * for the first tab to be ready.
     *
     * @param previous the session of the earlier run whose browser this driver takes over (ended by now); empty
     *     for a browser just launched
     */
    void start(Duration timeout, Optional<Previous> previous) {
        hideWebdriverFlag();
        for (var u : call("browser.getUserContexts", params()).path("userContexts")) {
            var id = u.path("userContext").asText();
            if (!id.equals(DEFAULT)) builtIn.add(id);
        }
        allowTakeOver(previous.map(Previous::session));
        // the tabs there are, in the window's order, before subscribing: Firefox announces the existing contexts to a
        // new contextCreated subscription, in an order of its own
        var existing = call("browsingContext.getTree", params().put("maxDepth", 0)).path("contexts");
        previous.ifPresent(p -> alias(p.tabs(), existing));
        for (var context : existing) {
            register(context.path("context").asText(), context.path("userContext").asText(DEFAULT),
                    context.path("url").asText(""));
        }
        var events = params();
        events.putArray("events").add("browsingContext.contextCreated").add("browsingContext.contextDestroyed")
                .add("browsingContext.load").add("browsingContext.fragmentNavigated")
                .add("browsingContext.userPromptOpened");
        call("session.subscribe", events);
        try {
            var more = params();
            more.putArray("events").add("browsingContext.historyUpdated");
            call("session.subscribe", more);
        } catch (BidiException e) {
            LOG.log(System.Logger.Level.DEBUG, "no browsingContext.historyUpdated: {0}", e.getMessage());
        }
        try {
            var more = params();
            more.putArray("events").add("browsingContext.navigationCommitted");
            call("session.subscribe", more);
        } catch (BidiException e) {
            LOG.log(System.Logger.Level.DEBUG, "no browsingContext.navigationCommitted: {0}", e.getMessage());
        }
        var tree = call("browsingContext.getTree", params());
        for (var context : tree.path("contexts")) {
            register(context.path("context").asText(), context.path("userContext").asText(DEFAULT),
                    context.path("url").asText(""));
            indexChildren(context);
        }
        for (var u : call("browser.getUserContexts", params()).path("userContexts")) {
            userContexts.putIfAbsent(u.path("userContext").asText(), Optional.empty());
        }
        var first = previous.isPresent() ? selectedTab() : tabs.values().stream().min((a, b) -> Long.compare(a.order, b.order));
        if (first.isPresent()) {
            await(first.get().ready, timeout, "the first tab");
            mainTabId = first.get().id;
        } else {
            mainTabId = createTab(DEFAULT).id;
        }
        if (ownDisplay) fitWindow();
        focusPage();
    }

    /**
     * A headful window on a display of its own: its content area sized to the viewport (each tab's viewport is set
     * too, which keeps screenshots exact), so that innerWidth and innerHeight match the window around them and
     * outerWidth and outerHeight exceed them by the toolbars and the window manager's frame, as on a desktop.
     */
    private void fitWindow() {
        var window = chromeWindow;
        if (window == null) return;
        try {
            var result = evaluateIn(window, "(() => { const area = gBrowser.tabpanels.getBoundingClientRect();"
                    + " const dw = " + width + " - Math.round(area.width), dh = " + height + " - Math.round(area.height);"
                    + " if (dw || dh) window.resizeBy(dw, dh); return dw + ',' + dh; })()");
            LOG.log(System.Logger.Level.DEBUG, "window fitted to the viewport by {0}", result.path("value").asText());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "the window could not be fitted to the viewport: {0}", e.getMessage());
        }
    }

    /**
     * Gives the selected tab's page the keyboard focus, as a user's click into it or a typed address does: at start the
     * window's focus is on the address bar (the first page is about:blank), and a navigation over BiDi leaves it there,
     * so document.hasFocus() would be false in every page. Headless too: the headless window is active, only its
     * focus is in the wrong place.
     */
    private void focusPage() {
        var window = chromeWindow;
        if (window == null || headful) return;
        try {
            evaluateIn(window, "(() => { window.focus(); gBrowser.selectedBrowser.focus(); return true; })()");
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "the page could not be focused: {0}", e.getMessage());
        }
    }

    /** The session an earlier run of the server held, and its top-level contexts in the browser's order. */
    record Previous(String session, List<String> tabs) {}

    /**
     * Keeps the earlier session's tab ids: both trees list the window's tabs in the same order, and nothing happened
     * in between but ending one session and starting the next. If the counts differ, the new ids are used.
     */
    private void alias(List<String> earlier, JsonNode contexts) {
        if (earlier.size() != contexts.size()) {
            LOG.log(System.Logger.Level.WARNING, "the tabs changed during the take-over ({0} before, {1} now); their ids"
                    + " change", earlier.size(), contexts.size());
            return;
        }
        for (int i = 0; i < earlier.size(); i++) {
            var now = contexts.path(i).path("context").asText();
            if (now.equals(earlier.get(i))) continue;
            aliases.put(now, earlier.get(i));
            contextByPublic.put(earlier.get(i), now);
        }
    }

    /** Context ids of tabs taken over, to the ids callers know them by (for the next take-over). */
    Map<String, String> aliases() {
        return Map.copyOf(aliases);
    }

    /** The tab callers know as {@code publicId} (or by its context's id). */
    private Tab lookup(String publicId) {
        var tab = tabs.get(contextByPublic.getOrDefault(publicId, publicId));
        return tab != null ? tab : tabs.get(publicId);
    }

    /**
     * The tab an earlier run had as its main tab: the one its window shows (switching tabs activates the tab, so
     * its document is the visible one), else the newest.
     */
    private Optional<Tab> selectedTab() {
        var ordered = new ArrayList<>(tabs.values());
        ordered.sort((a, b) -> Long.compare(a.order, b.order));
        var answers = new ArrayList<CompletableFuture<JsonNode>>();
        for (var t : ordered) answers.add(bidi.send("script.evaluate", evaluateParams(t.id, "document.visibilityState")));
        Optional<Tab> visible = Optional.empty();
        for (int i = 0; i < ordered.size(); i++) {
            try {
                var state = answers.get(i).get(5, TimeUnit.SECONDS).path("result").path("value").asText("");
                if (state.equals("visible")) visible = Optional.of(ordered.get(i));
            } catch (Exception e) {
                LOG.log(System.Logger.Level.DEBUG, "tab {0} did not say whether it is visible: {1}", ordered.get(i).id, e);
            }
        }
        if (visible.isPresent()) return visible;
        return ordered.isEmpty() ? Optional.empty() : Optional.of(ordered.getLast());
    }

    /**
     * Firefox keeps a WebDriver BiDi session when its WebSocket closes, and a session made over BiDi has no path a
     * new connection could join it by; so after a crash of the server nothing could end it, and no new session could
     * be made. Registered here (from chrome scope, as Firefox registers {@code /session/<id>} for a classic session
     * that asks for a WebSocket), a later run of the server can connect to the session and end it. The earlier run's
     * path, if any, is dropped. A Firefox without this internal API still works; it just cannot be taken over.
     */
    private void allowTakeOver(Optional<String> previous) {
        var window = chromeWindow;
        if (window == null) return;
        var text = BidiConnection.JSON.getNodeFactory();
        try {
            var result = evaluateIn(window, "(() => { const { RemoteAgent } = ChromeUtils.importESModule("
                    + "'chrome://remote/content/components/RemoteAgent.sys.mjs');"
                    + " const server = RemoteAgent.server; const session = RemoteAgent.webDriverBiDi?.session;"
                    + " if (!server || !session || session.id !== " + text.textNode(sessionId) + ") return 'no session';"
                    + " const previous = " + text.textNode(previous.orElse("")) + ";"
                    + " if (previous && previous !== session.id) server.registerPathHandler('/session/' + previous, null);"
                    + " server.registerPathHandler(session.path, session); return 'registered ' + session.path; })()");
            LOG.log(System.Logger.Level.DEBUG, "take-over path: {0}", result.path("value").asText());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "this Firefox cannot be taken over after a restart: {0}", e.getMessage());
        }
    }

    /**
     * {@code navigator.webdriver} is true while the remote agent listens, and no pref changes that: the content
     * processes read it from a flag the agent shares with them ({@code RemoteAgent:Active}). Cleared once from
     * the browser window's (chrome) scope, it reads false again, natively, in every present and future page.
     */
    private void hideWebdriverFlag() {
        var scope = params().put("moz:scope", "chrome");
        var tree = call("browsingContext.getTree", scope);
        collectChrome(tree.path("contexts"));
        var window = tree.path("contexts").path(0).path("context").asText("");
        if (window.isEmpty()) throw new BidiException("no such frame", "Firefox has no browser window");
        chromeWindow = window;
        var result = evaluateIn(window, "(() => { Services.ppmm.sharedData.set('RemoteAgent:Active', false);"
                + " Services.ppmm.sharedData.flush();"
                + " let level = -1; try { level = Cc['@mozilla.org/sandbox/sandbox-settings;1']"
                + ".getService(Ci.mozISandboxSettings).effectiveContentSandboxLevel; } catch (e) {}"
                + " return JSON.stringify({level, userns: Services.sysinfo.getProperty('hasUserNamespaces'),"
                + " seccomp: Services.sysinfo.getProperty('hasSeccompBPF')}); })()");
        LOG.log(System.Logger.Level.DEBUG, "Firefox content sandbox: {0}", result.path("value").asText());
        contentSandbox = result.path("value").asText("");
    }

    /** The browser window's (chrome) context. */
    private volatile String chromeWindow;

    /** What Firefox said about its content sandbox at start (JSON: level, userns, seccomp); for diagnostics. */
    volatile String contentSandbox = "";

    private void collectChrome(JsonNode contexts) {
        for (var c : contexts) {
            chromeContexts.add(c.path("context").asText());
            collectChrome(c.path("children"));
        }
    }

    // ---- events ----

    private void indexContexts(BidiConnection.Event e) {
        if (!e.method().equals("browsingContext.contextCreated")) return;
        var p = e.params();
        var id = p.path("context").asText();
        var parent = p.path("parent");
        if (parent.isTextual()) {
            parents.put(id, parent.asText());
        } else {
            register(id, p.path("userContext").asText(DEFAULT), p.path("url").asText(""));
        }
    }

    private void onEvent(BidiConnection.Event e) {
        var p = e.params();
        switch (e.method()) {
            case "browsingContext.contextDestroyed" -> forget(p.path("context").asText());
            case "browsingContext.load", "browsingContext.fragmentNavigated", "browsingContext.historyUpdated",
                 "browsingContext.navigationCommitted" -> {
                var tab = tabs.get(p.path("context").asText());
                if (tab != null && p.path("url").isTextual()) {
                    tab.url = p.path("url").asText();
                    // once per navigation (committed, then loaded); same-document changes once per new URL
                    var navigation = p.path("navigation").asText("");
                    boolean fresh = navigation.isEmpty() ? !tab.url.equals(tab.reported)
                            : !navigation.equals(tab.reportedNavigation);
                    if (fresh && !tab.url.equals("about:blank")) {
                        tab.reported = tab.url;
                        tab.reportedNavigation = navigation;
                        try {
                            navigationListener.accept(tab.publicId, tab.url);
                        } catch (RuntimeException ex) {
                            LOG.log(System.Logger.Level.WARNING, "the navigation listener failed", ex);
                        }
                    }
                }
                if (tab != null && e.method().equals("browsingContext.load")) {
                    tab.pointerX = Double.NaN; // a new document has seen no pointer yet
                }
            }
            case "browsingContext.userPromptOpened" -> {
                // an open alert() blocks the page for every later action; accept it like a user would, unless a
                // client is connected, which handles its own dialogs
                if (mux.hasClients()) return;
                var context = p.path("context").asText();
                Threads.startVirtual("bidi-prompt", () -> {
                    try {
                        call("browsingContext.handleUserPrompt", params().put("context", context).put("accept", true));
                    } catch (BidiException ex) {
                        LOG.log(System.Logger.Level.DEBUG, "prompt not handled: {0}", ex.getMessage());
                    }
                });
            }
            default -> { }
        }
    }

    private void indexChildren(JsonNode context) {
        for (var child : context.path("children")) {
            parents.put(child.path("context").asText(), context.path("context").asText());
            indexChildren(child);
        }
    }

    private Tab register(String id, String userContext, String url) {
        var created = new boolean[1];
        var tab = tabs.computeIfAbsent(id, k -> {
            created[0] = true;
            return new Tab(k, aliases.getOrDefault(k, k), userContext, tabCounter.incrementAndGet(), url);
        });
        userContexts.putIfAbsent(userContext, Optional.empty());
        if (created[0]) Threads.startVirtual("bidi-tab-setup", () -> setUpTab(tab));
        return tab;
    }

    private void setUpTab(Tab tab) {
        try {
            if (!headful) applyViewport(tab.id);
            tab.ready.complete(null);
        } catch (RuntimeException e) {
            tab.ready.completeExceptionally(e);
        }
    }

    private void applyViewport(String context) {
        var p = params().put("context", context).put("devicePixelRatio", scale);
        p.putObject("viewport").put("width", width).put("height", height);
        call("browsingContext.setViewport", p);
    }

    private String topLevel(String context) {
        var current = context;
        for (int i = 0; i < 64; i++) {
            var parent = parents.get(current);
            if (parent == null) return current;
            current = parent;
        }
        return current;
    }

    private void forget(String id) {
        parents.remove(id);
        var gone = tabs.remove(id);
        if (gone == null) return;
        contextByPublic.remove(gone.publicId);
        aliases.remove(id);
        parents.values().removeIf(id::equals);
        if (id.equals(mainTabId)) mainTabId = newestTab().orElse(null);
    }

    private Optional<String> newestTab() {
        return tabs.values().stream().max((a, b) -> Long.compare(a.order, b.order)).map(t -> t.id);
    }

    // ---- tabs ----

    @Override
    public String resolveTab(Optional<String> requested) {
        if (requested.isPresent()) {
            var tab = lookup(requested.get());
            if (tab == null) throw new PortholeException.ActionFailed("no open tab with id '" + requested.get()
                    + "'; list tabs with GET /computers/{id}/tabs");
            return tab.publicId;
        }
        var main = mainTabId;
        var tab = main == null ? null : tabs.get(main);
        if (tab == null) {
            main = newestTab().orElseThrow(() -> new PortholeException.ActionFailed("the browser has no open tab"));
            mainTabId = main;
            tab = tabs.get(main);
            if (tab == null) throw new PortholeException.ActionFailed("the browser has no open tab");
        }
        return tab.publicId;
    }

    private Tab tab(String tabId) {
        var tab = lookup(tabId);
        if (tab == null) throw new PortholeException.ActionFailed("the tab '" + tabId + "' is closed");
        await(tab.ready, TAB_READY_TIMEOUT, "tab " + tabId);
        return tab;
    }

    @Override
    public List<TabInfo> tabs() {
        var ordered = new ArrayList<>(tabs.values());
        ordered.sort((a, b) -> Long.compare(a.order, b.order));
        // titles come from the pages; ask them all at once
        var titles = new ArrayList<CompletableFuture<JsonNode>>();
        for (var t : ordered) titles.add(bidi.send("script.evaluate", evaluateParams(t.id, "document.title")));
        var out = new ArrayList<TabInfo>();
        var main = mainTabId;
        for (int i = 0; i < ordered.size(); i++) {
            var t = ordered.get(i);
            String title;
            try {
                title = titles.get(i).get(2, TimeUnit.SECONDS).path("result").path("value").asText("");
            } catch (Exception e) {
                title = "";
            }
            out.add(new TabInfo(t.publicId, t.url == null ? "" : t.url, title, t.id.equals(main), t.userContext));
        }
        return out;
    }

    @Override
    public TabInfo newTab(Optional<String> url) {
        return newTabIn(DEFAULT, url);
    }

    @Override
    public TabInfo newTabIn(String contextId, Optional<String> url) {
        if (!knownUserContext(contextId)) {
            throw new PortholeException.NotFound(ErrorCode.NOT_FOUND, "no context " + contextId);
        }
        var tab = createTab(contextId);
        mainTabId = tab.id;
        nudgeScreencasts();
        call("browsingContext.activate", params().put("context", tab.id));
        focusPage();
        if (url.isPresent() && !url.get().isBlank()) navigate(tab.publicId, url.get());
        return new TabInfo(tab.publicId, tab.url == null ? "" : tab.url, "", true, tab.userContext);
    }

    private boolean knownUserContext(String id) {
        if (userContexts.containsKey(id)) return true;
        for (var u : call("browser.getUserContexts", params()).path("userContexts")) {
            userContexts.putIfAbsent(u.path("userContext").asText(), Optional.empty());
        }
        return userContexts.containsKey(id);
    }

    private Tab createTab(String userContext) {
        var p = params().put("type", "tab").put("background", false);
        if (!userContext.equals(DEFAULT)) p.put("userContext", userContext);
        var created = call("browsingContext.create", p);
        var id = created.path("context").asText();
        var tab = register(id, userContext, "about:blank");
        await(tab.ready, TAB_READY_TIMEOUT, "the new tab");
        return tab;
    }

    @Override
    public void switchTab(String tabId) {
        var tab = tab(resolveTab(Optional.of(tabId)));
        call("browsingContext.activate", params().put("context", tab.id));
        focusPage();
        mainTabId = tab.id;
        nudgeScreencasts();
    }

    @Override
    public void closeTab(String tabId) {
        var tab = tab(resolveTab(Optional.of(tabId)));
        if (tabs.size() <= 1) {
            throw new PortholeException.ActionFailed("the last tab cannot be closed; open another tab first");
        }
        call("browsingContext.close", params().put("context", tab.id));
        forget(tab.id);
        var main = tab(resolveTab(Optional.empty()));
        call("browsingContext.activate", params().put("context", main.id));
        focusPage();
        nudgeScreencasts();
    }

    // ---- contexts ----

    @Override
    public List<BrowserContextInfo> contexts() {
        knownUserContext(DEFAULT); // refreshes from the browser: a client may have made some
        var out = new ArrayList<BrowserContextInfo>();
        out.add(new BrowserContextInfo(DEFAULT, Optional.empty()));
        userContexts.forEach((id, proxy) -> {
            if (!id.equals(DEFAULT) && !builtIn.contains(id)) out.add(new BrowserContextInfo(id, proxy));
        });
        return out;
    }

    @Override
    public BrowserContextInfo createContext(Optional<String> proxy) {
        var p = params();
        Optional<String> shown = Optional.empty();
        if (proxy.isPresent()) {
            var uri = proxyUri(proxy.get());
            var hostPort = uri.getHost() + ":" + uri.getPort();
            var config = p.putObject("proxy").put("proxyType", "manual");
            if (uri.getScheme().equalsIgnoreCase("http")) {
                config.put("httpProxy", hostPort).put("sslProxy", hostPort);
            } else {
                config.put("socksProxy", hostPort).put("socksVersion", 5);
            }
            config.putArray("noProxy"); // loopback goes through it too, as for the default context
            shown = Optional.of(uri.getScheme() + "://" + hostPort);
        }
        String id;
        try {
            id = call("browser.createUserContext", p).path("userContext").asText();
        } catch (BidiException e) {
            throw new PortholeException.ActionFailed("Firefox could not make the context: " + e.getMessage());
        }
        userContexts.put(id, shown);
        var identity = newContextIdentity;
        if (identity != null) applyIdentity(id, identity);
        createTab(id);
        return new BrowserContextInfo(id, shown);
    }

    /**
     * Contexts made from now on take {@code identity}'s timezone, locale and geolocation through BiDi's per-user-context
     * emulation (Firefox 153). Measured: the zone and locale reach the context's pages, dedicated and shared workers;
     * navigator.languages and Accept-Language become the locale alone (Firefox derives them from the locale override,
     * so not the identity's whole list); service workers keep the process's zone and languages (TZ and prefs of the
     * launch identity). A geolocation only answers without a prompt if the launch identity had one too
     * (permissions.default.geo).
     */
    @Override
    public boolean identityForNewContexts(Identity identity) {
        newContextIdentity = identity;
        return true;
    }

    private void applyIdentity(String userContext, Identity identity) {
        try {
            var tz = params().put("timezone", identity.timezone());
            tz.putArray("userContexts").add(userContext);
            call("emulation.setTimezoneOverride", tz);
            var locale = params().put("locale", identity.locale());
            locale.putArray("userContexts").add(userContext);
            call("emulation.setLocaleOverride", locale);
            if (identity.geolocation().isPresent()) {
                var g = identity.geolocation().get();
                var geo = params();
                geo.putObject("coordinates").put("latitude", g.latitude()).put("longitude", g.longitude())
                        .put("accuracy", g.accuracyMeters());
                geo.putArray("userContexts").add(userContext);
                call("emulation.setGeolocationOverride", geo);
            }
        } catch (BidiException e) {
            LOG.log(System.Logger.Level.WARNING, "context {0} keeps the launch identity: {1}", userContext, e.getMessage());
        }
    }

    private static URI proxyUri(String proxy) {
        URI uri;
        try {
            uri = new URI(proxy);
        } catch (java.net.URISyntaxException e) {
            throw new PortholeException.InvalidRequest("not a proxy URL: " + proxy);
        }
        var scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("socks5")) || uri.getHost() == null || uri.getPort() <= 0) {
            throw new PortholeException.InvalidRequest(ErrorCode.INVALID_ARGUMENT,
                    "a context's proxy must be http://host:port or socks5://host:port, not " + proxy);
        }
        return uri;
    }

    @Override
    public void closeContext(String contextId) {
        if (contextId.equals(DEFAULT)) {
            throw new PortholeException.InvalidRequest(ErrorCode.INVALID_ARGUMENT, "the default context cannot be closed");
        }
        if (!knownUserContext(contextId)) throw new PortholeException.NotFound(ErrorCode.NOT_FOUND, "no context " + contextId);
        // a browser without tabs would quit: keep one open outside the context
        if (tabs.values().stream().allMatch(t -> t.userContext.equals(contextId))) createTab(DEFAULT);
        try {
            call("browser.removeUserContext", params().put("userContext", contextId));
        } catch (BidiException e) {
            throw new PortholeException.ActionFailed("Firefox could not close the context: " + e.getMessage());
        }
        userContexts.remove(contextId);
        tabs.values().stream().filter(t -> t.userContext.equals(contextId)).map(t -> t.id).toList().forEach(this::forget);
    }

    // ---- cookies ----

    /** A user context's cookie store: every cookie of that context, of every site. */
    private static ObjectNode partition(String userContext) {
        return params().put("type", "storageKey").put("userContext", userContext);
    }

    /**
     * Every cookie of the default user context, session cookies included, as {@code storage.getCookies} lists them
     * ({@code value} a BytesValue, {@code expiry} in seconds for a persistent cookie, none for a session cookie).
     */
    @Override
    public Optional<String> exportCookies() {
        var p = params();
        p.set("partition", partition(DEFAULT));
        var cookies = call("storage.getCookies", p).path("cookies");
        var out = BidiConnection.JSON.createArrayNode();
        for (var c : cookies) {
            var copy = ((ObjectNode) c).deepCopy();
            copy.remove("size");
            out.add(copy);
        }
        return Optional.of(out.toString());
    }

    /** Sets cookies that {@link #exportCookies} returned; one that Firefox refuses is skipped (and logged). */
    @Override
    public void importCookies(String json) {
        importCookies(DEFAULT, json);
    }

    /** Sets cookies that {@link #exportCookies} returned in one user context ({@code default} is the browser's own). */
    @Override
    public void importCookies(String contextId, String json) {
        if (!knownUserContext(contextId)) throw new PortholeException.NotFound(ErrorCode.NOT_FOUND, "no context '" + contextId + "'");
        JsonNode cookies;
        try {
            cookies = BidiConnection.JSON.readTree(json);
        } catch (java.io.IOException e) {
            LOG.log(System.Logger.Level.WARNING, "saved cookies are not JSON; none restored");
            return;
        }
        if (cookies == null || !cookies.isArray()) return;
        long now = System.currentTimeMillis() / 1000;
        int skipped = 0;
        for (var c : cookies) {
            var cookie = params();
            for (var field : List.of("name", "value", "domain", "path", "httpOnly", "secure", "sameSite")) {
                if (c.has(field) && !c.get(field).isNull()) cookie.set(field, c.get(field));
            }
            // a session cookie has no expiry: it lives as long as this browser does
            if (c.path("expiry").isNumber()) {
                if (c.path("expiry").asLong() <= now) continue; // expired meanwhile
                cookie.put("expiry", c.path("expiry").asLong());
            }
            var p = params();
            p.set("cookie", cookie);
            p.set("partition", partition(contextId));
            try {
                call("storage.setCookie", p);
            } catch (BidiException e) {
                skipped++;
                LOG.log(System.Logger.Level.DEBUG, "cookie {0} for {1} not restored: {2}", c.path("name").asText(),
                        c.path("domain").asText(), e.getMessage());
            }
        }
        if (skipped > 0) LOG.log(System.Logger.Level.WARNING, "{0} saved cookies were not restored", skipped);
    }

    /**
     * Calls {@code listener} with (tab id, URL) whenever a tab's main frame commits a new URL, whoever caused it.
     * One listener; a later call replaces it.
     */
    public void onNavigation(java.util.function.BiConsumer<String, String> listener) {
        navigationListener = listener;
    }

    @Override
    public ProtocolClient connectClient(ProtocolClient.Protocol protocol, Consumer<String> onMessage, Runnable onClosed) {
        if (protocol != ProtocolClient.Protocol.BIDI) {
            return BrowserDriver.super.connectClient(protocol, onMessage, onClosed);
        }
        return mux.connect(onMessage, onClosed);
    }

    // ---- navigation and content ----

    @Override
    public void navigate(String tabId, String url) {
        // checked by the parser already; checked again because a driver never opens the host's files
        var target = io.porthole.core.action.Urls.navigable(url);
        var tab = tab(tabId);
        var p = params().put("context", tab.id).put("url", target).put("wait", "complete");
        try {
            var result = bidi.call("browsingContext.navigate", p, NAVIGATION_TIMEOUT);
            if (result.path("url").isTextual()) tab.url = result.path("url").asText();
        } catch (BidiException e) {
            if (e.error().equals("timeout")) {
                LOG.log(System.Logger.Level.DEBUG, "{0} did not load within {1}s", target, NAVIGATION_TIMEOUT.toSeconds());
                return;
            }
            throw new PortholeException.ActionFailed("navigation to " + target + " failed: " + e.getMessage());
        } finally {
            tab.pointerX = Double.NaN;
            nudgeScreencasts();
        }
    }

    @Override
    public byte[] screenshotPng(String tabId) {
        var tab = tab(tabId);
        var p = params().put("context", tab.id).put("origin", "viewport");
        p.putObject("format").put("type", "image/png");
        var result = call("browsingContext.captureScreenshot", p);
        return java.util.Base64.getDecoder().decode(result.path("data").asText());
    }

    /**
     * Pictures of the main tab, taken while the capture runs: BiDi has no screencast (see {@link BidiScreencast}).
     */
    @Override
    public Capture screencast(CaptureSettings settings, Capture.Sink sink) {
        if (!isAlive()) throw new PortholeException.Unavailable("the browser has ended; there is nothing to watch");
        var holder = new BidiScreencast[1];
        var capture = new BidiScreencast(bidi, settings, sink, this::screencastView, () -> screencasts.remove(holder[0]));
        holder[0] = capture;
        screencasts.add(capture);
        return capture.start();
    }

    /** The page may be changing (input, a navigation, another tab or size): screencasts look now. */
    private void nudgeScreencasts() {
        for (var s : screencasts) s.nudge();
    }

    /** What a screencast takes now: the main tab once it is set up, at the viewport's size. */
    private Optional<BidiScreencast.View> screencastView() {
        var main = mainTabId;
        var tab = main == null ? null : tabs.get(main);
        if (tab == null) tab = newestTab().map(tabs::get).orElse(null);
        if (tab == null || !tab.ready.isDone() || tab.ready.isCompletedExceptionally()) return Optional.empty();
        return Optional.of(new BidiScreencast.View(tab.id, width, height));
    }

    @Override
    public String html(String tabId) {
        return evaluate(tabId, "(document.doctype ? new XMLSerializer().serializeToString(document.doctype) + '\\n' : '')"
                + " + (document.documentElement ? document.documentElement.outerHTML : '')").path("value").asText("");
    }

    @Override
    public PageContext pageContext(String tabId) {
        var tab = tab(tabId);
        var json = evaluateIn(tab.id, "JSON.stringify({url: location.href, title: document.title, vw: innerWidth, vh: innerHeight,"
                + " pw: Math.max(document.documentElement ? document.documentElement.scrollWidth : 0, innerWidth),"
                + " ph: Math.max(document.documentElement ? document.documentElement.scrollHeight : 0, innerHeight),"
                + " sx: scrollX, sy: scrollY, dpr: devicePixelRatio})").path("value").asText("{}");
        JsonNode v;
        try {
            v = BidiConnection.JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new PortholeException.ActionFailed("the page could not be read: " + e.getMessage());
        }
        return new PageContext(v.path("url").asText(), v.path("title").asText(), tab.publicId, tab.id.equals(mainTabId),
                v.path("vw").asInt(), v.path("vh").asInt(), v.path("pw").asInt(), v.path("ph").asInt(),
                v.path("sx").asDouble(), v.path("sy").asDouble(), v.path("dpr").asDouble());
    }

    static ObjectNode evaluateParams(String context, String expression) {
        var p = params().put("expression", expression).put("awaitPromise", true).put("resultOwnership", "none");
        p.putObject("target").put("context", context);
        return p;
    }

    /** Evaluates in the page; the result's remote value ({@code type}, {@code value}). */
    private JsonNode evaluate(String tabId, String expression) {
        return evaluateIn(tab(tabId).id, expression);
    }

    private JsonNode evaluateIn(String context, String expression) {
        JsonNode result;
        try {
            result = call("script.evaluate", evaluateParams(context, expression));
        } catch (BidiException e) {
            throw new PortholeException.ActionFailed("the page could not be read: " + e.getMessage());
        }
        if ("exception".equals(result.path("type").asText())) {
            throw new PortholeException.ActionFailed("the page could not be read: "
                    + result.path("exceptionDetails").path("text").asText());
        }
        return result.path("result");
    }

    /**
     * Sizes every tab and answers once their pages have the new size: a read right after the command could see
     * the old size otherwise. A tab still being set up is waited for (it may have applied the old size).
     */
    @Override
    public void setViewport(int width, int height, double scale) {
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
            applyViewport(tab.id);
            sized.add(tab);
        }
        if (ownDisplay) fitWindow();
        var resized = new ArrayList<CompletableFuture<JsonNode>>();
        for (var tab : sized) {
            resized.add(bidi.send("script.evaluate", evaluateParams(tab.id, PageScripts.awaitViewport(width, height, scale))));
        }
        for (var f : resized) {
            try {
                f.get(VIEWPORT_SETTLE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PortholeException.ActionFailed("set_viewport: interrupted");
            } catch (ExecutionException | TimeoutException e) {
                // a page that does not answer resizes all the same; the next action waits for it as usual
                f.cancel(false);
                LOG.log(System.Logger.Level.DEBUG, "a page did not confirm its new size: {0}", e.getMessage());
            }
        }
        nudgeScreencasts();
    }

    // ---- mouse ----

    private static final String MOUSE = "mouse";

    /** A pointer input source with {@code actions} to fill. */
    private static ObjectNode mouse(ArrayNode sources) {
        var source = sources.addObject().put("type", "pointer").put("id", MOUSE);
        source.putObject("parameters").put("pointerType", "mouse");
        source.putArray("actions");
        return source;
    }

    private void perform(Tab tab, ArrayNode sources) {
        var p = params().put("context", tab.id);
        p.set("actions", sources);
        nudgeScreencasts();
        try {
            call("input.performActions", p);
            nudgeScreencasts();
        } catch (BidiException e) {
            // Firefox keeps the input state of the session: a key or button of the failed actions left pressed
            // would be held in every later action, so let go of everything (best effort, briefly)
            try {
                bidi.call("input.releaseActions", params().put("context", tab.id), RELEASE_TIMEOUT);
            } catch (BidiException again) {
                LOG.log(System.Logger.Level.DEBUG, "input.releaseActions after a failed input: {0}", again.getMessage());
            }
            throw new PortholeException.ActionFailed("the input could not be sent: " + e.getMessage());
        }
    }

    /** Adds a move to {@code at} (screenshot pixels) unless the pointer is there already. */
    private void moveTo(Tab tab, ObjectNode source, Optional<Point> at) {
        if (at.isEmpty()) {
            if (Double.isNaN(tab.pointerX)) { // never moved in this document: start from the corner, as pages see it
                tab.pointerX = 0;
                tab.pointerY = 0;
                addMove(source, 0, 0);
            }
            return;
        }
        double x = at.get().x() / scale;
        double y = at.get().y() / scale;
        if (x == tab.pointerX && y == tab.pointerY) return;
        tab.pointerX = x;
        tab.pointerY = y;
        addMove(source, x, y);
    }

    private static void addMove(ObjectNode source, double x, double y) {
        ((ArrayNode) source.get("actions")).addObject().put("type", "pointerMove").put("x", x).put("y", y)
                .put("duration", 0).put("origin", "viewport");
    }

    private static int button(MouseButton b) {
        return switch (b) {
            case LEFT -> 0;
            case MIDDLE -> 1;
            case RIGHT -> 2;
            case BACK -> 3;
            case FORWARD -> 4;
        };
    }

    private static void addButton(ObjectNode source, String type, MouseButton b) {
        ((ArrayNode) source.get("actions")).addObject().put("type", type).put("button", button(b));
    }

    @Override
    public void click(String tabId, Optional<Point> at, MouseButton button, int clicks) {
        var tab = tab(tabId);
        var sources = BidiConnection.JSON.createArrayNode();
        var source = mouse(sources);
        moveTo(tab, source, at);
        for (int i = 0; i < clicks; i++) {
            addButton(source, "pointerDown", button);
            addButton(source, "pointerUp", button);
        }
        perform(tab, sources);
    }

    @Override
    public void mouseMove(String tabId, Point to) {
        var tab = tab(tabId);
        var sources = BidiConnection.JSON.createArrayNode();
        moveTo(tab, mouse(sources), Optional.of(to));
        if (!((ArrayNode) sources.get(0).get("actions")).isEmpty()) perform(tab, sources);
    }

    @Override
    public void mouseDown(String tabId, Optional<Point> at, MouseButton button) {
        var tab = tab(tabId);
        var sources = BidiConnection.JSON.createArrayNode();
        var source = mouse(sources);
        moveTo(tab, source, at);
        addButton(source, "pointerDown", button);
        perform(tab, sources);
    }

    @Override
    public void mouseUp(String tabId, Optional<Point> at, MouseButton button) {
        var tab = tab(tabId);
        var sources = BidiConnection.JSON.createArrayNode();
        var source = mouse(sources);
        moveTo(tab, source, at);
        addButton(source, "pointerUp", button);
        perform(tab, sources);
    }

    @Override
    public void drag(String tabId, List<Point> path) {
        var tab = tab(tabId);
        var sources = BidiConnection.JSON.createArrayNode();
        var source = mouse(sources);
        moveTo(tab, source, Optional.of(path.getFirst()));
        addButton(source, "pointerDown", MouseButton.LEFT);
        for (int i = 1; i < path.size(); i++) {
            double fromX = tab.pointerX;
            double fromY = tab.pointerY;
            double toX = path.get(i).x() / scale;
            double toY = path.get(i).y() / scale;
            int steps = 5;
            for (int s = 1; s <= steps; s++) {
                addMove(source, fromX + (toX - fromX) * s / steps, fromY + (toY - fromY) * s / steps);
            }
            tab.pointerX = toX;
            tab.pointerY = toY;
        }
        addButton(source, "pointerUp", MouseButton.LEFT);
        perform(tab, sources);
    }

    @Override
    public void scroll(String tabId, Optional<Point> at, double dx, double dy) {
        var tab = tab(tabId);
        // after two painted frames, so that a page that just loaded has its scrollable layers for the wheel to hit
        var before = evaluateIn(tab.id, "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() =>"
                + " r(scrollX + ',' + scrollY))))").path("value").asText("0,0");
        var sources = BidiConnection.JSON.createArrayNode();
        var source = mouse(sources);
        moveTo(tab, source, at);
        // a wheel's position and deltas are whole CSS pixels
        sources.addObject().put("type", "wheel").put("id", "wheel").putArray("actions").addObject()
                .put("type", "scroll").put("x", (int) Math.round(Math.max(0, tab.pointerX)))
                .put("y", (int) Math.round(Math.max(0, tab.pointerY))).put("deltaX", (int) Math.round(dx))
                .put("deltaY", (int) Math.round(dy)).put("duration", 0).put("origin", "viewport");
        perform(tab, sources);
        settle(tab, before);
    }

    /**
     * Lets the page apply a wheel scroll before the next read: Firefox scrolls asynchronously (in the compositor),
     * so wait, for at most half a second, until the position differs from {@code before}, then one more frame.
     */
    private void settle(Tab tab, String before) {
        evaluateIn(tab.id, "new Promise(r => { const t0 = performance.now(); const check = () =>"
                + " (scrollX + ',' + scrollY !== " + BidiConnection.JSON.getNodeFactory().textNode(before)
                + " || performance.now() - t0 > 500) ? requestAnimationFrame(() => r(0)) : requestAnimationFrame(check);"
                + " check(); })");
    }

    // ---- keyboard ----

    private static ArrayNode keyboard(ArrayNode sources) {
        return sources.addObject().put("type", "key").put("id", "keyboard").putArray("actions");
    }

    @Override
    public void typeText(String tabId, String text) {
        var tab = tab(tabId);
        var chars = text.codePoints().mapToObj(cp -> new String(Character.toChars(cp))).toList();
        // in batches, so that one command stays small and a long text still flows
        for (int start = 0; start < chars.size(); start += 200) {
            var sources = BidiConnection.JSON.createArrayNode();
            var actions = keyboard(sources);
            for (var ch : chars.subList(start, Math.min(chars.size(), start + 200))) {
                var value = BidiKeys.forText(ch);
                actions.addObject().put("type", "keyDown").put("value", value);
                actions.addObject().put("type", "keyUp").put("value", value);
            }
            perform(tab, sources);
        }
    }

    @Override
    public void keyChord(String tabId, List<String> keys) {
        var tab = tab(tabId);
        var values = new ArrayList<String>();
        for (var name : keys) values.add(BidiKeys.value(chordKey(name, keys)));
        var sources = BidiConnection.JSON.createArrayNode();
        var actions = keyboard(sources);
        for (var v : values) actions.addObject().put("type", "keyDown").put("value", v);
        for (int i = values.size() - 1; i >= 0; i--) actions.addObject().put("type", "keyUp").put("value", values.get(i));
        perform(tab, sources);
    }

    /** A letter pressed with Shift in a chord types its upper case, as on a keyboard. */
    private static String chordKey(String name, List<String> chord) {
        if (name.length() == 1 && Character.isLetter(name.charAt(0)) && chord.contains("Shift")) {
            return name.toUpperCase(Locale.ROOT);
        }
        return name;
    }

    @Override
    public void keyDown(String tabId, String key) {
        var tab = tab(tabId);
        var sources = BidiConnection.JSON.createArrayNode();
        keyboard(sources).addObject().put("type", "keyDown").put("value", BidiKeys.value(key));
        perform(tab, sources);
    }

    @Override
    public void keyUp(String tabId, String key) {
        var tab = tab(tabId);
        var sources = BidiConnection.JSON.createArrayNode();
        keyboard(sources).addObject().put("type", "keyUp").put("value", BidiKeys.value(key));
        perform(tab, sources);
    }

    // ---- lifecycle ----

    @Override
    public boolean isAlive() {
        return process.isAlive() && bidi.isOpen();
    }

    /**
     * Lets go of the browser as a crash of the server would: the connection drops without ending the session, and
     * the browser keeps running (for tests of a take-over).
     */
    void abandon() {
        process.markClosing();
        bidi.close();
    }

    @Override
    public void closeNow() {
        process.markClosing();
        for (var s : List.copyOf(screencasts)) s.close();
        mux.closeAll();
        bidi.close();
        process.kill(0);
    }

    @Override
    public void close() {
        process.markClosing();
        for (var s : List.copyOf(screencasts)) s.close();
        mux.closeAll();
        if (bidi.isOpen() && process.isAlive()) {
            try {
                bidi.send("browser.close", params()).get(3, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // killed below
            }
        }
        bidi.close();
        process.kill(3000);
    }

    // ---- helpers ----

    private JsonNode call(String method, ObjectNode params) {
        return bidi.call(method, params, COMMAND_TIMEOUT);
    }

    private static void await(CompletableFuture<?> f, Duration timeout, String what) {
        try {
            f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new PortholeException.ActionFailed(what + " did not become ready within " + timeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PortholeException.ActionFailed(what + ": interrupted");
        } catch (ExecutionException e) {
            throw new PortholeException.ActionFailed(what + " could not be prepared: " + e.getCause().getMessage());
        }
    }
}
