package io.porthole.core;

import io.porthole.core.browser.BrowserDriver;
import io.porthole.core.desktop.DesktopDriver;
import io.porthole.core.live.LiveEvents;
import io.porthole.core.live.Screencast;
import io.porthole.core.sandbox.Sandbox;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * A live computer: its record, its sandbox, its desktop (desktops only), its browser, and the lock that runs
 * its actions one at a time. A desktop starts its browser on first use. Thread-safe: the record is replaced
 * atomically under the object's monitor; {@link #beginEnding()} succeeds once.
 */
public final class Computer {
    private final ReentrantLock actionLock = new ReentrantLock(true);
    private final AtomicBoolean ending = new AtomicBoolean();
    private final AtomicInteger running = new AtomicInteger();
    /** Held while a desktop's browser starts (a second), apart from the record's monitor. */
    private final Object browserLock = new Object();
    private volatile ComputerRecord record;
    private volatile Sandbox sandbox;
    private volatile DesktopDriver desktop;
    private volatile BrowserDriver browser;
    private volatile Supplier<BrowserDriver> browserFactory;
    private volatile boolean activityDirty;
    /** Its place in the server's {@link Capacity}, given back when its end has finished. */
    private volatile Capacity.Reservation place;
    /** What happens to it, live: actions, command output, control, viewers. */
    private final LiveEvents events;
    /** Its screen, fanned out to viewers; set once its drivers are attached. */
    private volatile Screencast screencast;

    Computer(ComputerRecord record, java.time.Clock clock) {
        this.record = record;
        this.events = new LiveEvents(clock);
    }

    private final Control control = new Control();
    /** Its screencast's recording ({@code recordVideo}), while one runs. */
    private volatile Recorder recorder;

    void recorder(Recorder r) {
        this.recorder = r;
    }

    /** Takes the recorder away, once: whoever gets it finishes the recording. */
    synchronized Recorder takeRecorder() {
        var r = recorder;
        recorder = null;
        return r;
    }

    /** Who drives it: nobody in particular, or a person holding a lease. */
    public Control control() {
        return control;
    }

    /** Its live event stream (open while it runs; closed when it ends). */
    public LiveEvents events() {
        return events;
    }

    /**
     * Its screencast.
     *
     * @throws IllegalStateException before its drivers are attached
     */
    public Screencast screencast() {
        var s = screencast;
        if (s == null) throw new IllegalStateException("computer " + id() + " cannot be watched before it runs");
        return s;
    }

    void attachScreencast(Screencast s) {
        this.screencast = s;
    }

    Screencast screencastOrNull() {
        return screencast;
    }

    /** How many viewers watch its screen now. */
    public int viewers() {
        var s = screencast;
        return s == null ? 0 : s.viewers();
    }

    /** The proxy each browsing context was made with, as the client gave it without credentials. */
    private final java.util.Map<String, String> contextProxies = new java.util.concurrent.ConcurrentHashMap<>();

    public java.util.Map<String, String> contextProxies() {
        return contextProxies;
    }

    /** The way out each context with its own proxy uses (the sandbox's proxy URL), by context id. */
    private final java.util.Map<String, String> contextEgress = new java.util.concurrent.ConcurrentHashMap<>();

    public java.util.Map<String, String> contextEgress() {
        return contextEgress;
    }

    /** Whether its egress proxy logs connections, to be stored as a HAR artifact when it ends. */
    private volatile boolean recordHar;

    void recordHar(boolean on) {
        recordHar = on;
    }

    boolean recordsHar() {
        return recordHar;
    }

    public String id() {
        return record.id();
    }

    public ComputerRecord record() {
        return record;
    }

    public boolean isDesktop() {
        return "desktop".equals(record.kind());
    }

    synchronized void update(java.util.function.UnaryOperator<ComputerRecord> change) {
        record = change.apply(record);
    }

    void touch(Instant now) {
        update(r -> r.withActivity(now));
        activityDirty = true;
    }

    boolean takeActivityDirty() {
        boolean was = activityDirty;
        activityDirty = false;
        return was;
    }

    void attachSandbox(Sandbox s) {
        this.sandbox = s;
    }

    void attachDesktop(DesktopDriver d) {
        this.desktop = d;
    }

    void attachBrowser(BrowserDriver d) {
        this.browser = d;
    }

    /** How a desktop starts its browser when an action first needs one. */
    void browserFactory(Supplier<BrowserDriver> factory) {
        this.browserFactory = factory;
    }

    /** The sandbox; only valid while the computer runs. */
    public Sandbox sandbox() {
        var s = sandbox;
        if (s == null) throw new IllegalStateException("computer " + id() + " has no sandbox");
        return s;
    }

    public Optional<DesktopDriver> desktop() {
        return Optional.ofNullable(desktop);
    }

    /** The browser, started now if this desktop has not used one yet (callers hold the action lock). */
    public BrowserDriver browser() {
        var b = browser;
        if (b != null && b.isAlive()) return b;
        var factory = browserFactory;
        if (factory == null) {
            if (b == null) throw new IllegalStateException("computer " + id() + " has no browser");
            return b;
        }
        synchronized (browserLock) {
            if (browser == null || !browser.isAlive()) {
                if (browser != null) browser.close();
                browser = factory.get();
            }
            return browser;
        }
    }

    /** The browser if one runs, without starting one. */
    Optional<BrowserDriver> browserIfStarted() {
        return Optional.ofNullable(browser);
    }

    Sandbox sandboxOrNull() {
        return sandbox;
    }

    DesktopDriver desktopOrNull() {
        return desktop;
    }

    void holdPlace(Capacity.Reservation reservation) {
        this.place = reservation;
    }

    /** Gives its place in the capacity back (idempotent). */
    void releasePlace() {
        var p = place;
        if (p != null) p.close();
    }

    /** True once, for the caller that gets to end this computer. */
    boolean beginEnding() {
        return ending.compareAndSet(false, true);
    }

    public boolean isEnding() {
        return ending.get();
    }

    /** Marks a command running (exec): an idle timeout does not end a computer that is working. */
    public void commandStarted() {
        running.incrementAndGet();
    }

    public void commandEnded() {
        running.decrementAndGet();
    }

    boolean hasRunningCommands() {
        return running.get() > 0;
    }

    /** Takes the action lock, waiting at most {@code seconds}; false if it could not. */
    boolean lockActions(long seconds) throws InterruptedException {
        return actionLock.tryLock(seconds, TimeUnit.SECONDS);
    }

    void unlockActions() {
        actionLock.unlock();
    }
}
