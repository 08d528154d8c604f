package io.porthole.server;

/** {@link StealthChecks} on a Firefox computer. */
class FirefoxStealthTest extends StealthChecks {
    @Override
    String engine() {
        return "firefox";
    }
}
