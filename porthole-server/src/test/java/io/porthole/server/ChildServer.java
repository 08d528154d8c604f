package io.porthole.server;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/** A Porthole server in a child JVM, so that a test can SIGKILL it; started with {@code serve} and flags. */
final class ChildServer {
    private ChildServer() {}

    /** Starts {@code serve --data-dir=… --port=0 --api-key=…} plus {@code flags}. */
    static Process start(Path dataDir, String key, String... flags) throws java.io.IOException {
        return start(java.util.Map.of(), dataDir, key, flags);
    }

    /** The same, with {@code env} added to the child's environment (which is otherwise this JVM's). */
    static Process start(java.util.Map<String, String> env, Path dataDir, String key, String... flags) throws java.io.IOException {
        var builder = new ProcessBuilder(command(dataDir, key, flags)).redirectErrorStream(true);
        builder.environment().putAll(env);
        return builder.start();
    }

    /**
     * The same, its command run by {@code prefix} (e.g. {@code nsenter --net=… --}, into another network namespace)
     * and started from a thread that waits for it to end: a parent-death signal the prefix sets (setpriv
     * {@code --pdeathsig}) is tied to the thread that started the process, so that thread must live as long as it.
     */
    static Process start(java.util.List<String> prefix, java.util.Map<String, String> env, Path dataDir, String key,
                         String... flags) throws java.io.IOException {
        var cmd = new java.util.ArrayList<>(prefix);
        cmd.addAll(command(dataDir, key, flags));
        var builder = new ProcessBuilder(cmd).redirectErrorStream(true);
        builder.environment().putAll(env);
        var started = new CompletableFuture<Process>();
        Thread.ofPlatform().daemon(true).name("child-server-keeper").start(() -> {
            Process p;
            try {
                p = builder.start();
            } catch (java.io.IOException | RuntimeException e) {
                started.completeExceptionally(e);
                return;
            }
            started.complete(p);
            while (true) {
                try {
                    p.waitFor();
                    return;
                } catch (InterruptedException e) {
                    // keep waiting: this thread's end would signal the child
                }
            }
        });
        try {
            return started.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof java.io.IOException io ? io : new java.io.IOException(e.getCause());
        } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            throw new java.io.IOException("the server's process did not start: " + e, e);
        }
    }

    private static java.util.List<String> command(Path dataDir, String key, String... flags) {
        var javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // as script/server and the image start it (sqlite-jdbc's native library, which the JVM warns about otherwise)
        var cmd = new java.util.ArrayList<>(java.util.List.of(javaBin, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"),
                "io.porthole.server.Main", "serve", "--data-dir=" + dataDir, "--port=0", "--api-key=" + key,
                // no warm pool unless the test asks for one (a later --pool= wins)
                "--pool=off"));
        cmd.addAll(java.util.List.of(flags));
        return cmd;
    }

    /** The URL the child prints; on failure, everything it printed. */
    static String baseUrl(Process server) throws Exception {
        // a text line, or the message of a JSON one (PORTHOLE_LOG_FORMAT=json)
        var pattern = Pattern.compile("listening on (http://[^\\s\"]+)");
        var said = new StringBuffer();
        var found = new CompletableFuture<String>();
        // a platform thread: reading a pipe pins a virtual thread's carrier, and the common pool may be busy
        Thread.ofPlatform().daemon(true).start(() -> {
            try (var r = new BufferedReader(new InputStreamReader(server.getInputStream()))) {
                String line;
                while ((line = r.readLine()) != null) {
                    said.append(line).append('\n');
                    var m = pattern.matcher(line);
                    if (m.find()) found.complete(m.group(1));
                }
            } catch (java.io.IOException e) {
                found.completeExceptionally(e);
            }
            found.completeExceptionally(new IllegalStateException("the server ended without saying where it listens"));
        });
        try {
            return found.get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the server did not start: " + e + "; it printed:\n" + said, e);
        }
    }
}
