package io.porthole.runtime.local;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PORTHOLE_GPU names DRI render nodes and nothing else; what is not one is refused with the reason. */
class GpuDevicesTest {
    @Test
    void aCharacterDeviceThatIsNoRenderNodeIsRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> GpuDevices.renderNodes("/dev/null"));
        assertTrue(e.getMessage().contains("not a DRI render node"), e.getMessage());
    }

    @Test
    void aFileNamedLikeARenderNodeIsRefused(@TempDir Path dir) throws Exception {
        var fake = Files.createFile(dir.resolve("renderD128"));
        var e = assertThrows(IllegalArgumentException.class, () -> GpuDevices.renderNodes(fake.toString()));
        assertTrue(e.getMessage().contains("not a DRI render node"), e.getMessage());
        var none = assertThrows(IllegalArgumentException.class, () -> GpuDevices.renderNodes(dir.toString()));
        assertTrue(none.getMessage().contains("holds no DRI render node"), none.getMessage());
    }

    @Test
    void aRelativeOrMissingPathIsRefused() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> GpuDevices.renderNodes("dev/dri")).getMessage()
                .contains("absolute path"));
        assertThrows(IllegalArgumentException.class, () -> GpuDevices.renderNodes("/dev/dri/renderD999"));
    }
}
