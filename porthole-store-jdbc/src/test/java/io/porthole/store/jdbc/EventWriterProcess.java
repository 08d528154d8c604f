package io.porthole.store.jdbc;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;

/**
 * A child process for {@link EventDurabilityTest}: opens the store at {@code args[0]} and, from {@code args[2]}
 * threads, appends events for computer {@code args[1]} until it is killed, writing each event's seq on its
 * own line to stdout only after {@code appendEvent} has returned. Never closes the store.
 */
public final class EventWriterProcess {
    private EventWriterProcess() {}

    public static void main(String[] args) throws Exception {
        var store = JdbcStore.sqlite(Path.of(args[0]));
        var computer = args[1];
        int threads = Integer.parseInt(args[2]);
        var out = new FileOutputStream(FileDescriptor.out);
        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int thread = t;
            workers[t] = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 10_000_000; i++) {
                    var e = store.appendEvent(computer, "navigation", "navigated",
                            "{\"thread\":" + thread + ",\"i\":" + i + "}", Instant.now());
                    var line = (e.seq() + "\n").getBytes(StandardCharsets.US_ASCII);
                    synchronized (out) {
                        try {
                            out.write(line); // one write(2): a line is whole or absent
                        } catch (IOException closed) {
                            return;
                        }
                    }
                }
            });
        }
        for (var w : workers) w.join();
    }
}
