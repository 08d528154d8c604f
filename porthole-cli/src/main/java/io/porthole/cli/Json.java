package io.porthole.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** What the commands share beside the SDK: the JSON mapper for output, and writing a file whole or not at all. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {}

    /** Writes a stream at {@code target} through a temporary file beside it, moved into place at the end. */
    static void writeAtomically(InputStream in, Path target) throws IOException {
        var dir = target.toAbsolutePath().getParent();
        var tmp = Files.createTempFile(dir, ".porthole-", ".part");
        try {
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
