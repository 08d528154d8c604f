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
 *
 * <p>While it is in standby ({@link #standbySince()}), its processes are frozen and its browser, desktop and
 * sandbox are not handed out: whatever reaches into it does so through {@link Computers#use} or
 * {@link Computers#hold}, which wake it first.
 */
public final class Computer {
    private final ReentrantLock actionLock = new ReentrantLock(true);
    private final AtomicBoolean ending = new AtomicBoolean();
    private final AtomicInteger running = new AtomicInteger();
    /** Held while its processes are frozen or thawed: for standby, waking, suspend and resume, one at a time. */
    private final ReentrantLock sleepLock = new ReentrantLock();
    /** How many hold it awake now: actions, commands, protocol clients, RPC streams, screencast viewers. */
    private final AtomicInteger users = new AtomicInteger();
    /** Since when it is in standby; null while it is awake. Written under {@link #sleepLock}. */
    private volatile Instant standbySince;
    /** Set while the scheduler is putting it into standby, so that one freeze runs at a time. */
    private final AtomicBoolean fallingAsleep = new AtomicBoolean();
    /** Not put into standby before this (after a freeze that failed); null when there is no such bar. */
    private volatile Instant noStandbyBefore;
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

    /** The sandbox; only valid while the computer runs, and not in standby. */
    public Sandbox sandbox() {
        awake();
        var s = sandbox;
        if (s == null) throw new IllegalStateException("computer " + id() + " has no sandbox");
        return s;
    }

    /** Its desktop (desktops only); not in standby. */
    public Optional<DesktopDriver> desktop() {
        awake();
        return Optional.ofNullable(desktop);
    }

    /**
     * A frozen browser answers nothing: a caller that reached in without waking it would wait out every timeout. It
     * is told at once instead.
     */
    private void awake() {
        if (standbySince != null) {
            throw new IllegalStateException("computer " + id() + " is in standby; reach it through Computers.use or"
                    + " Computers.hold, which wake it");
        }
    }

    /** The browser, started now if this desktop has not used one yet (callers hold the action lock); not in standby. */
    public BrowserDriver browser() {
        awake();
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

    /** Since when it is in standby (its processes frozen, its status still running); empty while it is awake. */
    public Optional<Instant> standbySince() {
        return Optional.ofNullable(standbySince);
    }

    boolean inStandby() {
        return standbySince != null;
    }

    /** Marks it in standby from {@code since}, or awake with null; the caller holds {@link #sleepLock()}. */
    void standbySince(Instant since) {
        standbySince = since;
    }

    ReentrantLock sleepLock() {
        return sleepLock;
    }

    void addUser() {
        users.incrementAndGet();
    }

    void removeUser() {
        users.decrementAndGet();
    }

    /** Whether anything holds it awake now. */
    boolean inUse() {
        return users.get() > 0;
    }

    /** True once until {@link #fellAsleep}: for the scheduler, which then puts it into standby. */
    boolean beginFallingAsleep() {
        return fallingAsleep.compareAndSet(false, true);
    }

    void fellAsleep() {
        fallingAsleep.set(false);
    }

    Optional<Instant> noStandbyBefore() {
        return Optional.ofNullable(noStandbyBefore);
    }

    void noStandbyBefore(Instant t) {
        noStandbyBefore = t;
    }

    /** Whether the server records its screen ({@code recordVideo}). */
    boolean recording() {
        return recorder != null;
    }

    /** Takes the action lock, waiting at most {@code seconds}; false if it could not. */
    boolean lockActions(long seconds) throws InterruptedException {
        return actionLock.tryLock(seconds, TimeUnit.SECONDS);
    }

    void unlockActions() {
        actionLock.unlock();
    }
}
