package io.porthole.core.internal;

import java.util.List;

/**
 * Process builders that start with an explicit minimal environment: {@code PATH} and nothing of the server's
 * own (its API key, data directory, state key or an operator's cloud credentials), which every process started
 * from it would otherwise inherit and, in a sandbox, show in {@code /proc/<pid>/environ}.
 */
public final class Commands {
    /** The {@code PATH} every command starts with. */
    public static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private Commands() {}

    /** A builder for {@code command} whose environment is {@link #PATH} only. */
    public static ProcessBuilder builder(List<String> command) {
        var builder = new ProcessBuilder(command);
        var env = builder.environment();
        env.clear();
        env.put("PATH", PATH);
        return builder;
    }

    public static ProcessBuilder builder(String... command) {
        return builder(List.of(command));
    }
}
