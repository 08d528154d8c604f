package io.porthole.core.sandbox;

import java.nio.file.Path;
import java.util.Map;

/**
 * What a sandbox is made with.
 *
 * @param computerId the computer it belongs to
 * @param workDir a fresh host directory owned by the computer; the sandbox keeps its private {@code /tmp},
 *     home and {@code /workspace} under it
 * @param env variables every process inside starts with (on top of PATH, HOME, LANG, USER)
 */
public record SandboxSpec(String computerId, Path workDir, Map<String, String> env) {}
