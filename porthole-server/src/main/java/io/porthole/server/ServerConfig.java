package io.porthole.server;

import io.porthole.core.ComputersConfig;
import io.porthole.engine.cdp.ChromiumConfig;
import io.porthole.runtime.local.LocalSandboxRuntime;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Everything the server is configured with, validated. Built by {@link Settings} from flags, environment,
 * file and defaults, or directly in code (tests) from {@link #defaults} and the {@code with…} methods.
 *
 * @param host interface to listen on
 * @param port TCP port; 0 picks a free one
 * @param dataDir database, key file, computers' files, screenshots
 * @param apiKey bootstrap key accepted as given (stored hashed)
 * @param publicUrl base of absolute URLs handed out (screenshot_url); empty means http://host:port
 * @param maxBodyBytes largest request body accepted (413 above)
 * @param screenshotTtlSeconds how long a screenshot URL works
 * @param schedulerTickMillis how often the expiry scheduler looks at deadlines
 * @param stopComputersOnShutdown whether SIGTERM ends the running computers
 * @param maxExecOutputBytes the most output one command may write (both streams) before it is stopped
 * @param egressAllow hosts and CIDRs computers may reach although they are private (e.g. 127.0.0.1)
 * @param advancedProxy the upstream proxy of {@code use_advanced_proxy}
 * @param limits memory and process limits of each computer
 */
public record ServerConfig(String host, int port, Path dataDir, Optional<String> apiKey, Optional<String> publicUrl,
                           long maxBodyBytes, long screenshotTtlSeconds, long schedulerTickMillis,
                           ComputersConfig computers, ChromiumConfig chromium, boolean stopComputersOnShutdown,
                           long maxExecOutputBytes, List<String> egressAllow, Optional<URI> advancedProxy,
                           LocalSandboxRuntime.Limits limits) {
    public static final long DEFAULT_MAX_EXEC_OUTPUT_BYTES = 16L << 20;

    public static ServerConfig defaults(Path dataDir) {
        return new ServerConfig("127.0.0.1", 8844, dataDir, Optional.empty(), Optional.empty(), 1 << 20, 900, 500,
                ComputersConfig.defaults(), ChromiumConfig.defaults(), true, DEFAULT_MAX_EXEC_OUTPUT_BYTES, List.of(),
                Optional.empty(), LocalSandboxRuntime.Limits.defaults());
    }

    public ServerConfig withPort(int p) {
        return new ServerConfig(host, p, dataDir, apiKey, publicUrl, maxBodyBytes, screenshotTtlSeconds,
                schedulerTickMillis, computers, chromium, stopComputersOnShutdown, maxExecOutputBytes, egressAllow,
                advancedProxy, limits);
    }

    public ServerConfig withApiKey(String key) {
        return new ServerConfig(host, port, dataDir, Optional.of(key), publicUrl, maxBodyBytes, screenshotTtlSeconds,
                schedulerTickMillis, computers, chromium, stopComputersOnShutdown, maxExecOutputBytes, egressAllow,
                advancedProxy, limits);
    }

    public ServerConfig withComputers(ComputersConfig c) {
        return new ServerConfig(host, port, dataDir, apiKey, publicUrl, maxBodyBytes, screenshotTtlSeconds,
                schedulerTickMillis, c, chromium, stopComputersOnShutdown, maxExecOutputBytes, egressAllow, advancedProxy, limits);
    }

    public ServerConfig withChromium(ChromiumConfig c) {
        return new ServerConfig(host, port, dataDir, apiKey, publicUrl, maxBodyBytes, screenshotTtlSeconds,
                schedulerTickMillis, computers, c, stopComputersOnShutdown, maxExecOutputBytes, egressAllow, advancedProxy, limits);
    }

    public ServerConfig withSchedulerTickMillis(long t) {
        return new ServerConfig(host, port, dataDir, apiKey, publicUrl, maxBodyBytes, screenshotTtlSeconds, t,
                computers, chromium, stopComputersOnShutdown, maxExecOutputBytes, egressAllow, advancedProxy, limits);
    }

    public ServerConfig withEgressAllow(List<String> allow) {
        return new ServerConfig(host, port, dataDir, apiKey, publicUrl, maxBodyBytes, screenshotTtlSeconds,
                schedulerTickMillis, computers, chromium, stopComputersOnShutdown, maxExecOutputBytes, List.copyOf(allow),
                advancedProxy, limits);
    }

    public ServerConfig withLimits(LocalSandboxRuntime.Limits l) {
        return new ServerConfig(host, port, dataDir, apiKey, publicUrl, maxBodyBytes, screenshotTtlSeconds,
                schedulerTickMillis, computers, chromium, stopComputersOnShutdown, maxExecOutputBytes, egressAllow,
                advancedProxy, l);
    }

    public ServerConfig withAdvancedProxy(Optional<URI> proxy) {
        return new ServerConfig(host, port, dataDir, apiKey, publicUrl, maxBodyBytes, screenshotTtlSeconds,
                schedulerTickMillis, computers, chromium, stopComputersOnShutdown, maxExecOutputBytes, egressAllow, proxy, limits);
    }
}
