package io.porthole.engine.cdp;

/**
 * Logs every message of a wrapped transport at INFO (switch on with {@code PORTHOLE_CDP_LOG=true}). Large
 * messages are cut to keep screenshots out of the log.
 */
public final class LoggingTransport implements CdpTransport {
    private static final System.Logger LOG = System.getLogger("io.porthole.cdp.wire");
    private static final int MAX = 2000;
    private final CdpTransport inner;
    private final String name;

    public LoggingTransport(CdpTransport inner, String name) {
        this.inner = inner;
        this.name = name;
    }

    /** Wraps {@code listener} so that incoming messages are logged too. */
    public static Listener logging(Listener listener, String name) {
        return new Listener() {
            @Override
            public void onMessage(String message) {
                LOG.log(System.Logger.Level.INFO, "{0} <- {1}", name, cut(message));
                listener.onMessage(message);
            }

            @Override
            public void onClose(String reason) {
                LOG.log(System.Logger.Level.INFO, "{0} closed: {1}", name, reason);
                listener.onClose(reason);
            }
        };
    }

    private static String cut(String s) {
        return s.length() <= MAX ? s : s.substring(0, MAX) + "…(" + s.length() + " chars)";
    }

    @Override
    public void send(String message) {
        LOG.log(System.Logger.Level.INFO, "{0} -> {1}", name, cut(message));
        inner.send(message);
    }

    @Override
    public void close() {
        inner.close();
    }
}
