package io.porthole.server;

import io.porthole.blob.s3.S3Config;
import io.porthole.core.ComputersConfig;
import io.porthole.desktop.FfmpegEncoder;
import io.porthole.engine.cdp.ChromiumConfig;
import io.porthole.runtime.local.LocalSandboxRuntime;
import io.porthole.store.jdbc.PostgresOptions;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Everything the server is configured with, validated. Built by {@link Settings} from flags, environment,
 * file and defaults, or directly in code (tests) from {@link #defaults} and {@link #toBuilder}.
 *
 * @param host interface to listen on
 * @param port TCP port; 0 picks a free one
 * @param dataDir database, key file, computers' files, screenshots
 * @param apiKey bootstrap key accepted as given (stored hashed)
 * @param publicUrl base of absolute URLs handed out (screenshot_url); empty means http://host:port
 * @param maxBodyBytes largest request body accepted (413 above)
 * @param screenshotTtlSeconds how long a screenshot URL works
 * @param schedulerTickMillis how often the expiry scheduler looks at deadlines
 * @param computers lifetimes, limits and default sizes of computers
 * @param chromium how Chromium is found and started
 * @param stopComputersOnShutdown whether SIGTERM ends the running computers (by default they go on, and the next
 *     start on the same data dir takes them over)
 * @param maxExecOutputBytes the most output one command may write (both streams) before it is stopped
 * @param egressAllow hosts and CIDRs computers may reach although they are private (e.g. 127.0.0.1)
 * @param advancedProxy the upstream proxy of {@code use_advanced_proxy}
 * @param limits memory and process limits of each computer
 * @param isolation how computers are separated from the host and each other
 * @param maxArtifactBytes the largest artifact a sandbox may store
 * @param firefox how Firefox is found and started
 * @param stateKey the AES-256 key saved environments are encrypted with; empty: a key made in the data dir
 * @param templates named launch templates ({@code templateID}): an engine with its own binary, flags, prefs
 * @param live the live view: stream heartbeats, the control lease, viewer links
 * @param cluster this node's identity among others, its heartbeat, and how it drains
 * @param database the PostgreSQL database the store is in; empty: SQLite, {@code porthole.db} in the data directory
 * @param s3Blobs the S3-compatible bucket that artifacts, environments and screenshots go to, shared by every node
 *     that names it; empty: the data dir ({@code blobs/}, {@code screenshots/}), this node's alone
 * @param metrics who may read {@code /metrics} (ADR 0033)
 * @param geoIp where an identity finds the place of an upstream proxy's exit address (ADR 0037); off by default
 */
public record ServerConfig(String host,
                           int port,
                           Path dataDir,
                           Optional<String> apiKey,
                           Optional<String> publicUrl,
                           long maxBodyBytes,
                           long screenshotTtlSeconds,
                           long schedulerTickMillis,
                           ComputersConfig computers,
                           ChromiumConfig chromium,
                           boolean stopComputersOnShutdown,
                           long maxExecOutputBytes,
                           List<String> egressAllow,
                           Optional<URI> advancedProxy,
                           LocalSandboxRuntime.Limits limits,
                           Isolation isolation,
                           long maxArtifactBytes,
                           io.porthole.engine.bidi.FirefoxConfig firefox,
                           java.util.Map<String, Template> templates,
                           Optional<byte[]> stateKey,
                           LiveConfig live,
                           ClusterConfig cluster,
                           Optional<PostgresOptions> database,
                           Optional<S3Config> s3Blobs,
                           MetricsConfig metrics,
                           GeoIpConfig geoIp) {
    public static final long DEFAULT_MAX_EXEC_OUTPUT_BYTES = 16L << 20;

    /** How computers are separated: namespaces (bubblewrap), or not at all (an operator's explicit choice). */
    public enum Isolation {
        NAMESPACES, NONE
    }

    public ServerConfig {
        egressAllow = List.copyOf(egressAllow);
        templates = java.util.Map.copyOf(templates);
    }

    /**
     * A named launch template: which browser, and the binary, flags (Chromium) or prefs (Firefox) it starts
     * with instead of the server's defaults.
     */
    public record Template(String browser, Optional<Path> binary, List<String> flags, java.util.Map<String, Object> prefs) {
        public Template {
            flags = List.copyOf(flags);
            prefs = java.util.Map.copyOf(prefs);
        }
    }

    /**
     * The live view.
     *
     * @param eventsHeartbeat how often an idle {@code /events} stream carries a {@code : heartbeat} comment
     * @param screencastHeartbeat the same for {@code /screencast}
     * @param controlLease how long a person's control lasts without input or renewal
     * @param viewerLinkDefault how long a viewer link works when its request names no time
     * @param ffmpeg the encoder of desktop screencasts, run inside each desktop's sandbox (which shows it read-only)
     */
    public record LiveConfig(java.time.Duration eventsHeartbeat, java.time.Duration screencastHeartbeat,
                             java.time.Duration controlLease, java.time.Duration viewerLinkDefault, Path ffmpeg) {
        /** The longest a viewer link may be asked to work. */
        public static final java.time.Duration VIEWER_LINK_MAX = java.time.Duration.ofDays(7);

        public LiveConfig(java.time.Duration eventsHeartbeat, java.time.Duration screencastHeartbeat,
                          java.time.Duration controlLease, java.time.Duration viewerLinkDefault) {
            this(eventsHeartbeat, screencastHeartbeat, controlLease, viewerLinkDefault, FfmpegEncoder.DEFAULT);
        }

        public static LiveConfig defaults() {
            return new LiveConfig(java.time.Duration.ofSeconds(20), java.time.Duration.ofSeconds(30),
                    java.time.Duration.ofSeconds(60), java.time.Duration.ofMinutes(15));
        }

        public LiveConfig withFfmpeg(Path binary) {
            return new LiveConfig(eventsHeartbeat, screencastHeartbeat, controlLease, viewerLinkDefault, binary);
        }
    }

    /**
     * Who may read {@code /metrics} (ADR 0033).
     *
     * @param access {@code KEY}: an admin API key or the metrics token; {@code PUBLIC}: anyone; {@code OFF}: nobody
     *     (404)
     * @param token a token that opens {@code /metrics} and nothing else, with {@code KEY}; empty: admin keys only
     */
    public record MetricsConfig(Access access, Optional<String> token) {
        /** Who may read the metrics. */
        public enum Access {
            KEY, PUBLIC, OFF
        }

        public static MetricsConfig defaults() {
            return new MetricsConfig(Access.KEY, Optional.empty());
        }

        /** Never prints the token. */
        @Override
        public String toString() {
            return "MetricsConfig[access=" + access + ", token=" + (token.isPresent() ? "(set)" : "(none)") + "]";
        }
    }

    /**
     * GeoIP for identities (ADR 0037): a browser computer with an upstream proxy takes the time zone, locale and
     * position of the proxy's exit address for what its request leaves out.
     *
     * @param database a MaxMind-format database ({@code .mmdb}, City or Country schema); empty: GeoIP is off
     * @param echoUrl an http(s) URL that answers the caller's address as text, fetched through the proxy to learn its
     *     exit address; empty: the proxy host's own address is looked up
     * @param echoTimeout how long the echo fetch may take before the proxy host's address is used instead
     */
    public record GeoIpConfig(Optional<Path> database, Optional<URI> echoUrl, java.time.Duration echoTimeout) {
        public static GeoIpConfig off() {
            return new GeoIpConfig(Optional.empty(), Optional.empty(), java.time.Duration.ofSeconds(3));
        }
    }

    /**
     * This server as a node of a cluster (ADR 0026).
     *
     * @param nodeId the node's id; empty: one made once and kept in the data directory
     * @param nodeUrl where the other nodes reach this one; empty: the public URL, else its own listening address
     * @param secret the secret node-to-node requests are signed with; empty: one kept in the store
     * @param heartbeat how often the node says it is alive
     * @param downAfter how long a node may be silent before the others mark it down and fail its computers
     * @param drainOnSigterm whether SIGTERM drains (waits for the computers to end, up to {@code drainDeadline})
     *     rather than stopping at once
     * @param drainDeadline how long a drain waits for the node's computers before it ends them
     */
    public record ClusterConfig(Optional<String> nodeId, Optional<String> nodeUrl, Optional<String> secret,
                                java.time.Duration heartbeat, java.time.Duration downAfter, boolean drainOnSigterm,
                                java.time.Duration drainDeadline) {
        public static ClusterConfig defaults() {
            return new ClusterConfig(Optional.empty(), Optional.empty(), Optional.empty(),
                    java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(5), false,
                    java.time.Duration.ofHours(1));
        }

        /** Never prints the secret. */
        @Override
        public String toString() {
            return "ClusterConfig[nodeId=" + nodeId + ", nodeUrl=" + nodeUrl + ", secret=" + (secret.isPresent() ? "(set)"
                    : "(store)") + ", heartbeat=" + heartbeat + ", downAfter=" + downAfter + ", drainOnSigterm="
                    + drainOnSigterm + ", drainDeadline=" + drainDeadline + "]";
        }
    }

    public static ServerConfig defaults(Path dataDir) {
        return new ServerConfig("127.0.0.1", 8844, dataDir, Optional.empty(), Optional.empty(), 1 << 20, 900, 500, ComputersConfig.defaults(), ChromiumConfig.defaults(), false, DEFAULT_MAX_EXEC_OUTPUT_BYTES, List.of(), Optional.empty(), LocalSandboxRuntime.Limits.defaults(), Isolation.NAMESPACES, 64L << 20,
                io.porthole.engine.bidi.FirefoxConfig.defaults(), java.util.Map.of(), Optional.empty(), LiveConfig.defaults(),
                ClusterConfig.defaults(), Optional.empty(), Optional.empty(), MetricsConfig.defaults(),
                GeoIpConfig.off());
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** A copy of a configuration with some values changed. */
    public static final class Builder {
        private String host;
        private int port;
        private Path dataDir;
        private Optional<String> apiKey;
        private Optional<String> publicUrl;
        private long maxBodyBytes;
        private long screenshotTtlSeconds;
        private long schedulerTickMillis;
        private ComputersConfig computers;
        private ChromiumConfig chromium;
        private boolean stopComputersOnShutdown;
        private long maxExecOutputBytes;
        private List<String> egressAllow;
        private Optional<URI> advancedProxy;
        private LocalSandboxRuntime.Limits limits;
        private Isolation isolation;
        private long maxArtifactBytes;
        private io.porthole.engine.bidi.FirefoxConfig firefox;
        private java.util.Map<String, Template> templates;
        private Optional<byte[]> stateKey;
        private LiveConfig live;
        private ClusterConfig cluster;
        private Optional<PostgresOptions> database;
        private Optional<S3Config> s3Blobs;
        private MetricsConfig metrics;
        private GeoIpConfig geoIp;

        private Builder(ServerConfig c) {
            this.host = c.host;
            this.port = c.port;
            this.dataDir = c.dataDir;
            this.apiKey = c.apiKey;
            this.publicUrl = c.publicUrl;
            this.maxBodyBytes = c.maxBodyBytes;
            this.screenshotTtlSeconds = c.screenshotTtlSeconds;
            this.schedulerTickMillis = c.schedulerTickMillis;
            this.computers = c.computers;
            this.chromium = c.chromium;
            this.stopComputersOnShutdown = c.stopComputersOnShutdown;
            this.maxExecOutputBytes = c.maxExecOutputBytes;
            this.egressAllow = c.egressAllow;
            this.advancedProxy = c.advancedProxy;
            this.limits = c.limits;
            this.isolation = c.isolation;
            this.maxArtifactBytes = c.maxArtifactBytes;
            this.firefox = c.firefox;
            this.templates = c.templates;
            this.stateKey = c.stateKey;
            this.live = c.live;
            this.cluster = c.cluster;
            this.database = c.database;
            this.s3Blobs = c.s3Blobs;
            this.metrics = c.metrics;
            this.geoIp = c.geoIp;
        }

        public Builder host(String v) {
            this.host = v;
            return this;
        }

        public Builder port(int v) {
            this.port = v;
            return this;
        }

        public Builder dataDir(Path v) {
            this.dataDir = v;
            return this;
        }

        public Builder apiKey(Optional<String> v) {
            this.apiKey = v;
            return this;
        }

        public Builder publicUrl(Optional<String> v) {
            this.publicUrl = v;
            return this;
        }

        public Builder maxBodyBytes(long v) {
            this.maxBodyBytes = v;
            return this;
        }

        public Builder screenshotTtlSeconds(long v) {
            this.screenshotTtlSeconds = v;
            return this;
        }

        public Builder schedulerTickMillis(long v) {
            this.schedulerTickMillis = v;
            return this;
        }

        public Builder computers(ComputersConfig v) {
            this.computers = v;
            return this;
        }

        public Builder chromium(ChromiumConfig v) {
            this.chromium = v;
            return this;
        }

        public Builder stopComputersOnShutdown(boolean v) {
            this.stopComputersOnShutdown = v;
            return this;
        }

        public Builder maxExecOutputBytes(long v) {
            this.maxExecOutputBytes = v;
            return this;
        }

        public Builder egressAllow(List<String> v) {
            this.egressAllow = v;
            return this;
        }

        public Builder advancedProxy(Optional<URI> v) {
            this.advancedProxy = v;
            return this;
        }

        public Builder limits(LocalSandboxRuntime.Limits v) {
            this.limits = v;
            return this;
        }

        public Builder isolation(Isolation v) {
            this.isolation = v;
            return this;
        }

        public Builder maxArtifactBytes(long v) {
            this.maxArtifactBytes = v;
            return this;
        }

        public Builder firefox(io.porthole.engine.bidi.FirefoxConfig v) {
            this.firefox = v;
            return this;
        }

        public Builder templates(java.util.Map<String, Template> v) {
            this.templates = v;
            return this;
        }

        public Builder live(LiveConfig v) {
            this.live = v;
            return this;
        }

        public Builder cluster(ClusterConfig v) {
            this.cluster = v;
            return this;
        }

        public Builder database(Optional<PostgresOptions> v) {
            this.database = v;
            return this;
        }

        public Builder s3Blobs(Optional<S3Config> v) {
            this.s3Blobs = v;
            return this;
        }

        public Builder metrics(MetricsConfig v) {
            this.metrics = v;
            return this;
        }

        public Builder geoIp(GeoIpConfig v) {
            this.geoIp = v;
            return this;
        }

        public ServerConfig build() {
            return new ServerConfig(host, port, dataDir, apiKey, publicUrl, maxBodyBytes, screenshotTtlSeconds, schedulerTickMillis, computers, chromium, stopComputersOnShutdown, maxExecOutputBytes, egressAllow, advancedProxy, limits, isolation, maxArtifactBytes, firefox, templates, stateKey, live, cluster, database, s3Blobs, metrics, geoIp);
        }
    }

    public ServerConfig withPort(int v) {
        return toBuilder().port(v).build();
    }

    public ServerConfig withComputers(ComputersConfig v) {
        return toBuilder().computers(v).build();
    }

    public ServerConfig withChromium(ChromiumConfig v) {
        return toBuilder().chromium(v).build();
    }

    public ServerConfig withSchedulerTickMillis(long v) {
        return toBuilder().schedulerTickMillis(v).build();
    }

    public ServerConfig withEgressAllow(List<String> v) {
        return toBuilder().egressAllow(v).build();
    }

    public ServerConfig withLimits(LocalSandboxRuntime.Limits v) {
        return toBuilder().limits(v).build();
    }

    public ServerConfig withAdvancedProxy(Optional<URI> v) {
        return toBuilder().advancedProxy(v).build();
    }

    public ServerConfig withIsolation(Isolation v) {
        return toBuilder().isolation(v).build();
    }

    public ServerConfig withLive(LiveConfig v) {
        return toBuilder().live(v).build();
    }

    public ServerConfig withApiKey(String key) {
        return toBuilder().apiKey(Optional.of(key)).build();
    }
}
