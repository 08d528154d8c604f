package io.porthole.server;

/** {@link StealthChecks} on a Chromium computer. */
class StealthTest extends StealthChecks {
    @Override
    String engine() {
        return "chromium";
    }
}
