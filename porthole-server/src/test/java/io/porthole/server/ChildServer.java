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
        var javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var cmd = new java.util.ArrayList<>(java.util.List.of(javaBin, "-cp", System.getProperty("java.class.path"),
                "io.porthole.server.Main", "serve", "--data-dir=" + dataDir, "--port=0", "--api-key=" + key,
                // no warm pool unless the test asks for one (a later --pool= wins)
                "--pool=off"));
        cmd.addAll(java.util.List.of(flags));
        var builder = new ProcessBuilder(cmd).redirectErrorStream(true);
        builder.environment().putAll(env);
        return builder.start();
    }

    /** The URL the child prints; on failure, everything it printed. */
    static String baseUrl(Process server) throws Exception {
        var pattern = Pattern.compile("listening on (http://\\S+)");
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
