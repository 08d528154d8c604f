package io.porthole.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The bench's Node.js client ({@code porthole-bench/src/main/node}: Playwright over CDP). {@link #prepare} copies
 * its {@code package.json}, {@code package-lock.json} and scripts to {@code porthole-bench/target/node} and runs
 * {@code npm ci} there unless an earlier run installed the same lock (the hashes of both files are kept next to
 * {@code node_modules}). Only {@code playwright-core} is installed, which never downloads a browser; the download
 * switches are set anyway.
 */
final class NodeClient {
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);
    private static final String STAMP = ".porthole-bench-installed";

    private final Path dir;
    private final String node;

    private NodeClient(Path dir, String node) {
        this.dir = dir;
        this.node = node;
    }

    /** Why the client cannot run here (a sentence for the report), or null. */
    record Prepared(NodeClient client, String unavailable) {}

    /**
     * Finds node and npm, and installs the packages if needed. Never throws for a missing node, npm or registry:
     * answers why instead, so that the bench can skip the rows that need it.
     *
     * @param marker an environment entry ("NAME=value") every process started here gets, to find leftovers
     */
    static Prepared prepare(String marker) {
        var source = source();
        if (source == null) {
            return new Prepared(null, "porthole-bench/src/main/node was not found (run the bench from the "
                    + "repository root, as script/bench does)");
        }
        var node = executable("node");
        var npm = executable("npm");
        if (node == null || npm == null) {
            return new Prepared(null, "'" + (node == null ? "node" : "npm") + "' is not on the PATH (Debian: "
                    + "apt-get install nodejs npm, or run script/setup)");
        }
        var dir = source.getParent().getParent().getParent().resolve("target").resolve("node");
        try {
            Files.createDirectories(dir);
            try (var ch = FileChannel.open(dir.resolve(".install-lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); var ignored = ch.lock()) {
                var hash = sha256(Files.readAllBytes(source.resolve("package.json"))) + " "
                        + sha256(Files.readAllBytes(source.resolve("package-lock.json")));
                var stamp = dir.resolve("node_modules").resolve(STAMP);
                if (!Files.isRegularFile(stamp) || !Files.readString(stamp).equals(hash)) {
                    for (var f : List.of("package.json", "package-lock.json")) {
                        Files.copy(source.resolve(f), dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
                    }
                    var cmd = List.of(npm, "ci", "--no-audit", "--no-fund", "--no-update-notifier");
                    // npm is itself a node script: make it find the node found here
                    var r = run(cmd, dir, Map.of("PATH", Path.of(node).getParent() + File.pathSeparator
                            + System.getenv().getOrDefault("PATH", "")), marker, INSTALL_TIMEOUT);
                    if (r.exitCode() != 0) {
                        return new Prepared(null, "npm ci in " + dir + " failed (exit " + r.exitCode()
                                + "; the npm registry must be reachable once): " + tail(r.stderr()));
                    }
                    Files.writeString(stamp, hash);
                }
            }
            try (var files = Files.list(source)) {
                for (var f : files.toList()) {
                    if (f.getFileName().toString().endsWith(".js")) {
                        Files.copy(f, dir.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        } catch (IOException e) {
            return new Prepared(null, "installing playwright-core in " + dir + " failed: " + e.getMessage());
        }
        return new Prepared(new NodeClient(dir, node), null);
    }

    /** {@code porthole-bench/src/main/node}, from the repository root or from the module. */
    private static Path source() {
        var cwd = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (var p : List.of(cwd.resolve("porthole-bench/src/main/node"), cwd.resolve("src/main/node"))) {
            if (Files.isRegularFile(p.resolve("package-lock.json"))) return p;
        }
        return null;
    }

    /** The version of the node found, e.g. "v20.20.2", or "?". */
    String version() {
        try {
            var r = run(List.of(node, "--version"), dir, Map.of(), null, Duration.ofSeconds(10));
            return r.exitCode() == 0 ? r.stdout().trim() : "?";
        } catch (IOException e) {
            return "?";
        }
    }

    /** The installed playwright-core's version, from its package.json, or "?". */
    String playwrightVersion() {
        try {
            var json = PortholeClient.JSON.readTree(dir.resolve("node_modules/playwright-core/package.json").toFile());
            return json.path("version").asText("?");
        } catch (IOException e) {
            return "?";
        }
    }

    /** What a finished script did: its exit code, its last JSON line (or null), stdout and stderr, wall time. */
    record Result(int exitCode, JsonNode json, String stdout, String stderr, long wallNanos) {
        String describe() {
            return "exit " + exitCode + (stderr.isBlank() ? "" : ": " + tail(stderr)) + (json == null && !stdout.isBlank()
                    ? " (stdout: " + tail(stdout) + ")" : "");
        }
    }

    /** Runs {@code script} (in the install directory) with {@code env}; killed with its children after {@code timeout}. */
    Result script(String script, Map<String, String> env, String marker, Duration timeout) throws IOException {
        var r = run(List.of(node, dir.resolve(script).toString()), dir, env, marker, timeout);
        JsonNode json = null;
        var lines = r.stdout().strip().split("\n");
        for (int i = lines.length - 1; i >= 0 && json == null; i--) {
            var line = lines[i].strip();
            if (line.startsWith("{")) {
                try {
                    json = PortholeClient.JSON.readTree(line);
                } catch (IOException notJson) {
                    // keep looking
                }
            }
        }
        return new Result(r.exitCode(), json, r.stdout(), r.stderr(), r.wallNanos());
    }

    /**
     * Starts {@code script} (in the install directory) with {@code env} and leaves it running, its standard input and
     * output piped to the caller (standard error discarded); the caller ends it, with its children.
     */
    Process start(String script, Map<String, String> env, String marker) throws IOException {
        var pb = new ProcessBuilder(List.of(node, dir.resolve(script).toString())).directory(dir.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1", "PUPPETEER_SKIP_DOWNLOAD", "1"));
        pb.environment().putAll(env);
        if (marker != null) {
            var eq = marker.indexOf('=');
            pb.environment().put(marker.substring(0, eq), marker.substring(eq + 1));
        }
        return pb.start();
    }

    private static Result run(List<String> cmd, Path dir, Map<String, String> env, String marker, Duration timeout)
            throws IOException {
        var pb = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1", "PUPPETEER_SKIP_DOWNLOAD", "1",
                "npm_config_audit", "false", "npm_config_fund", "false", "npm_config_update_notifier", "false"));
        pb.environment().putAll(env);
        if (marker != null) {
            var eq = marker.indexOf('=');
            pb.environment().put(marker.substring(0, eq), marker.substring(eq + 1));
        }
        long t0 = System.nanoTime();
        var p = pb.start();
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        var outReader = Thread.ofVirtual().start(() -> pump(p.getInputStream(), out));
        var errReader = Thread.ofVirtual().start(() -> pump(p.getErrorStream(), err));
        boolean ended;
        try {
            ended = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ended = false;
        }
        long wall = System.nanoTime() - t0;
        if (!ended) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            outReader.join(Duration.ofSeconds(5));
            errReader.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String stdout;
        String stderr;
        synchronized (out) {
            stdout = out.toString(StandardCharsets.UTF_8);
        }
        synchronized (err) {
            stderr = err.toString(StandardCharsets.UTF_8);
        }
        if (!ended) stderr += "\n[killed after " + timeout.toSeconds() + " s: " + String.join(" ", cmd) + "]";
        return new Result(ended ? p.exitValue() : -1, null, stdout, stderr, wall);
    }

    private static void pump(InputStream in, ByteArrayOutputStream sink) {
        var buf = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buf)) > 0) {
                synchronized (sink) {
                    sink.write(buf, 0, n);
                }
            }
        } catch (IOException ignored) {
            // the process ended
        }
    }

    /** The last few lines of {@code text}, on one line. */
    static String tail(String text) {
        var lines = text.strip().split("\n");
        var from = Math.max(0, lines.length - 6);
        return String.join(" | ", new ArrayList<>(List.of(lines).subList(from, lines.length))).strip();
    }

    private static String executable(String name) {
        for (var d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (d.isEmpty()) continue;
            var p = Path.of(d, name);
            if (Files.isExecutable(p) && !Files.isDirectory(p)) return p.toString();
        }
        return null;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
