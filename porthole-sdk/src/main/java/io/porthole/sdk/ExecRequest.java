package io.porthole.sdk;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A shell command for {@link Computer#exec} and {@link Computer#execSync}: {@code {command, cwd, env,
 * timeout_seconds}}. Commands run on desktops.
 *
 * <p>Immutable and thread-safe: each setter returns a new request.
 */
public final class ExecRequest {
    private final String command;
    private final String cwd;
    private final Map<String, String> env;
    private final Duration timeout;

    private ExecRequest(String command, String cwd, Map<String, String> env, Duration timeout) {
        this.command = command;
        this.cwd = cwd;
        this.env = Map.copyOf(env);
        this.timeout = timeout;
    }

    /**
     * A command run by the computer's shell.
     *
     * @param command the command line
     * @return a request with the server's defaults (cwd {@code /workspace}, 120 s)
     */
    public static ExecRequest of(String command) {
        return new ExecRequest(Objects.requireNonNull(command, "command"), null, Map.of(), null);
    }

    /**
     * This request run in another directory.
     *
     * @param cwd the working directory inside the computer
     * @return a new request
     */
    public ExecRequest cwd(String cwd) {
        return new ExecRequest(command, Objects.requireNonNull(cwd, "cwd"), env, timeout);
    }

    /**
     * This request with one more environment variable.
     *
     * @param name the variable
     * @param value its value
     * @return a new request
     */
    public ExecRequest env(String name, String value) {
        var m = new LinkedHashMap<>(env);
        m.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
        return new ExecRequest(command, cwd, m, timeout);
    }

    /**
     * This request with a time limit, after which the command is killed and exits with -1.
     *
     * @param timeout whole seconds are sent
     * @return a new request
     */
    public ExecRequest timeout(Duration timeout) {
        return new ExecRequest(command, cwd, env, Objects.requireNonNull(timeout, "timeout"));
    }

    /**
     * The command line.
     *
     * @return the command
     */
    public String command() {
        return command;
    }

    /**
     * The working directory, if set.
     *
     * @return the directory
     */
    public Optional<String> cwd() {
        return Optional.ofNullable(cwd);
    }

    /**
     * The extra environment.
     *
     * @return an unmodifiable map
     */
    public Map<String, String> env() {
        return env;
    }

    /**
     * The time limit, if set.
     *
     * @return the limit
     */
    public Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    /**
     * The request body.
     *
     * @return the JSON fields
     */
    public Map<String, Object> toMap() {
        var m = new LinkedHashMap<String, Object>();
        m.put("command", command);
        if (cwd != null) m.put("cwd", cwd);
        if (!env.isEmpty()) m.put("env", env);
        if (timeout != null) m.put("timeout_seconds", Math.max(1, timeout.getSeconds()));
        return m;
    }
}
