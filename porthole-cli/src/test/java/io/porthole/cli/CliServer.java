package io.porthole.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.porthole.core.ComputersConfig;
import io.porthole.core.internal.Files2;
import io.porthole.runtime.local.LocalSandboxRuntime;
import io.porthole.server.PortholeServer;
import io.porthole.server.ServerConfig;
import io.porthole.testing.PageServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real Porthole server and a loopback page server for the CLI's tests (the server module's TestServer is not on
 * this module's path), and a way to run the CLI in this JVM with captured output. {@link #KEY} is tenant default's
 * admin key; {@link #userKey} a plain key of another tenant.
 */
final class CliServer implements AutoCloseable {
    static final String KEY = "cli-test-admin-key";

    final PortholeServer server;
    final PageServer pages;
    final Path dataDir;
    final String userKey;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    CliServer() {
        try {
            dataDir = Files.createTempDirectory("porthole-cli-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // the page server is on loopback, which computers may not reach unless allowed
        var config = ServerConfig.defaults(dataDir).withPort(0).withApiKey(KEY)
                .withComputers(new ComputersConfig(3600, 300, 24 * 3600, 16, 1280, 720))
                .withSchedulerTickMillis(50).withEgressAllow(List.of("127.0.0.1"))
                .withLimits(new LocalSandboxRuntime.Limits(1L << 30, 512))
                .toBuilder().stopComputersOnShutdown(true).build();
        server = PortholeServer.start(config);
        userKey = server.keys().create("tenant-b", "cli tests", false).key();
        pages = PageServer.start();
    }

    String baseUrl() {
        return server.baseUrl();
    }

    @Override
    public void close() {
        server.close();
        pages.close();
        Files2.deleteTree(dataDir);
    }

    /** What one run of the CLI did. */
    record Run(int exit, String out, String err) {
        JsonNode json() {
            try {
                return Json.MAPPER.readTree(out);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + out + "\nstderr: " + err, e);
            }
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** Runs {@code porthole <args>} in this JVM against this server with the admin key (unless args name one). */
    Run cli(String... args) {
        var all = new ArrayList<>(List.of(args));
        // options go before a "--", after which everything is the command's
        int at = all.contains("--") ? all.indexOf("--") : all.size();
        if (all.stream().noneMatch(a -> a.startsWith("--api-key"))) all.add(at, "--api-key=" + KEY);
        if (all.stream().noneMatch(a -> a.startsWith("--base-url"))) all.add(at, "--base-url=" + baseUrl());
        return raw(all.toArray(String[]::new));
    }

    /** Runs {@code porthole <args>} exactly as given, with an empty environment. */
    static Run raw(String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int exit = PortholeCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of(),
                a -> { throw new AssertionError("serve is not run in-process"); });
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A request straight to the server (to check what the CLI did), with the admin key. */
    JsonNode post(String path, String body) {
        var req = HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(90))
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            var res = http.send(req, HttpResponse.BodyHandlers.ofString());
            if (res.statusCode() != 200) throw new AssertionError(path + " answered " + res.statusCode() + ": " + res.body());
            return Json.MAPPER.readTree(res.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
