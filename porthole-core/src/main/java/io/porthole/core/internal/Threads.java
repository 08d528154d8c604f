package io.porthole.core.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;

/** The one place that makes threads and executors: named, with an uncaught-exception handler that logs. */
public final class Threads {
    private static final System.Logger LOG = System.getLogger(Threads.class.getName());
    private static final Thread.UncaughtExceptionHandler LOG_UNCAUGHT =
            (t, e) -> LOG.log(System.Logger.Level.ERROR, "uncaught exception in " + t.getName(), e);

    private Threads() {}

    /** A virtual thread per task, threads named {@code prefix-N}. */
    public static ExecutorService virtualPerTask(String prefix) {
        return Executors.newThreadPerTaskExecutor(virtualFactory(prefix));
    }

    public static ThreadFactory virtualFactory(String prefix) {
        return Thread.ofVirtual().name(prefix + "-", 0).uncaughtExceptionHandler(LOG_UNCAUGHT).factory();
    }

    /** Starts {@code task} on a new virtual thread named {@code name}. */
    public static Thread startVirtual(String name, Runnable task) {
        return Thread.ofVirtual().name(name).uncaughtExceptionHandler(LOG_UNCAUGHT).start(task);
    }

    /** A single platform daemon thread for periodic work. */
    public static ScheduledExecutorService scheduler(String name) {
        return Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name(name).daemon(true).uncaughtExceptionHandler(LOG_UNCAUGHT).factory());
    }
}
