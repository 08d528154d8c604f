package io.porthole.core.live;

/**
 * Seam: one running capture of a computer's screen, made by its driver ({@code BrowserDriver.screencast},
 * {@code DesktopDriver.screencast}) and fed to one {@link Screencast}, which fans it out. {@link #close} stops
 * it and returns once no more frames will be delivered; idempotent, callable from any thread.
 */
public interface Capture extends AutoCloseable {

    /** Where a capture delivers: frames as they come, from one thread at a time, and once its end. */
    interface Sink {
        void frame(Frame frame);

        /** The capture stopped by itself (the browser or the encoder went away); no frame follows. */
        void ended(String reason);
    }

    @Override
    void close();
}
