package io.porthole.core.browser;

import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * What a browser is started with.
 *
 * @param computerId the computer it belongs to (for logs and leftover sweeps)
 * @param workDir a fresh directory owned by this computer; the engine keeps its profile under it
 * @param width viewport width in CSS pixels
 * @param height viewport height in CSS pixels
 * @param scale device scale factor; screenshots are {@code width*scale} pixels wide
 * @param onUnexpectedExit called once, with a reason, if the browser dies without being asked to
 */
public record LaunchSpec(String computerId, Path workDir, int width, int height, double scale,
                         Consumer<String> onUnexpectedExit) {}
