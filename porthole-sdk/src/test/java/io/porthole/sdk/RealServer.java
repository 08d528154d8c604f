package io.porthole.sdk;

import io.porthole.core.ComputersConfig;
import io.porthole.runtime.local.LocalSandboxRuntime;
import io.porthole.server.PortholeServer;
import io.porthole.server.ServerConfig;
import io.porthole.testing.PageServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One real Porthole server (in this JVM, configured as porthole-server's own tests configure theirs) and one
 * loopback page server for the whole test run, stopped at JVM exit; and SDK clients pointed at it.
 */
final class RealServer {
    static final String KEY = "sdk-test-key";
    private static RealServer instance;

    final PortholeServer server;
    final PageServer pages;
    final Path dataDir;

    private RealServer() {
        try {
            dataDir = Files.createTempDirectory("porthole-sdk-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        var computers = new ComputersConfig(3600, 300, 24 * 3600, 16, 1280, 720);
        // the page server is on loopback, which computers may not reach unless allowed
        var config = ServerConfig.defaults(dataDir).withPort(0).withApiKey(KEY).withComputers(computers)
                .withSchedulerTickMillis(50).withEgressAllow(List.of("127.0.0.1"))
                .withLimits(new LocalSandboxRuntime.Limits(1L << 30, 512))
                .toBuilder().stopComputersOnShutdown(true).build();
        server = PortholeServer.start(config);
        pages = PageServer.start();
        Runtime.getRuntime().addShutdownHook(new Thread(this::close));
    }

    static synchronized RealServer get() {
        if (instance == null) instance = new RealServer();
        return instance;
    }

    /** A client of the server with the test key; generous timeouts for a busy two-core machine. */
    Porthole client() {
        return Porthole.builder().baseUrl(server.baseUrl()).apiKey(KEY).timeout(Duration.ofSeconds(120)).build();
    }

    private void close() {
        server.close();
        pages.close();
        io.porthole.core.internal.Files2.deleteTree(dataDir);
    }
}
