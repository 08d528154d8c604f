package io.porthole.core;

import java.util.Objects;
import java.util.Optional;

/**
 * Which computer (and tenant) the current thread is working for, so that every log line written meanwhile can say
 * so: the JSON log format puts it in the fields {@code computer_id} and {@code tenant} (ADR 0034). Set around
 * request handling (the server's filter, for routes that name a live computer) and around per-computer work here
 * (create, end, expiry, standby, take-over, the warm pool). A plain {@link ThreadLocal}, not an inheritable one: a
 * thread gets its creator's subject only through {@link #carry}, which the one maker of threads
 * ({@code Threads}) applies to every task it starts, at the moment it starts it. Every {@link Scope} restores what
 * was there before it, so scopes nest and a pooled thread or a kept-alive connection's thread never keeps a stale
 * subject.
 *
 * <p>A log handler reads {@link #current()} on the thread that logs; the JDK's console handler formats on that
 * thread. Thread-safe (each thread sees only its own subject).
 */
public final class LogContext {
    private static final ThreadLocal<Subject> CURRENT = new ThreadLocal<>();

    private LogContext() {}

    /**
     * The computer a log line is about: its id, and its tenant once it has one (a warm pool's computer gets its
     * tenant when a create claims it, and the threads started for it meanwhile see the change). Thread-safe.
     */
    public static final class Subject {
        private final String computerId;
        private volatile String tenant;

        private Subject(String computerId, String tenant) {
            this.computerId = Objects.requireNonNull(computerId, "computerId");
            this.tenant = tenant;
        }

        public String computerId() {
            return computerId;
        }

        /** Its owner; empty for a computer that has none yet (a warm pool's). */
        public Optional<String> tenant() {
            return Optional.ofNullable(tenant);
        }

        /** The computer is now {@code tenant}'s (claimed from the warm pool). */
        public void tenant(String tenant) {
            this.tenant = Objects.requireNonNull(tenant, "tenant");
        }

        @Override
        public String toString() {
            return computerId + (tenant == null ? "" : " of " + tenant);
        }
    }

    /** A subject for {@code computerId} of {@code tenant} (null: none yet), to share between threads. */
    public static Subject subject(String computerId, String tenant) {
        return new Subject(computerId, tenant);
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
        return about(new Subject(computerId, tenant));
    }

    /** Until the returned scope is closed, this thread works for {@code subject}. */
    public static Scope about(Subject subject) {
        var scope = scope();
        set(subject);
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
        set(new Subject(computerId, tenant));
    }

    /** Sets this thread's subject; call it inside a {@link #scope()} that will restore the one before. */
    public static void set(Subject subject) {
        CURRENT.set(Objects.requireNonNull(subject, "subject"));
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

    /**
     * {@code task} as work for the subject this thread has now (or for none): for a thread or a pooled thread's task
     * started on a computer's behalf. {@code Threads}, the one maker of threads, wraps every task with it, so that
     * the threads a computer's work starts (its browser's pipe reader, its egress connections, its screencast) say
     * whose they are, and a task on a pooled thread never sees the subject of the one before.
     */
    public static Runnable carry(Runnable task) {
        var subject = CURRENT.get();
        return () -> {
            try (var scope = scope()) {
                if (subject == null) CURRENT.remove();
                else CURRENT.set(subject);
                task.run();
            }
        };
    }

    /** {@link #carry(Runnable)} for a task with a result. */
    public static <T> java.util.concurrent.Callable<T> carry(java.util.concurrent.Callable<T> task) {
        var subject = CURRENT.get();
        return () -> {
            try (var scope = scope()) {
                if (subject == null) CURRENT.remove();
                else CURRENT.set(subject);
                return task.call();
            }
        };
    }

    /** {@code task}, to be run later or elsewhere, as work for {@code computerId} of {@code tenant}. */
    public static Runnable wrap(String computerId, String tenant, Runnable task) {
        return () -> run(computerId, tenant, task);
    }
}
