package io.porthole.runtime.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * What engines keep for a later run of the server ({@code Sandbox.saveEngineState}): one file a name in the
 * server's own directory for the computer, which nothing inside the sandbox sees. Thread-safe (stateless).
 */
final class EngineState {
    private EngineState() {}

    static Optional<String> read(Path work, String name) {
        var file = file(work, name);
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) return Optional.empty();
            return Optional.of(Files.readString(file));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Writes a new file and moves it over the earlier one, so a reader sees one or the other, whole. */
    static void write(Path work, String name, String value) throws IOException {
        var file = file(work, name);
        var tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.writeString(tmp, value, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static Path file(Path work, String name) {
        return work.resolve("state-" + LocalSandbox.checkName(name));
    }
}
