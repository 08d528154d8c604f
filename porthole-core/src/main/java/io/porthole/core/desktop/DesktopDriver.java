package io.porthole.core.desktop;

import io.porthole.core.action.MouseButton;
import io.porthole.core.action.Point;
import java.util.List;
import java.util.Optional;

/**
 * Seam: the X11 screen of one desktop computer. Coordinates are screen pixels, which are the screenshot's
 * pixels. Key names are canonical (see {@link io.porthole.core.action.Keys}). Failures the caller can act on
 * are {@link io.porthole.core.PortholeException.ActionFailed}. Not safe for concurrent actions (the core runs
 * one at a time per computer).
 */
public interface DesktopDriver extends AutoCloseable {

    void click(Optional<Point> at, MouseButton button, int clicks);

    void mouseMove(Point to);

    void mouseDown(Optional<Point> at, MouseButton button);

    void mouseUp(Optional<Point> at, MouseButton button);

    void drag(List<Point> path);

    /** Types any Unicode text into the focused window. */
    void typeText(String text);

    void keyChord(List<String> keys);

    void keyDown(String key);

    void keyUp(String key);

    /** Scrolls with the wheel (buttons 4-7) at {@code at}: +dy down, +dx right, in pixels. */
    void scroll(Optional<Point> at, double dx, double dy);

    /** The whole screen as PNG. */
    byte[] screenshotPng();

    /**
     * Starts capturing the screen for a screencast: H.264 pictures (a keyframe at least every
     * {@code settings.keyframeIntervalSeconds()}), the pointer's position while it moves and its shape when it
     * changes. The encoder runs inside the computer's sandbox. Runs until the returned capture is closed or the
     * desktop ends (then {@code sink.ended}).
     *
     * @throws io.porthole.core.PortholeException if the capture cannot start
     */
    default io.porthole.core.live.Capture screencast(io.porthole.core.live.CaptureSettings settings,
                                                      io.porthole.core.live.Capture.Sink sink) {
        throw new io.porthole.core.PortholeException.InvalidRequest(io.porthole.api.ErrorCode.NOT_SUPPORTED,
                "this desktop cannot be watched yet");
    }

    /** Stops the desktop's own processes (the sandbox ends the rest). */
    @Override
    void close();
}
