package io.porthole.server;

import io.porthole.core.internal.Ids;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** A node's id when none is configured: made once and kept in the data directory, so a restart there is the same node. */
final class NodeIds {
    private NodeIds() {}

    static String loadOrCreate(Path file) {
        try {
            if (Files.exists(file)) {
                var id = Files.readString(file).strip();
                if (id.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,199}")) return id;
                throw new IllegalStateException("the node id in " + file + " is not one; remove the file to make a new one");
            }
            var id = Ids.id("node");
            var tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, id + "\n");
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException("the node id file " + file + " cannot be read or made", e);
        }
    }
}
