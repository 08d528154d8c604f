package io.porthole.engine.cdp;

import io.porthole.core.internal.Threads;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * CDP over Chromium's {@code --remote-debugging-pipe}: JSON messages ended by a NUL byte, commands to the
 * browser's fd 3 and answers from its fd 4, here two FIFOs in the sandbox's channel directory. No TCP port,
 * so nothing else on the host (or in another computer) can reach the browser. Both FIFOs are opened
 * read-write, which never blocks whichever side comes first; the browser's end is seen through its process
 * exit, not through end of file. Thread-safe.
 */
final class PipeTransport implements CdpTransport {
    private final RandomAccessFile toBrowser;
    private final RandomAccessFile fromBrowser;
    private final Listener listener;
    private final ReentrantLock sendLock = new ReentrantLock();
    private final AtomicBoolean closed = new AtomicBoolean();

    private PipeTransport(RandomAccessFile toBrowser, RandomAccessFile fromBrowser, Listener listener) {
        this.toBrowser = toBrowser;
        this.fromBrowser = fromBrowser;
        this.listener = listener;
    }

    /** Opens the server's ends of two FIFOs that exist already; starts reading. */
    static PipeTransport open(Path toBrowserFifo, Path fromBrowserFifo, Listener listener) throws IOException {
        var out = new RandomAccessFile(toBrowserFifo.toFile(), "rw");
        RandomAccessFile in;
        try {
            in = new RandomAccessFile(fromBrowserFifo.toFile(), "rw");
        } catch (IOException e) {
            out.close();
            throw e;
        }
        var transport = new PipeTransport(out, in, listener);
        // a FIFO read blocks in native code: a platform thread, not a virtual one (see Threads.onPipeThread)
        Threads.onPipeThread(transport::readLoop);
        return transport;
    }

    private void readLoop() {
        var message = new ByteArrayOutputStream(8192);
        var buf = new byte[65536];
        try {
            int n;
            while ((n = fromBrowser.read(buf)) > 0 && !closed.get()) {
                int start = 0;
                for (int i = 0; i < n; i++) {
                    if (buf[i] == 0) {
                        message.write(buf, start, i - start);
                        listener.onMessage(message.toString(StandardCharsets.UTF_8));
                        message.reset();
                        start = i + 1;
                    }
                }
                message.write(buf, start, n - start);
            }
            closedBy("the browser closed its pipe");
        } catch (IOException e) {
            closedBy("pipe error: " + e.getMessage());
        } finally {
            quietlyClose();
        }
    }

    private void closedBy(String reason) {
        if (closed.compareAndSet(false, true)) listener.onClose(reason);
    }

    @Override
    public void send(String message) {
        var bytes = message.getBytes(StandardCharsets.UTF_8);
        sendLock.lock();
        try {
            if (closed.get()) throw new CdpException(-1, "the browser connection is closed");
            toBrowser.write(bytes);
            toBrowser.write(0);
        } catch (IOException e) {
            throw new CdpException(-1, "could not send to the browser: " + e.getMessage());
        } finally {
            sendLock.unlock();
        }
    }

    private void quietlyClose() {
        try {
            toBrowser.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            fromBrowser.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /**
     * Closes; the reader holds the FIFO open for writing itself, so it would never see end of file: one byte
     * written into its own FIFO wakes it, and it closes both ends on its way out.
     */
    @Override
    public void close() {
        if (!closed.get()) {
            closedBy("closed by Porthole");
            try {
                fromBrowser.write(0);
            } catch (IOException ignored) {
                // the reader is gone already
            }
        }
    }
}
