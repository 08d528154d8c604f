package io.porthole.sdk;

/**
 * A screenshot of a computer: the PNG's bytes and the URL the server publishes it at (an unauthenticated link that
 * expires, suitable to hand to a model).
 *
 * @param url the screenshot's URL
 * @param png the PNG image (the array is the caller's; it is not copied)
 */
public record Screenshot(String url, byte[] png) {
}
