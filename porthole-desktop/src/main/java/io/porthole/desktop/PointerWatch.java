package io.porthole.desktop;

import io.porthole.core.internal.Threads;
import io.porthole.core.live.Frame;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The pointer of a screencast: its position, at most once a picture (polled with {@code QueryPointer}: the core
 * protocol reports motion only to the window under the pointer, and XInput 2's raw events are more than this needs),
 * and its shape when it changes (XFIXES {@code CursorNotify}, then {@code GetCursorImage}, sent as PNG with its
 * hotspot), each only when it differs from the last one sent. Both are sent once at the start.
 *
 * <p>Runs on an X11 connection of its own, not the desktop's: the cursor listener and event selection belong to one
 * connection and end with it, so this one's live exactly as long as the capture; its polls never queue in front of an
 * action's requests; and a failure here (a frozen computer that does not answer) leaves the actions' connection
 * alone. A connection that fails is opened again, less often the longer it keeps failing. Thread-safe.
 */
final class PointerWatch implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PointerWatch.class.getName());
    private static final long MAX_BACKOFF_MILLIS = 5_000;

    /** Opens an X11 connection to the desktop's display. */
    @FunctionalInterface
    interface Connector {
        X11Connection open() throws IOException;
    }

    private final Connector connector;
    private final long periodNanos;
    private final Consumer<Frame> deliver;
    private final AtomicBoolean shapeChanged = new AtomicBoolean(true);
    private final String name;
    private volatile boolean closed;
    private volatile X11Connection x;
    private Thread thread;

    PointerWatch(Connector connector, Duration period, Consumer<Frame> deliver, String name) {
        this.connector = connector;
        this.periodNanos = period.toNanos();
        this.deliver = deliver;
        this.name = name;
    }

    synchronized void start() {
        thread = Threads.startVirtual("porthole-pointer", this::run);
    }

    private void run() {
        long lastSerial = -1;
        int lastX = Integer.MIN_VALUE;
        int lastY = Integer.MIN_VALUE;
        int failures = 0;
        while (!closed) {
            try {
                var c = x;
                if (c == null || !c.isOpen()) {
                    c = connector.open();
                    x = c;
                    if (closed) break;
                    c.onCursorChange(n -> shapeChanged.set(true));
                    c.selectCursorInput(true);
                    shapeChanged.set(true);
                }
                if (shapeChanged.getAndSet(false)) {
                    var image = c.cursorImage();
                    if (image.serial() != lastSerial && image.width() > 0 && image.height() > 0) {
                        deliver.accept(new Frame.CursorImage(image.width(), image.height(), image.xhot(), image.yhot(),
                                Png.premultipliedArgb(image.width(), image.height(), image.argb())));
                        lastSerial = image.serial();
                    }
                }
                var p = c.queryPointer();
                if (p.x() != lastX || p.y() != lastY) {
                    deliver.accept(new Frame.CursorPosition(p.x(), p.y()));
                    lastX = p.x();
                    lastY = p.y();
                }
                failures = 0;
                pause(TimeUnit.NANOSECONDS.toMillis(periodNanos));
            } catch (IOException | RuntimeException e) {
                if (closed) break;
                var c = x;
                if (c != null) c.close();
                failures++;
                long backoff = Math.min(MAX_BACKOFF_MILLIS, 100L << Math.min(failures, 6));
                LOG.log(System.Logger.Level.DEBUG, () -> "the pointer of " + name + " cannot be read (" + e.getMessage()
                        + "); trying again in " + backoff + " ms");
                pause(backoff);
            }
        }
        var c = x;
        if (c != null) c.close();
    }

    private void pause(long millis) {
        try {
            Thread.sleep(millis); // the pace of the polls, not a wait for anything
        } catch (InterruptedException e) {
            // closed
        }
    }

    /** Stops the polls and closes the connection; returns once nothing more is delivered (bounded). */
    @Override
    public void close() {
        closed = true;
        Thread t;
        synchronized (this) {
            t = thread;
        }
        var c = x;
        if (c != null) c.close();
        if (t == null) return;
        t.interrupt();
        try {
            if (!t.join(Duration.ofSeconds(15))) {
                LOG.log(System.Logger.Level.WARNING, "the pointer watch of " + name + " did not stop within 15 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
