package io.porthole.server;

import io.porthole.core.ApiKeys;
import io.porthole.core.Times;
import io.porthole.core.internal.Threads;
import io.porthole.server.logging.LogFormat;
import io.porthole.server.logging.Logs;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * {@code porthole [serve] [--flags]} runs the server in the foreground; {@code porthole keys create|list|revoke}
 * manages API keys in the server's store (SQLite in the data directory, or the PostgreSQL database of
 * {@code PORTHOLE_DATABASE_URL}; safe while the server runs). Exit codes: 0 ok, 1 failure, 2 usage.
 */
public final class Main {
    private static final System.Logger LOG = System.getLogger(Main.class.getName());

    private Main() {}

    public static void main(String[] args) {
        // before anything logs: keep log handlers alive until our shutdown hook has ended the computers
        System.setProperty("java.util.logging.manager", ShutdownLastLogManager.class.getName());
        configureLogging();
        System.exit(run(Arrays.asList(args), System.out, System.err));
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        var positional = args.stream().filter(a -> !a.startsWith("--")).toList();
        var command = positional.isEmpty() ? "serve" : positional.getFirst();
        ServerConfig config;
        LogFormat logFormat;
        try {
            var settings = new Settings(args, System.getenv());
            config = settings.load();
            logFormat = settings.logFormat();
            Logs.configure(logFormat, settings.logLevel(), secrets(config, settings));
        } catch (IllegalArgumentException e) {
            err.println("porthole: " + e.getMessage());
            return 2;
        }
        try {
            return switch (command) {
                case "serve" -> serve(config, logFormat == LogFormat.JSON ? line -> LOG.log(System.Logger.Level.INFO, line)
                        : out::println, logFormat == LogFormat.TEXT);
                case "keys" -> keys(config, positional.subList(1, positional.size()), args, out, err);
                case "help" -> usage(out, 0);
                default -> usage(err, 2);
            };
        } catch (RuntimeException e) {
            err.println("porthole: " + e.getMessage());
            return 1;
        }
    }

    private static int usage(PrintStream s, int code) {
        s.println("usage: porthole [serve] [--host=H] [--port=P] [--data-dir=D] ...");
        s.println("       porthole keys create --tenant=T [--name=N] [--admin]");
        s.println("       porthole keys list");
        s.println("       porthole keys revoke <key-id>");
        s.println("Every PORTHOLE_* setting can be given as a flag: PORTHOLE_DATA_DIR is --data-dir.");
        return code;
    }

    /**
     * The values this server was given that no log line may show (ADR 0034): masked by value, beside the shapes
     * {@link io.porthole.server.logging.Redaction} knows.
     */
    static List<String> secrets(ServerConfig config, Settings settings) {
        var out = new ArrayList<String>();
        config.apiKey().ifPresent(out::add);
        config.database().flatMap(d -> d.password()).ifPresent(out::add);
        config.cluster().secret().ifPresent(out::add);
        config.s3Blobs().ifPresent(s -> out.add(s.secretAccessKey()));
        settings.get("PORTHOLE_STATE_KEY").ifPresent(out::add);
        config.advancedProxy().map(java.net.URI::getRawUserInfo).filter(u -> u.indexOf(':') >= 0)
                .ifPresent(u -> {
                    var password = u.substring(u.indexOf(':') + 1);
                    out.add(password);
                    out.add(java.net.URLDecoder.decode(password, java.nio.charset.StandardCharsets.UTF_8));
                });
        return out;
    }

    /**
     * Runs the server until it stops. {@code say} takes the lines for the operator (stdout in text, log lines in
     * JSON); {@code showKey}: a generated bootstrap key is shown once on the console (never in a JSON log, which a
     * shipper keeps: there the key is only in its file).
     */
    private static int serve(ServerConfig config, java.util.function.Consumer<String> say, boolean showKey) {
        var server = PortholeServer.start(config);
        var done = new CountDownLatch(1);
        var stopping = new java.util.concurrent.atomic.AtomicBoolean();
        // a drain by API ends the process once it is over (exit 0: an autoscaler's removal, not a failure)
        server.onDrained(() -> {
            if (!stopping.get()) Threads.startVirtual("porthole-drained-exit", () -> System.exit(0));
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping.set(true);
            boolean drained = false;
            try {
                if (config.cluster().drainOnSigterm()) {
                    // SIGTERM drains: the computers are served until they end or the deadline passes
                    server.drain();
                    try {
                        server.drained().get(config.cluster().drainDeadline().toSeconds() + 60, java.util.concurrent.TimeUnit.SECONDS);
                        drained = true;
                    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                        // stops anyway
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                server.close();
            } finally {
                done.countDown();
                ShutdownLastLogManager.resetNow();
            }
            // a drained node ends as a success (the JVM would say 143, killed by SIGTERM): an autoscaler's removal,
            // not a failure
            if (drained) Runtime.getRuntime().halt(0);
        }, "porthole-shutdown"));
        say.accept("Porthole is listening on " + server.baseUrl());
        announceKey(config, server.keys(), say, showKey);
        say.accept("Console: " + server.baseUrl() + "/ (open it in a browser and sign in with the API key)");
        say.accept("Try: curl -H \"Authorization: Bearer $KEY\" " + server.baseUrl() + "/computers");
        System.out.flush();
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** The bootstrap key: as configured (registered by the server), or generated once, stored hashed, shown once, saved 0600. */
    static void announceKey(ServerConfig config, ApiKeys keys, java.util.function.Consumer<String> out, boolean showKey) {
        var keyFile = config.dataDir().resolve("api-key");
        if (config.apiKey().isPresent()) {
            out.accept("API key: the value of PORTHOLE_API_KEY");
            return;
        }
        if (Files.exists(keyFile)) {
            out.accept("API key: in " + keyFile + " (export TZAFON_API_KEY=$(cat " + keyFile + "))");
            return;
        }
        if (keys.anyActive()) {
            out.accept("API key: keys exist already; make another with 'porthole keys create --tenant=default'");
            return;
        }
        var created = keys.create(ApiKeys.DEFAULT_TENANT, "bootstrap (generated)", true);
        try {
            Files.writeString(keyFile, created.key() + "\n");
            Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new IllegalStateException("the API key file " + keyFile + " could not be written: " + e.getMessage(), e);
        }
        out.accept(showKey ? "API key (shown once, also saved in " + keyFile + "): " + created.key()
                : "API key: generated and saved in " + keyFile + " (export TZAFON_API_KEY=$(cat " + keyFile + "))");
    }

    private static int keys(ServerConfig config, List<String> rest, List<String> args, PrintStream out, PrintStream err) {
        if (rest.isEmpty()) return usage(err, 2);
        var flags = Settings.parseFlags(args);
        try (var store = PortholeServer.openStore(config)) {
            var keys = new ApiKeys(store, Clock.systemUTC());
            switch (rest.getFirst()) {
                case "create" -> {
                    var tenant = flags.getOrDefault("PORTHOLE_TENANT", ApiKeys.DEFAULT_TENANT);
                    var created = keys.create(tenant, flags.getOrDefault("PORTHOLE_NAME", ""),
                            Set.of("true", "1", "yes").contains(flags.getOrDefault("PORTHOLE_ADMIN", "false")));
                    out.println("id:     " + created.record().id());
                    out.println("tenant: " + created.record().tenantId());
                    out.println("key:    " + created.key() + "   (shown once; only its hash is stored)");
                }
                case "list" -> {
                    var rows = new ArrayList<String>();
                    for (var k : keys.list()) {
                        rows.add(String.join("\t", k.id(), k.tenantId(), k.prefix() + "…", k.admin() ? "admin" : "-",
                                Times.format(k.createdAt()), k.revoked() ? "revoked " + Times.format(k.revokedAt()) : "active",
                                k.name()));
                    }
                    rows.forEach(out::println);
                }
                case "revoke" -> {
                    if (rest.size() < 2) return usage(err, 2);
                    keys.revoke(rest.get(1));
                    out.println("revoked " + rest.get(1));
                }
                default -> {
                    return usage(err, 2);
                }
            }
        }
        return 0;
    }

    /**
     * The JDK resets logging in its own shutdown hook, racing ours, so the lines that say which computers
     * were ended at shutdown got lost. This manager ignores that reset; our hook resets when it is done.
     */
    public static final class ShutdownLastLogManager extends java.util.logging.LogManager {
        private static volatile ShutdownLastLogManager instance;

        public ShutdownLastLogManager() {
            instance = this;
        }

        @Override
        public void reset() {
            // deferred to resetNow()
        }

        static void resetNow() {
            var m = instance;
            if (m != null) m.resetForReal();
        }

        private void resetForReal() {
            super.reset();
        }
    }

    private static void configureLogging() {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tLZ %4$s %3$s: %5$s%6$s%n");
        }
    }

}
