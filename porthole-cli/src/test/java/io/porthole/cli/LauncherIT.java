package io.porthole.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher Maven builds, {@code target/porthole}, run as a real process: it runs after {@code package} (the
 * surefire execution {@code launcher-it}), so it tests what a user gets from {@code ./mvnw package}.
 */
class LauncherIT {
    private static final Path LAUNCHER = Path.of(System.getProperty("porthole.launcher", "target/porthole"));

    @TempDir
    Path tmp;

    record Result(int exit, String out, String err) {}

    /** The launcher's environment: ours without any PORTHOLE_ setting, with this JVM's Java, plus {@code extra}. */
    private static ProcessBuilder launcher(Map<String, String> extra, String... args) {
        assertTrue(Files.isExecutable(LAUNCHER), LAUNCHER + " is not there: './mvnw package' builds it");
        var command = new ArrayList<String>();
        command.add(LAUNCHER.toString());
        command.addAll(List.of(args));
        var pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(k -> k.startsWith("PORTHOLE_"));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().putAll(extra);
        return pb;
    }

    private Result run(Map<String, String> env, String... args) throws Exception {
        var pb = launcher(env, args);
        var out = tmp.resolve("out-" + System.nanoTime());
        var err = tmp.resolve("err-" + System.nanoTime());
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        var p = pb.start();
        try {
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the launcher did not end in 120 s");
        } finally {
            p.destroyForcibly();
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void theLauncherShowsHelpAndTalksToAServer() throws Exception {
        var help = run(Map.of(), "--help");
        assertEquals(0, help.exit(), help::toString);
        assertTrue(help.out().startsWith("Usage: porthole"), help::toString);

        try (var server = new CliServer()) {
            var ls = run(Map.of("PORTHOLE_BASE_URL", server.baseUrl(), "PORTHOLE_API_KEY", CliServer.KEY),
                    "computers", "ls", "--json");
            assertEquals(0, ls.exit(), ls::toString);
            assertTrue(Json.MAPPER.readTree(ls.out()).isArray(), ls::toString);
            var missing = run(Map.of(), "computers", "get", "comp_nothing", "--base-url=" + server.baseUrl(),
                    "--api-key=" + CliServer.KEY);
            assertEquals(ExitCodes.NOT_FOUND, missing.exit(), missing::toString);
            assertTrue(missing.err().startsWith("error: not_found: "), missing::toString);
        }
    }

    @Test
    void serveRunsTheServerAndTheOtherCommandsFindItsKey() throws Exception {
        var data = Files.createDirectories(tmp.resolve("data"));
        var pb = launcher(Map.of(), "serve", "--port=0", "--data-dir=" + data).redirectErrorStream(true);
        var server = pb.start();
        var lines = new StringBuffer();
        try {
            var reader = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            var url = CompletableFuture.supplyAsync(() -> {
                try {
                    for (String l; (l = reader.readLine()) != null; ) {
                        lines.append(l).append('\n');
                        if (l.startsWith("Porthole is listening on ")) return l.substring("Porthole is listening on ".length());
                    }
                    return null;
                } catch (IOException e) {
                    return null;
                }
            }).get(120, TimeUnit.SECONDS);
            assertTrue(url != null && url.startsWith("http://127.0.0.1:"), lines::toString);
            // keep reading, so that the server never blocks on a full pipe
            CompletableFuture.runAsync(() -> {
                try {
                    while (reader.readLine() != null) {
                        // discarded
                    }
                } catch (IOException e) {
                    // ended
                }
            });

            // no key given: the key file serve wrote in its data directory, as the server is on this host
            var env = new HashMap<String, String>();
            env.put("PORTHOLE_BASE_URL", url);
            env.put("PORTHOLE_DATA_DIR", data.toString());
            var ls = run(env, "computers", "ls");
            assertEquals(0, ls.exit(), ls::toString);
            assertTrue(ls.out().startsWith("ID "), ls::toString);
            var keys = run(env, "keys", "ls");
            assertEquals(0, keys.exit(), keys::toString);
            assertTrue(keys.out().contains("bootstrap (generated)"), keys::toString);
        } finally {
            server.destroy();
            if (!server.waitFor(60, TimeUnit.SECONDS)) server.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
