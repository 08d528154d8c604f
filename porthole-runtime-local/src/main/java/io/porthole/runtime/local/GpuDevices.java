package io.porthole.runtime.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The host GPU an operator lends to the sandboxes ({@code PORTHOLE_GPU}): DRI render nodes, bound read-write into
 * each sandbox's {@code /dev} at the same path so a browser can render through the host's driver. Only render
 * nodes ({@code /dev/dri/renderD<n>}, character devices of the DRM major 226): they draw and compute but cannot
 * set display modes, unlike the primary {@code card} nodes, which are refused. Stateless.
 */
public final class GpuDevices {
    /** The Linux DRM subsystem's device major number. */
    static final int DRM_MAJOR = 226;
    private static final Pattern RENDER_NODE = Pattern.compile("renderD\\d+");
    private static final int S_IFMT = 0170000;
    private static final int S_IFCHR = 0020000;

    private GpuDevices() {}

    /**
     * The render nodes {@code setting} names: a directory ({@code /dev/dri}: every render node in it) or one node.
     *
     * @throws IllegalArgumentException naming the setting and why, if it names no render node
     */
    public static List<Path> renderNodes(String setting) {
        var path = Path.of(setting.strip());
        if (!path.isAbsolute()) {
            throw new IllegalArgumentException("PORTHOLE_GPU must be an absolute path (/dev/dri or /dev/dri/renderD128), not '"
                    + setting + "'");
        }
        var found = new ArrayList<Path>();
        if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            try (var entries = Files.list(path)) {
                for (var p : entries.sorted().toList()) {
                    if (RENDER_NODE.matcher(p.getFileName().toString()).matches() && isDrmCharDevice(p)) found.add(p);
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("PORTHOLE_GPU is " + path + ", which cannot be read: " + e.getMessage());
            }
            if (found.isEmpty()) {
                throw new IllegalArgumentException("PORTHOLE_GPU is " + path + ", which holds no DRI render node (renderD*)");
            }
            return List.copyOf(found);
        }
        if (!RENDER_NODE.matcher(path.getFileName().toString()).matches() || !isDrmCharDevice(path)) {
            throw new IllegalArgumentException("PORTHOLE_GPU is " + path + ", which is not a DRI render node (a character"
                    + " device /dev/dri/renderD<n>); give /dev/dri or one render node");
        }
        return List.of(path);
    }

    /** A character device (not a link to one) of the DRM major. */
    private static boolean isDrmCharDevice(Path p) {
        try {
            int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            if ((mode & S_IFMT) != S_IFCHR) return false;
            long rdev = (Long) Files.getAttribute(p, "unix:rdev", LinkOption.NOFOLLOW_LINKS);
            return ((rdev >> 8) & 0xfff) == DRM_MAJOR;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }
}
