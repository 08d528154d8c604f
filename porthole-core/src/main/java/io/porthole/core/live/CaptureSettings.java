package io.porthole.core.live;

/**
 * How a screencast captures: at most {@code maxFps} pictures a second; JPEG quality 1-100 for browsers; for a
 * desktop's H.264, a keyframe at least every {@code keyframeIntervalSeconds}.
 */
public record CaptureSettings(int maxFps, int jpegQuality, int keyframeIntervalSeconds) {
    public static final CaptureSettings DEFAULTS = new CaptureSettings(20, 60, 2);

    public CaptureSettings {
        if (maxFps < 1 || maxFps > 60) throw new IllegalArgumentException("maxFps must be 1-60, not " + maxFps);
        if (jpegQuality < 1 || jpegQuality > 100) throw new IllegalArgumentException("jpegQuality must be 1-100, not " + jpegQuality);
        if (keyframeIntervalSeconds < 1 || keyframeIntervalSeconds > 10) {
            throw new IllegalArgumentException("keyframeIntervalSeconds must be 1-10, not " + keyframeIntervalSeconds);
        }
    }
}
