package io.porthole.core.internal;

import io.porthole.core.LogContext;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;

/**
 * The one place that makes threads and executors: named, with an uncaught-exception handler that logs, and each task
 * run as work for the computer its starter was working for ({@link LogContext#carry}), so that its log lines name
 * that computer.
 */
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
        var factory = Thread.ofVirtual().name(prefix + "-", 0).uncaughtExceptionHandler(LOG_UNCAUGHT).factory();
        return task -> factory.newThread(LogContext.carry(task));
    }

    /** Starts {@code task} on a new virtual thread named {@code name}. */
    public static Thread startVirtual(String name, Runnable task) {
        return Thread.ofVirtual().name(name).uncaughtExceptionHandler(LOG_UNCAUGHT).start(LogContext.carry(task));
    }

    /**
     * Platform daemon threads for reading process pipes. A read from a pipe blocks in native code and pins a
     * virtual thread's carrier; with a few long-lived readers (a desktop's programs, a browser's stderr) the
     * virtual-thread scheduler ran out of carriers and stopped running requests at all, so pipes are
     * read here and virtual threads only wait on the result.
     */
    private static final ExecutorService PIPES = Executors.newCachedThreadPool(
            Thread.ofPlatform().name("porthole-pipe-", 0).daemon(true).uncaughtExceptionHandler(LOG_UNCAUGHT).factory());

    /** Runs {@code task}, which reads or waits on a process, on a platform daemon thread. */
    public static java.util.concurrent.Future<?> onPipeThread(Runnable task) {
        return PIPES.submit(LogContext.carry(task));
    }

    /** Like {@link #onPipeThread(Runnable)}, with a result. */
    public static <T> java.util.concurrent.Future<T> onPipeThread(java.util.concurrent.Callable<T> task) {
        return PIPES.submit(LogContext.carry(task));
    }

    /**
     * One platform thread that lives as long as the JVM, for starting processes that must die with the server:
     * Linux's parent-death signal (bubblewrap's {@code --die-with-parent}) fires when the <em>thread</em> that
     * started the process ends, and virtual threads' carriers end after 30 idle seconds, which killed every
     * sandbox half a minute after it was made.
     */
    private static final ExecutorService SPAWNER = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("porthole-spawner").daemon(true).uncaughtExceptionHandler(LOG_UNCAUGHT).factory());

    /** Starts {@code builder}'s process from the JVM-long spawner thread. */
    public static Process spawnForLife(ProcessBuilder builder) throws java.io.IOException {
        try {
            return SPAWNER.submit(builder::start).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.IOException("interrupted while starting " + builder.command().getFirst(), e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof java.io.IOException io) throw io;
            throw new java.io.IOException(e.getCause());
        }
    }

    /** A single platform daemon thread for periodic work. */
    public static ScheduledExecutorService scheduler(String name) {
        return Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name(name).daemon(true).uncaughtExceptionHandler(LOG_UNCAUGHT).factory());
    }
}
