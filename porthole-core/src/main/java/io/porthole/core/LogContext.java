package io.porthole.core;

import java.util.Objects;
import java.util.Optional;

/**
 * Which computer (and tenant) the current thread is working for, so that every log line written meanwhile can say
 * so: the JSON log format puts it in the fields {@code computer_id} and {@code tenant} (ADR 0034). Set around
 * request handling (the server's filter, for routes that name a live computer) and around per-computer work here
 * (create, end, expiry, standby, take-over). A plain {@link ThreadLocal}, not inherited: a virtual thread per request
 * or per task starts empty, and a thread shared by many computers (a scheduler, a pool's reader) never carries one
 * computer's name into another's lines. Every {@link Scope} restores what was there before it, so scopes nest and
 * a pooled carrier or a kept-alive connection's thread never keeps a stale subject.
 *
 * <p>A log handler reads {@link #current()} on the thread that logs; the JDK's console handler formats on that
 * thread. Thread-safe (each thread sees only its own subject).
 */
public final class LogContext {
    private static final ThreadLocal<Subject> CURRENT = new ThreadLocal<>();

    private LogContext() {}

    /**
     * The computer a log line is about.
     *
     * @param computerId the computer's id, never null
     * @param tenant its owner, empty for a computer that has none yet (a warm pool's)
     */
    public record Subject(String computerId, Optional<String> tenant) {
        public Subject {
            Objects.requireNonNull(computerId, "computerId");
            Objects.requireNonNull(tenant, "tenant");
        }
    }

    /** Restores, when closed, the subject its thread had when it was opened. Close it on the thread that opened it. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /** The subject of the current thread, if it works for a computer now. */
    public static Optional<Subject> current() {
        return Optional.ofNullable(CURRENT.get());
    }

    /** Until the returned scope is closed, this thread works for {@code computerId} of {@code tenant} (null: none). */
    public static Scope about(String computerId, String tenant) {
        var scope = scope();
        set(computerId, tenant);
        return scope;
    }

    /**
     * A scope that keeps the current subject for now and restores it when closed, whatever {@link #set} put there
     * meanwhile: for work that learns its computer's id part way (a create).
     */
    public static Scope scope() {
        var before = CURRENT.get();
        return () -> {
            if (before == null) CURRENT.remove();
            else CURRENT.set(before);
        };
    }

    /** Sets this thread's subject; call it inside a {@link #scope()} that will restore the one before. */
    public static void set(String computerId, String tenant) {
        CURRENT.set(new Subject(computerId, Optional.ofNullable(tenant)));
    }

    /** Removes this thread's subject; call it inside a {@link #scope()} that will restore the one before. */
    public static void clear() {
        CURRENT.remove();
    }

    /** Runs {@code task} as work for {@code computerId} of {@code tenant} (null: none). */
    public static void run(String computerId, String tenant, Runnable task) {
        try (var ignored = about(computerId, tenant)) {
            task.run();
        }
    }

    /** {@code task}, to be run later or elsewhere, as work for {@code computerId} of {@code tenant}. */
    public static Runnable wrap(String computerId, String tenant, Runnable task) {
        return () -> run(computerId, tenant, task);
    }
}
