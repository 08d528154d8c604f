package io.porthole.runtime.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/** What this host's kernel says of its memory: {@code MemAvailable} of {@code /proc/meminfo}. */
final class HostMemory {
    private static final Path MEMINFO = Path.of("/proc/meminfo");

    private HostMemory() {}

    /** Bytes the kernel can give new processes without swapping, if it says. */
    static OptionalLong available() {
        return available(MEMINFO);
    }

    static OptionalLong available(Path meminfo) {
        try (var lines = Files.lines(meminfo)) {
            return lines.filter(l -> l.startsWith("MemAvailable:")).findFirst().map(l -> {
                var parts = l.trim().split("\\s+");
                try {
                    long kib = Long.parseLong(parts[1]);
                    return OptionalLong.of(kib * 1024);
                } catch (RuntimeException e) {
                    return OptionalLong.empty();
                }
            }).orElse(OptionalLong.empty());
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }
}
