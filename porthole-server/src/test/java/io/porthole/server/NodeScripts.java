package io.porthole.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Runs the Node.js scripts of {@code src/test/node} (Playwright, Puppeteer, botd) for the tests. The first use in
 * a test JVM copies {@code package.json}, {@code package-lock.json} and the scripts to {@code target/node} and
 * runs {@code npm ci} there, unless an earlier run already installed the same lock (its SHA-256 is kept next to
 * {@code node_modules}), so the source tree stays clean and the install happens once. Only the {@code -core}
 * packages are used, and browser downloads are switched off: the scripts drive Porthole's browsers.
 *
 * <p>Without {@code node} and {@code npm} on the PATH every use fails with a message that says how to get them.
 */
final class NodeScripts {
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);
    /** porthole-server: Maven runs the tests there and says so in {@code basedir}; an IDE may start from the root. */
    private static final Path MODULE = module();
    static final Path SOURCE = MODULE.resolve("src/test/node");
    static final Path DIR = MODULE.resolve("target/node");
    private static boolean installed;

    private NodeScripts() {}

    private static Path module() {
        var dir = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
        return Files.isDirectory(dir.resolve("src/test/node")) ? dir : dir.resolve("porthole-server");
    }

    /** What a finished script did. */
    record Result(int exitCode, String stdout, String stderr) {
        /** The last line of stdout that is a JSON object, parsed: how the scripts report. */
        com.fasterxml.jackson.databind.JsonNode json() {
            var lines = stdout.strip().split("\n");
            for (int i = lines.length - 1; i >= 0; i--) {
                var line = lines[i].strip();
                if (line.startsWith("{")) {
                    try {
                        return TestServer.JSON.readTree(line);
                    } catch (IOException e) {
                        throw new AssertionError("bad JSON line from the script: " + line + "\n" + this, e);
                    }
                }
            }
            throw new AssertionError("the script printed no JSON line\n" + this);
        }

        /** Fails, showing everything the script said, unless it exited 0. */
        Result assertOk() {
            if (exitCode != 0) throw new AssertionError("node script failed\n" + this);
            return this;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
        }
    }

    /** The installed {@code node_modules} directory (installing first if needed). */
    static Path nodeModules() {
        install();
        return DIR.resolve("node_modules");
    }

    /** Runs {@code src/test/node/<script>} with {@code env} added, killed (with its children) after {@code timeout}. */
    static Result run(String script, Map<String, String> env, Duration timeout) {
        try (var running = start(script, env)) {
            return running.await(timeout);
        }
    }

    /** Starts a script and returns at once; close the handle to kill it if it is still running. */
    static Running start(String script, Map<String, String> env) {
        install();
        copyScripts();
        var cmd = List.of(executable("node"), DIR.resolve(script).toString());
        return new Running(launch(cmd, env), String.join(" ", cmd));
    }

    /** A script that runs: its stdout lines as they come, its stdin, its end. */
    static final class Running implements AutoCloseable {
        private final Process process;
        private final String what;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteArrayOutputStream err = new ByteArrayOutputStream();
        private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final Thread outReader;
        private final Thread errReader;

        Running(Process process, String what) {
            this.process = process;
            this.what = what;
            outReader = Thread.ofPlatform().daemon(true).name("node-stdout").start(() -> pump(process.getInputStream(), out, lines));
            errReader = Thread.ofPlatform().daemon(true).name("node-stderr").start(() -> pump(process.getErrorStream(), err, null));
        }

        /** Waits for a stdout line that matches and returns it; fails (killing the script) after {@code timeout}. */
        String awaitLine(Predicate<String> matches, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            try {
                while (true) {
                    long left = deadline - System.nanoTime();
                    var line = left <= 0 ? null : lines.poll(Math.min(left, 100_000_000L), TimeUnit.NANOSECONDS);
                    if (line != null && matches.test(line)) return line;
                    if (line == null && !process.isAlive() && lines.isEmpty()) {
                        throw new AssertionError("the script ended before printing the awaited line\n" + await(Duration.ofSeconds(5)));
                    }
                    if (System.nanoTime() > deadline) {
                        kill();
                        throw new AssertionError("timed out after " + timeout + " waiting for a line from " + what + "\n"
                                + await(Duration.ofSeconds(5)));
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                kill();
                throw new AssertionError(e);
            }
        }

        /** Closes the script's stdin (the scripts that hold a connection let go of it then). */
        void closeStdin() {
            try {
                process.getOutputStream().close();
            } catch (IOException ignored) {
                // it is gone already
            }
        }

        /** Waits for the end; on {@code timeout} kills the script and its children and says so in stderr. */
        Result await(Duration timeout) {
            boolean ended;
            try {
                ended = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ended = false;
            }
            if (!ended) kill();
            try {
                outReader.join(Duration.ofSeconds(5));
                errReader.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            String stderr;
            synchronized (err) {
                stderr = err.toString(StandardCharsets.UTF_8);
            }
            if (!ended) stderr += "\n[killed after " + timeout + ": " + what + "]";
            String stdout;
            synchronized (out) {
                stdout = out.toString(StandardCharsets.UTF_8);
            }
            return new Result(ended ? process.exitValue() : -1, stdout, stderr);
        }

        private void kill() {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
            if (process.isAlive()) kill();
        }
    }

    private static void pump(InputStream in, ByteArrayOutputStream sink, LinkedBlockingQueue<String> lines) {
        var line = new ByteArrayOutputStream();
        var buf = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buf)) > 0) {
                synchronized (sink) {
                    sink.write(buf, 0, n);
                }
                if (lines == null) continue;
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n') {
                        lines.add(line.toString(StandardCharsets.UTF_8));
                        line.reset();
                    } else {
                        line.write(buf[i]);
                    }
                }
            }
        } catch (IOException ignored) {
            // the process ended
        }
        if (lines != null && line.size() > 0) lines.add(line.toString(StandardCharsets.UTF_8));
    }

    private static Process launch(List<String> cmd, Map<String, String> env) {
        var pb = new ProcessBuilder(cmd).directory(DIR.toFile());
        pb.environment().putAll(noDownloads());
        pb.environment().putAll(env);
        try {
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + cmd, e);
        }
    }

    /** The variables that keep every package from fetching a browser of its own. */
    private static Map<String, String> noDownloads() {
        return Map.of("PUPPETEER_SKIP_DOWNLOAD", "1", "PUPPETEER_SKIP_CHROME_DOWNLOAD", "1",
                "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1", "npm_config_audit", "false", "npm_config_fund", "false",
                "npm_config_update_notifier", "false");
    }

    /** The absolute path of {@code name} on the PATH; fails with how to install it when there is none. */
    static String executable(String name) {
        for (var dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (dir.isEmpty()) continue;
            var p = Path.of(dir, name);
            if (Files.isExecutable(p) && !Files.isDirectory(p)) return p.toString();
        }
        throw new AssertionError("'" + name + "' is not on the PATH, and this test runs Node.js clients (Playwright, "
                + "Puppeteer, botd). Run script/setup as root (it installs Debian's nodejs and npm), or "
                + "`apt-get install nodejs npm`, or put a Node 18+ with npm on the PATH.");
    }

    /** Installs the lock's packages into {@link #DIR} once per JVM; across JVMs, a file lock and the lock's hash. */
    private static synchronized void install() {
        if (installed) return;
        var node = executable("node");
        var npm = executable("npm");
        try {
            Files.createDirectories(DIR);
            try (var ch = FileChannel.open(DIR.resolve(".install-lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 var ignored = ch.lock()) {
                var lock = SOURCE.resolve("package-lock.json");
                var hash = sha256(Files.readAllBytes(SOURCE.resolve("package.json"))) + " "
                        + sha256(Files.readAllBytes(lock));
                var stamp = DIR.resolve("node_modules/.porthole-installed");
                if (!Files.isRegularFile(stamp) || !Files.readString(stamp).equals(hash)) {
                    Files.copy(SOURCE.resolve("package.json"), DIR.resolve("package.json"), StandardCopyOption.REPLACE_EXISTING);
                    Files.copy(lock, DIR.resolve("package-lock.json"), StandardCopyOption.REPLACE_EXISTING);
                    var cmd = List.of(npm, "ci", "--no-audit", "--no-fund", "--no-update-notifier");
                    // npm itself is a node script: make sure it finds the node we found
                    var env = Map.of("PATH", Path.of(node).getParent() + java.io.File.pathSeparator + System.getenv("PATH"));
                    try (var running = new Running(launch(cmd, env), String.join(" ", cmd))) {
                        var r = running.await(INSTALL_TIMEOUT);
                        if (r.exitCode() != 0) {
                            throw new AssertionError("npm ci in " + DIR + " failed (the npm registry must be reachable)\n" + r);
                        }
                    }
                    Files.writeString(stamp, hash);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        installed = true;
    }

    /** Copies the scripts (not the packages) next to node_modules, where their requires resolve. */
    private static void copyScripts() {
        try (var files = Files.list(SOURCE)) {
            for (var f : files.toList()) {
                var name = f.getFileName().toString();
                if (Files.isRegularFile(f) && (name.endsWith(".js") || name.endsWith(".mjs") || name.endsWith(".cjs"))) {
                    Files.copy(f, DIR.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
