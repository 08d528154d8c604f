package io.porthole.testing;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real S3-compatible server on a free loopback port (or on another address of this host, {@link #startOn}): s3proxy (Maven Central {@code org.gaul:s3proxy}, its
 * self-contained jar) in a JVM of its own, so that nothing it bundles meets the tests' class path, storing objects
 * as files in a temporary directory. Each fixture has its own keys and the buckets named at start (made before the
 * server starts, as directories). The server's JVM ends with this one even when this one is killed
 * ({@link S3FixtureMain}); {@link #close()} ends it at once and removes its files. Thread-safe.
 *
 * <pre>{@code
 * try (var s3 = S3Fixture.start()) {
 *     new S3Config(Optional.of(s3.endpoint()), s3.region(), s3.bucket(), "", s3.accessKeyId(), s3.secretAccessKey());
 * }
 * }</pre>
 */
public final class S3Fixture implements AutoCloseable {
    /** The bucket {@link #start()} makes. */
    public static final String BUCKET = "porthole";
    private static final long START_TIMEOUT_SECONDS = 120;

    private final Process process;
    private final Path dir;
    private final URI endpoint;
    private final String bucket;
    private final String accessKeyId;
    private final String secretAccessKey;

    private S3Fixture(Process process, Path dir, URI endpoint, String bucket, String accessKeyId, String secretAccessKey) {
        this.process = process;
        this.dir = dir;
        this.endpoint = endpoint;
        this.bucket = bucket;
        this.accessKeyId = accessKeyId;
        this.secretAccessKey = secretAccessKey;
    }

    /** A server with the one bucket {@link #BUCKET}. */
    public static S3Fixture start() {
        return start(BUCKET);
    }

    /** A server with these buckets; {@link #bucket()} is the first. */
    public static S3Fixture start(String bucket, String... more) {
        return startOn("127.0.0.1", bucket, more);
    }

    /**
     * A server with the one bucket {@link #BUCKET}, listening on {@code address} (an IPv4 address of this host)
     * instead of loopback: for clients in other network namespaces.
     */
    public static S3Fixture startOn(String address) {
        if (!address.matches("[0-9.]+")) throw new IllegalArgumentException("not an IPv4 address: " + address);
        return startOn(address, BUCKET);
    }

    private static S3Fixture startOn(String address, String bucket, String... more) {
        Path dir;
        try {
            dir = Files.createTempDirectory("porthole-s3-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            var data = Files.createDirectories(dir.resolve("data"));
            Files.createDirectories(data.resolve(bucket));
            for (var b : more) Files.createDirectories(data.resolve(b));
            var id = "test-" + hex(8);
            var secret = hex(20);
            var props = new Properties();
            props.setProperty("s3proxy.endpoint", "http://" + address + ":0");
            props.setProperty("s3proxy.authorization", "aws-v2-or-v4");
            props.setProperty("s3proxy.identity", id);
            props.setProperty("s3proxy.credential", secret);
            props.setProperty("jclouds.provider", "filesystem");
            props.setProperty("jclouds.filesystem.basedir", data.toString());
            props.setProperty("jclouds.identity", "unused");
            props.setProperty("jclouds.credential", "unused");
            var file = dir.resolve("s3proxy.properties");
            try (var out = Files.newBufferedWriter(file)) {
                props.store(out, "S3Fixture");
            }
            var javaBinary = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            var classPath = jar() + File.pathSeparator + ownClasses();
            var pb = new ProcessBuilder(javaBinary, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener",
                    "-cp", classPath, S3FixtureMain.class.getName(), "--properties", file.toString())
                    .redirectErrorStream(true);
            pb.environment().put("LOG_LEVEL", "info");
            var process = pb.start();
            int port = awaitPort(process, Pattern.compile("\\{" + Pattern.quote(address) + ":(\\d+)}"));
            return new S3Fixture(process, dir, new URI("http://" + address + ":" + port), bucket, id, secret);
        } catch (IOException | URISyntaxException | RuntimeException e) {
            deleteTree(dir);
            throw e instanceof RuntimeException r ? r : new IllegalStateException("s3proxy did not start: " + e, e);
        }
    }

    /** Reads the server's output until it names its port, and goes on reading it (keeping the last lines). */
    private static int awaitPort(Process process, Pattern listening) {
        var port = new CompletableFuture<Integer>();
        var last = new ArrayDeque<String>();
        var reader = new Thread(() -> {
            try (var lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    synchronized (last) {
                        last.addLast(line);
                        if (last.size() > 40) last.removeFirst();
                    }
                    var m = listening.matcher(line);
                    if (!port.isDone() && line.contains("ServerConnector") && m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
            port.completeExceptionally(new IllegalStateException("s3proxy ended before it listened"));
        }, "s3proxy-output");
        reader.setDaemon(true);
        reader.start();
        try {
            return port.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            String output;
            synchronized (last) {
                output = String.join("\n", last);
            }
            throw new IllegalStateException("s3proxy did not listen within " + START_TIMEOUT_SECONDS + " s ("
                    + e + "); its last output:\n" + output, e);
        }
    }

    /** The path of s3proxy's jar, written into this module's resources by its build. */
    private static String jar() throws IOException {
        var props = new Properties();
        try (InputStream in = S3Fixture.class.getResourceAsStream("s3proxy.properties")) {
            if (in == null) throw new IllegalStateException("s3proxy.properties is missing: build porthole-testing with Maven");
            props.load(in);
        }
        var jar = props.getProperty("jar", "");
        if (jar.isEmpty() || jar.startsWith("${") || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("s3proxy's jar is not at '" + jar + "': build porthole-testing with Maven"
                    + " (online once, to fetch org.gaul:s3proxy:" + props.getProperty("version") + ")");
        }
        return jar;
    }

    /** Where this class was loaded from (a directory or a jar), for the server JVM's class path. */
    private static String ownClasses() {
        try {
            return Path.of(S3Fixture.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(int bytes) {
        var b = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    public URI endpoint() {
        return endpoint;
    }

    /** The region requests are signed for: s3proxy takes any. */
    public String region() {
        return "us-east-1";
    }

    public String bucket() {
        return bucket;
    }

    public String accessKeyId() {
        return accessKeyId;
    }

    public String secretAccessKey() {
        return secretAccessKey;
    }

    /** The files of a bucket's objects (the server keeps each object as a file under this directory). */
    public Path bucketDirectory(String name) {
        return dir.resolve("data").resolve(name);
    }

    /** The object keys of a bucket, as its files show them (relative paths with '/'), sorted. */
    public List<String> keys(String name) {
        var root = bucketDirectory(name);
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) throw new IllegalStateException("s3proxy did not end in 30 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) return;
        try (Stream<Path> walk = Files.walk(root)) {
            var all = new ArrayList<Path>(walk.sorted(Comparator.reverseOrder()).toList());
            for (var p : all) Files.deleteIfExists(p);
        } catch (IOException e) {
            // a temporary directory: left for the system to clear
        }
    }
}
