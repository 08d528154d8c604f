package io.porthole.engine.bidi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.porthole.core.PortholeException;
import io.porthole.core.browser.LaunchSpec;
import io.porthole.core.browser.ProtocolClient;
import io.porthole.core.sandbox.SandboxSpec;
import io.porthole.runtime.local.EgressPolicy;
import io.porthole.runtime.local.LocalSandboxRuntime;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Starting and ending: a Firefox that dies by itself is reported, and nothing of it is left behind. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FirefoxLifecycleTest {

    @Test
    void aMissingBinarySaysWhatToInstall() {
        var e = assertThrows(PortholeException.Unavailable.class, () -> new FirefoxEngine(
                new FirefoxConfig(Path.of("/nonexistent/firefox"), Map.of(), Duration.ofSeconds(5), false)));
        assertTrue(e.getMessage().contains("apt-get install firefox-esr"), e.getMessage());
    }

    @Test
    void aFirefoxThatDiesByItselfIsReportedOnceAndLeavesNothing(@TempDir Path dir) throws Exception {
        var runtime = new LocalSandboxRuntime(List.of(dir.resolve("data")), new EgressPolicy(List.of("127.0.0.1"), () -> -1));
        try (var sandbox = runtime.start(new SandboxSpec("ffdie", dir.resolve("computers/ffdie"), Map.of()))) {
            var exited = new CompletableFuture<String>();
            var driver = new FirefoxEngine(FirefoxConfig.defaults())
                    .launch(new LaunchSpec("ffdie", sandbox, 640, 480, 1.0, false, exited::complete));
            var clientClosed = new CompletableFuture<Void>();
            driver.connectClient(ProtocolClient.Protocol.BIDI, m -> { }, () -> clientClosed.complete(null));
            var main = ProcessHandle.current().descendants()
                    .filter(h -> h.info().commandLine().orElse("").contains("--profile")
                            && h.info().command().orElse("").contains("firefox")
                            && !h.info().commandLine().orElse("").contains("-contentproc"))
                    .findFirst().orElseThrow();
            main.destroyForcibly();
            assertTrue(exited.get(20, TimeUnit.SECONDS).startsWith("Firefox exited"), exited.getNow(""));
            clientClosed.get(10, TimeUnit.SECONDS);
            assertFalse(driver.isAlive());
            driver.close();
            driver.close();
            assertEquals("", FirefoxEngineTest.firefoxesIn(sandbox));
            // this JVM's: every sandbox it made, and what entered them, descends from it
            assertEquals(List.of(), ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                    .filter(h -> h.info().commandLine().orElse("").contains("porthole-profile")
                            || h.info().commandLine().orElse("").contains("UNIX-CONNECT:/run/porthole/r"))
                    .map(h -> h.pid() + " " + h.info().commandLine().orElse("")).toList());
        } finally {
            runtime.close();
        }
    }
}
