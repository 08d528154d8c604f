package io.porthole.core.live;

import java.util.Objects;

/**
 * What a screencast carries to its viewers: pictures of the screen and the pointer. Immutable; the byte arrays
 * are never changed after a frame is made, so one frame is handed to every viewer as it is.
 */
public sealed interface Frame {

    /**
     * Whether a viewer can start here: a JPEG always, H.264 at an IDR picture (with SPS and PPS before it), the
     * pointer's events always.
     */
    boolean keyframe();

    /** Whether this is a picture (as opposed to the pointer's position or shape). */
    default boolean video() {
        return this instanceof Jpeg || this instanceof H264;
    }

    /** A browser's page as JPEG, with what CDP's {@code Page.screencastFrame} says of it. */
    record Jpeg(byte[] data, Metadata metadata) implements Frame {
        public Jpeg {
            Objects.requireNonNull(data, "data");
            Objects.requireNonNull(metadata, "metadata");
        }

        @Override
        public boolean keyframe() {
            return true;
        }
    }

    /**
     * CDP's {@code ScreencastFrameMetadata}: {@code timestamp} in seconds since the epoch, the sizes in CSS pixels.
     */
    record Metadata(double timestamp, int deviceWidth, int deviceHeight, double offsetTop, double pageScaleFactor,
                    double scrollOffsetX, double scrollOffsetY) {}

    /**
     * One access unit (one picture) of an H.264 stream as Annex-B NAL units (start codes included); a keyframe
     * holds SPS, PPS and an IDR slice, so a decoder can start with it.
     */
    record H264(byte[] nalus, boolean keyframe) implements Frame {
        public H264 {
            Objects.requireNonNull(nalus, "nalus");
        }
    }

    /** Where the pointer is, in screen pixels. */
    record CursorPosition(int x, int y) implements Frame {
        @Override
        public boolean keyframe() {
            return true;
        }
    }

    /** The pointer's shape: its picture as PNG and its hotspot, in pixels of that picture. */
    record CursorImage(int width, int height, int xHot, int yHot, byte[] png) implements Frame {
        public CursorImage {
            Objects.requireNonNull(png, "png");
        }

        @Override
        public boolean keyframe() {
            return true;
        }
    }
}
