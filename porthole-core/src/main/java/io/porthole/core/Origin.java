package io.porthole.core;

import java.util.Locale;
import java.util.Optional;

/**
 * Where an action or command comes from: a surface of the API, a batch, or a person at the console holding
 * control of the computer ({@code lease}). Shown in the live events, and checked against the control lease.
 */
public record Origin(Source source, Optional<String> lease) {
    public static final Origin API = new Origin(Source.API, Optional.empty());
    public static final Origin RPC = new Origin(Source.RPC, Optional.empty());
    public static final Origin BATCH = new Origin(Source.BATCH, Optional.empty());

    public enum Source {
        /** The Computers API's routes (and {@code /exec}). */
        API,
        /** The native surface's NDJSON RPC. */
        RPC,
        /** One action of a {@code /batch}. */
        BATCH,
        /** A person's input at the web console (or through a viewer link). */
        CONSOLE;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A person at the console, acting under {@code lease}, or without one (reading actions only). */
    public static Origin console(Optional<String> lease) {
        return new Origin(Source.CONSOLE, lease);
    }

    /** Whether this origin holds {@code leaseId}. */
    public boolean holds(String leaseId) {
        return lease.map(leaseId::equals).orElse(false);
    }
}
