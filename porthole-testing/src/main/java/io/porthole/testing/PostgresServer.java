package io.porthole.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server (the distribution's, {@code /usr/lib/postgresql/<version>/bin}) in a scratch directory,
 * listening on a free loopback port with its unix socket in that directory, password authentication for one
 * superuser. The same steps as {@code script/test}. As root it runs as the {@code postgres} user (initdb refuses
 * root); otherwise as the caller. It is this JVM's child and dies with the thread that started it, which lives
 * until the server ends (so a JVM that is killed takes it along); {@link #close} stops it and removes the
 * directory. Thread-safe.
 */
public final class PostgresServer implements AutoCloseable {
    public static final String USER = "porthole";
    private static final Path INSTALL = Path.of("/usr/lib/postgresql");

    private final Path dir;
    private final Process process;
    private final String host;
    private final int port;
    private final String password;

    private PostgresServer(Path dir, Process process, String host, int port, String password) {
        this.dir = dir;
        this.process = process;
        this.host = host;
        this.port = port;
        this.password = password;
    }

    /**
     * Starts a server. {@code durable}: with fsync and synchronous commits as a production server has them (the
     * benchmark); otherwise without (tests, where a crash of the machine loses nothing worth keeping).
     */
    public static PostgresServer start(boolean durable) {
        return start(durable, null, null);
    }

    /**
     * Starts a server that also listens on {@code address} (besides loopback) and lets clients from {@code clients}
     * (a CIDR, e.g. {@code 10.1.2.0/24}) in with the password; {@link #url} then names {@code address}. For clients
     * in other network namespaces, which cannot reach this one's loopback. Both null: {@link #start(boolean)}.
     */
    public static PostgresServer start(boolean durable, String address, String clients) {
        if ((address == null) != (clients == null)) throw new IllegalArgumentException("an address needs its clients, and back");
        if (address != null && !address.matches("[0-9.]+")) throw new IllegalArgumentException("not an IPv4 address: " + address);
        if (clients != null && !clients.matches("[0-9.]+/[0-9]{1,2}")) throw new IllegalArgumentException("not a CIDR: " + clients);
        var bin = binaries();
        Path dir = null;
        try {
            dir = Files.createTempDirectory("porthole-test-pg-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            var password = HexFormat.of().formatHex(randomBytes(16));
            var pwfile = dir.resolve("pwfile");
            Files.writeString(pwfile, password + "\n");
            if (isRoot()) chownToPostgres(dir, pwfile);
            run(dir, List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", USER,
                    "--pwfile=" + pwfile, "--auth=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync"));
            Files.delete(pwfile);
            if (clients != null) {
                // initdb's file lets in loopback only; the file stays the postgres user's (root writes, owner kept)
                Files.writeString(dir.resolve("data").resolve("pg_hba.conf"),
                        "host all all " + clients + " scram-sha-256\n", java.nio.file.StandardOpenOption.APPEND);
            }
            var failures = new ArrayList<String>();
            for (int attempt = 0; attempt < 5; attempt++) {
                int port = freePort();
                var server = launch(bin, dir, address, port, password, durable, failures);
                if (server != null) return server;
            }
            throw new IllegalStateException("PostgreSQL did not start in " + dir + ": " + String.join("; ", failures));
        } catch (IOException e) {
            deleteQuietly(dir);
            throw new UncheckedIOException("PostgreSQL could not be set up: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            deleteQuietly(dir);
            throw e;
        }
    }

    /** The server started on {@code port}, or null (with the reason added to {@code failures}) if it ended. */
    private static PostgresServer launch(Path bin, Path dir, String address, int port, String password, boolean durable,
                                         List<String> failures) throws IOException {
        var log = dir.resolve("postgres-" + port + ".log");
        var command = new ArrayList<>(asPostgres());
        command.addAll(List.of(bin.resolve("postgres").toString(), "-D", dir.resolve("data").toString(),
                "-h", address == null ? "127.0.0.1" : "127.0.0.1," + address, "-p", Integer.toString(port), "-k", dir.toString(),
                "-c", "max_connections=300", "-c", "shared_buffers=32MB"));
        if (!durable) command.addAll(List.of("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"));
        var builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        var process = startFromKeeper(builder);
        var url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            if (!process.isAlive()) {
                failures.add("port " + port + ": exited " + process.exitValue() + ": " + tail(log));
                return null;
            }
            try (var c = DriverManager.getConnection(url, USER, password)) {
                return new PostgresServer(dir, process, address == null ? "127.0.0.1" : address, port, password);
            } catch (SQLException e) {
                if (System.nanoTime() > deadline) {
                    stop(process);
                    failures.add("port " + port + ": not accepting connections after 60 s (" + e.getMessage() + "): " + tail(log));
                    return null;
                }
            }
            sleep(50);
        }
    }

    /**
     * Starts the process from a thread that waits for it to end. The process is told to quit when its parent
     * thread ends (parent-death signal, which Linux ties to the thread), so that thread must live as long as it.
     */
    private static Process startFromKeeper(ProcessBuilder builder) throws IOException {
        var started = new CompletableFuture<Process>();
        var keeper = new Thread(() -> {
            Process p;
            try {
                p = builder.start();
            } catch (IOException | RuntimeException e) {
                started.completeExceptionally(e);
                return;
            }
            started.complete(p);
            while (true) {
                try {
                    p.waitFor();
                    return;
                } catch (InterruptedException e) {
                    // keep waiting: this thread's end would end the server
                }
            }
        }, "postgres-keeper");
        keeper.setDaemon(true);
        keeper.start();
        try {
            return started.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting PostgreSQL");
        } catch (TimeoutException e) {
            throw new IOException("PostgreSQL's process did not start in 30 s");
        }
    }

    /** The JDBC URL of the database {@code name} on this server (on loopback, or on the address it was given). */
    public String url(String name) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + name;
    }

    public String user() {
        return USER;
    }

    public String password() {
        return password;
    }

    public int port() {
        return port;
    }

    /**
     * Freezes the server and every backend it forked (SIGSTOP): connections stay open and nothing answers, as with a
     * database that hangs. {@link #resume} thaws it.
     */
    public void pause() {
        // the postmaster first, so that it forks no backend after the list of its children is taken
        signal("STOP", process.toHandle());
        process.toHandle().descendants().forEach(p -> signal("STOP", p));
    }

    /** Thaws what {@link #pause} froze. */
    public void resume() {
        process.toHandle().descendants().forEach(p -> signal("CONT", p));
        signal("CONT", process.toHandle());
    }

    private static void signal(String signal, ProcessHandle p) {
        try {
            var kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS)) {
                kill.destroyForcibly();
                throw new IllegalStateException("kill -" + signal + " " + p.pid() + " did not end in 10 s");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Stops the server (a fast shutdown: clients are disconnected) and removes its directory. */
    @Override
    public void close() {
        stop(process);
        deleteQuietly(dir);
    }

    private static void stop(Process process) {
        if (!process.isAlive()) return;
        try {
            // SIGINT is PostgreSQL's fast shutdown; Process.destroy's SIGTERM would wait for every client
            new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start().waitFor(10, TimeUnit.SECONDS);
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** The newest installed version's binaries. */
    static Path binaries() {
        try (Stream<Path> versions = Files.list(INSTALL)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("postgres")) && Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparingInt(b -> versionOf(b.getParent())))
                    .orElseThrow(() -> new IllegalStateException("no PostgreSQL under " + INSTALL));
        } catch (IOException e) {
            throw new IllegalStateException("PostgreSQL is not installed (" + INSTALL + " cannot be read); script/setup"
                    + " installs it (Debian package postgresql)");
        }
    }

    private static int versionOf(Path dir) {
        try {
            return Integer.parseInt(dir.getFileName().toString());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static boolean isRoot() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid", LinkOption.NOFOLLOW_LINKS) == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** The command prefix that runs a program as the server's user, told to quit when its parent thread ends. */
    private static List<String> asPostgres() {
        return isRoot()
                ? List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--pdeathsig=QUIT", "--")
                : List.of("setpriv", "--pdeathsig=QUIT", "--");
    }

    private static void chownToPostgres(Path... paths) throws IOException {
        var lookup = paths[0].getFileSystem().getUserPrincipalLookupService();
        var user = lookup.lookupPrincipalByName("postgres");
        var group = lookup.lookupPrincipalByGroupName("postgres");
        for (var p : paths) {
            Files.setOwner(p, user);
            Files.getFileAttributeView(p, java.nio.file.attribute.PosixFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS).setGroup(group);
        }
    }

    private static void run(Path dir, List<String> program) throws IOException {
        var command = new ArrayList<>(asPostgres());
        command.addAll(program);
        var log = dir.resolve("initdb.log");
        var p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(program.get(0) + " did not finish in 120 s: " + tail(log));
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + program.get(0));
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(program.get(0) + " failed (exit " + p.exitValue() + "): " + tail(log));
        }
    }

    private static byte[] randomBytes(int n) {
        var bytes = new byte[n];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }

    private static int freePort() throws IOException {
        try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String tail(Path log) {
        try {
            var lines = Files.readAllLines(log);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for PostgreSQL");
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null || !Files.exists(dir)) return;
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a file the server was still writing
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
