package io.porthole.runtime.local;

import io.porthole.core.PortholeException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The host identities sandboxes run under. A server running as root gives each sandbox's user (uid and gid
 * 1000 inside) a host uid of its own, from a range no account uses, so that to the host's kernel a computer
 * is nobody: no file of the host's that is not world-readable opens for it, nothing of another computer's
 * either. A server running as another user can only give its sandboxes its own uid. Thread-safe.
 */
final class SandboxUsers {
    /** Above the ranges systemd hands to containers and subordinate ids, below the sign bit. */
    static final int BASE = 0x7000_0000;
    static final int COUNT = 1 << 16;
    /** Where each server starts looking, so that two servers on one host rarely meet. */
    private static final int STRIDE = 1024;

    private final boolean root;
    private final int ownUid;
    private final int offset;
    private final Set<Integer> taken = ConcurrentHashMap.newKeySet();

    SandboxUsers(String instance) {
        this.ownUid = ownUid();
        this.root = ownUid == 0;
        this.offset = Math.floorMod(instance.hashCode(), COUNT / STRIDE) * STRIDE;
    }

    /** Whether sandboxes get host uids of their own (the server runs as root). */
    boolean separate() {
        return root;
    }

    /** A host uid for a new sandbox, not used by another live sandbox or by any process on the host. */
    int acquire() {
        if (!root) return ownUid;
        for (int i = 0; i < COUNT; i++) {
            int uid = BASE + (offset + i) % COUNT;
            if (taken.contains(uid) || usedOnHost(uid)) continue;
            if (taken.add(uid)) return uid;
        }
        throw new PortholeException.Unavailable("every one of the " + COUNT + " sandbox user ids is in use");
    }

    /** Marks {@code uid} as the user of a sandbox an earlier run started (a take-over). */
    void claim(int uid) {
        if (root) taken.add(uid);
    }

    void release(int uid) {
        if (root) taken.remove(uid);
    }

    static boolean inRange(int uid) {
        return uid >= BASE && uid < BASE + COUNT;
    }

    /** Whether a process on the host runs as {@code uid} (a sandbox of another server, or a leftover). */
    private static boolean usedOnHost(int uid) {
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> isPid(p.getFileName().toString()))) {
            for (var p : procs) {
                try {
                    if (((Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)) == uid) return true;
                } catch (IOException | RuntimeException e) {
                    // ended meanwhile
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean isPid(String name) {
        if (name.isEmpty()) return false;
        for (int i = 0; i < name.length(); i++) {
            if (!Character.isDigit(name.charAt(i))) return false;
        }
        return true;
    }

    private static int ownUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("this process's uid cannot be read from /proc/self", e);
        }
    }
}
