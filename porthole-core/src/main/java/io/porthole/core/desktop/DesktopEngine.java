package io.porthole.core.desktop;

import io.porthole.core.sandbox.Sandbox;
import java.util.Optional;
import java.util.function.Consumer;

/** Seam: starts the X11 desktop (display server, window manager, terminal) inside a computer's sandbox. */
public interface DesktopEngine {
    /** The display the desktop is on, as processes inside the sandbox name it. */
    String DISPLAY = ":1";

    /**
     * Starts a desktop of {@code width}×{@code height} pixels in {@code sandbox} and returns once its screen
     * answers.
     *
     * @param scale the desktop's scale: fonts and toolkits render at {@code 96 * scale} DPI
     * @param onUnexpectedExit called once, with a reason, if the display server or the window manager ends
     *     without the desktop being closed
     * @throws io.porthole.core.PortholeException.Unavailable if it cannot start; the message says why
     */
    DesktopDriver start(Sandbox sandbox, int width, int height, double scale, Consumer<String> onUnexpectedExit);

    /**
     * The desktop an earlier run started in the (re-adopted) {@code sandbox}, if its screen still answers, watched
     * as {@link #start} watches it.
     */
    default Optional<DesktopDriver> adopt(Sandbox sandbox, int width, int height, Consumer<String> onUnexpectedExit) {
        return Optional.empty();
    }
}
