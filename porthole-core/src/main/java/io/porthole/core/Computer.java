package io.porthole.core;

import io.porthole.core.browser.BrowserDriver;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A live computer: its record, its browser, and the lock that runs its actions one at a time. Thread-safe:
 * the record is replaced atomically under the object's monitor; {@link #beginEnding()} succeeds once.
 */
public final class Computer {
    private final ReentrantLock actionLock = new ReentrantLock(true);
    private final AtomicBoolean ending = new AtomicBoolean();
    private volatile ComputerRecord record;
    private volatile BrowserDriver driver;
    private volatile boolean activityDirty;

    Computer(ComputerRecord record) {
        this.record = record;
    }

    public String id() {
        return record.id();
    }

    public ComputerRecord record() {
        return record;
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

    void attach(BrowserDriver d) {
        this.driver = d;
    }

    /** The browser; only valid while the computer runs. */
    public BrowserDriver driver() {
        var d = driver;
        if (d == null) throw new IllegalStateException("computer " + id() + " has no browser");
        return d;
    }

    BrowserDriver driverOrNull() {
        return driver;
    }

    /** True once, for the caller that gets to end this computer. */
    boolean beginEnding() {
        return ending.compareAndSet(false, true);
    }

    public boolean isEnding() {
        return ending.get();
    }

    /** Takes the action lock, waiting at most {@code seconds}; false if it could not. */
    boolean lockActions(long seconds) throws InterruptedException {
        return actionLock.tryLock(seconds, TimeUnit.SECONDS);
    }

    void unlockActions() {
        actionLock.unlock();
    }
}
