package io.porthole.sdk;

/**
 * The buffered output of {@link Computer#debug} (the deprecated {@code /debug} route; prefer
 * {@link Computer#execSync}).
 *
 * @param output stdout then stderr, cut to the output limit ({@code debug_response})
 * @param stdout what the command wrote to stdout
 * @param stderr what it wrote to stderr
 * @param exitCode its exit code, -1 when it timed out
 */
public record DebugResult(String output, String stdout, String stderr, int exitCode) {
}
