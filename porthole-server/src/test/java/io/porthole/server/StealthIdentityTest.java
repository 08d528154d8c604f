package io.porthole.server;

/** {@link StealthIdentityChecks} on a Chromium computer. */
class StealthIdentityTest extends StealthIdentityChecks {
    @Override
    String engine() {
        return "chromium";
    }
}
