package io.porthole.core.browser;

import io.porthole.core.sandbox.Sandbox;
import java.util.function.Consumer;

/**
 * What a browser is started with.
 *
 * @param computerId the computer it belongs to (for logs)
 * @param sandbox where it runs; its profile lives in the sandbox's home
 * @param width viewport (headless) or window (headful) width in CSS pixels
 * @param height viewport or window height in CSS pixels
 * @param scale device scale factor; headless screenshots are {@code width*scale} pixels wide
 * @param headful on the sandbox's X display ({@code DISPLAY} in its environment) rather than headless
 * @param onUnexpectedExit called once, with a reason, if the browser dies without being asked to
 * @param identity who the browser appears to be (timezone, languages, geolocation, screen); see {@link Identity}
 */
public record LaunchSpec(String computerId, Sandbox sandbox, int width, int height, double scale, boolean headful,
                         Consumer<String> onUnexpectedExit, Identity identity) {
    /** With the default identity for its size. */
    public LaunchSpec(String computerId, Sandbox sandbox, int width, int height, double scale, boolean headful,
                      Consumer<String> onUnexpectedExit) {
        this(computerId, sandbox, width, height, scale, headful, onUnexpectedExit, Identity.defaults(width, height));
    }
}
