package io.porthole.core;

/**
 * Seam: makes screenshot bytes fetchable at an absolute, unguessable, expiring URL that needs no
 * credentials (models and agents download {@code screenshot_url} with plain HTTP clients).
 * Thread-safe.
 */
public interface ScreenshotPublisher {
    /** Stores {@code png} and returns the absolute URL that serves it until it expires. */
    String publish(String computerId, byte[] png);
}
