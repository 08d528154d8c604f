package io.porthole.runtime.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.porthole.core.PortholeException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Without isolation the server refuses to start, saying what is missing and how to fix it; and the none mode's path mapping. */
class IsolationRequiredTest {
    @Test
    void aMissingBubblewrapIsNamedWithItsPackageAndTheWayOut(@TempDir Path empty) {
        var e = assertThrows(PortholeException.Unavailable.class,
                () -> LocalSandboxRuntime.find("bwrap", "bubblewrap", List.of(empty.toString())));
        assertTrue(e.getMessage().contains("apt-get install bubblewrap"), e.getMessage());
        assertTrue(e.getMessage().contains("PORTHOLE_ISOLATION=none"), e.getMessage());
    }

    @Test
    void theNamespaceProbePassesOnThisHost() {
        LocalSandboxRuntime.probeNamespaces(LocalSandboxRuntime.find("bwrap", "bubblewrap",
                List.of("/usr/bin", "/bin")));
    }

    @Test
    void insidePathsMapToTheComputersDirectoryAsWholePathElements() {
        var paths = new UnisolatedSandbox.Paths(Path.of("/data/computers/c1"));
        assertEquals("/data/computers/c1/workspace", paths.map("/workspace"));
        assertEquals("cat /data/computers/c1/workspace/a.txt", paths.map("cat /workspace/a.txt"));
        assertEquals("exec 3</data/computers/c1/run/cdp-in", paths.map("exec 3</run/porthole/cdp-in"));
        assertEquals("--user-data-dir=/data/computers/c1/home/.config/x", paths.map("--user-data-dir=/home/user/.config/x"));
        assertEquals("/workspaces /home/username /x/workspace", paths.map("/workspaces /home/username /x/workspace"));
    }
}
