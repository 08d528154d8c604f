package io.porthole.sdk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** A desktop computer through the SDK: created from {@code ComputerSpec.desktop()}, shell and screen, closed. */
class DesktopComputerTest {

    @Test
    void aDesktopRunsCommandsOnItsDisplayAndShowsItsScreen() {
        var server = RealServer.get();
        try (var porthole = server.client();
             var desktop = porthole.computers().create(ComputerSpec.desktop().viewport(1024, 768))) {
            assertEquals("desktop", desktop.info().kind());
            var r = desktop.execSync(ExecRequest.of("echo \"$GREETING $DISPLAY\"").env("GREETING", "hello"));
            assertEquals(0, r.exitCode(), r.stderr());
            assertEquals("hello :1\n", r.stdout());
            assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(desktop.screenshot().png(), 4));
            var e = assertThrows(BadRequestException.class, desktop::cdpUrl);
            assertEquals("unsupported_on_engine", e.code());
        }
    }
}
