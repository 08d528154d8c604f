package io.porthole.server;

import java.util.function.BooleanSupplier;

/** Bounded polling for things that happen on the server's own schedule (expiry, crash detection). */
final class Await {
    private Await() {}

    static void until(String what, long timeoutMillis, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out after " + timeoutMillis + " ms waiting for " + what);
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
