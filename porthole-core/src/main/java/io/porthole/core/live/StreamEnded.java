package io.porthole.core.live;

/** A live stream (events, screencast) is over for its reader; the message says why. */
public final class StreamEnded extends Exception {
    private static final long serialVersionUID = 1L;

    StreamEnded(String reason) {
        super(reason, null, false, false);
    }
}
