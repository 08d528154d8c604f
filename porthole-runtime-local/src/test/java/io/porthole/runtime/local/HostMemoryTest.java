package io.porthole.runtime.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostMemoryTest {
    @Test
    void readsMemAvailableInBytes(@TempDir Path dir) throws Exception {
        var meminfo = dir.resolve("meminfo");
        Files.writeString(meminfo, "MemTotal:       24576000 kB\nMemFree:         1000 kB\nMemAvailable:   12288000 kB\n");
        assertEquals(OptionalLong.of(12288000L * 1024), HostMemory.available(meminfo));
    }

    @Test
    void saysNothingWhenTheKernelDoesNot(@TempDir Path dir) throws Exception {
        var meminfo = dir.resolve("meminfo");
        Files.writeString(meminfo, "MemTotal: 1 kB\nMemAvailable: lots\n");
        assertTrue(HostMemory.available(meminfo).isEmpty());
        assertTrue(HostMemory.available(dir.resolve("missing")).isEmpty());
    }

    @Test
    void thisHostSaysSomething() {
        assertTrue(HostMemory.available().orElse(0) > 0);
    }
}
