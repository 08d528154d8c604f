package io.porthole.sdk;

/**
 * The result of {@link Computer#execSync}: the command's whole output and exit code.
 *
 * @param exitCode the exit code; -1 when it timed out
 * @param stdout everything written to stdout
 * @param stderr everything written to stderr
 * @param timedOut whether the command was killed at its time limit
 */
public record ExecResult(int exitCode, String stdout, String stderr, boolean timedOut) {
}
