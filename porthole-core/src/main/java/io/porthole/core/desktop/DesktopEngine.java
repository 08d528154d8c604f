package io.porthole.core.desktop;

import io.porthole.core.sandbox.Sandbox;

/** Seam: starts the X11 desktop (display server, window manager, terminal) inside a computer's sandbox. */
public interface DesktopEngine {
    /** The display the desktop is on, as processes inside the sandbox name it. */
    String DISPLAY = ":1";

    /**
     * Starts a desktop of {@code width}×{@code height} pixels in {@code sandbox} and returns once its screen
     * answers.
     *
     * @param scale the desktop's scale: fonts and toolkits render at {@code 96 * scale} DPI
     * @throws io.porthole.core.PortholeException.Unavailable if it cannot start; the message says why
     */
    DesktopDriver start(Sandbox sandbox, int width, int height, double scale);

    /** The desktop an earlier run started in the (re-adopted) {@code sandbox}, if its screen still answers. */
    default java.util.Optional<DesktopDriver> adopt(Sandbox sandbox, int width, int height) {
        return java.util.Optional.empty();
    }
}
