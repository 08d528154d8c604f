package io.porthole.server;

/** {@link StealthIdentityChecks} on a Firefox computer. */
class FirefoxStealthIdentityTest extends StealthIdentityChecks {
    @Override
    String engine() {
        return "firefox";
    }
}
