package io.porthole.core;

import io.porthole.api.ErrorCode;
import io.porthole.core.blob.BlobStore;
import io.porthole.core.internal.Commands;
import io.porthole.core.sandbox.Sandbox;
import io.porthole.core.store.EnvironmentRecord;
import io.porthole.core.store.Store;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Saved computer state (environments): a computer's home directory (the browser's profile: cookies,
 * localStorage, IndexedDB, everything a logged-in site keeps; a desktop's files) plus the browser's session
 * cookies, which no profile keeps, as one archive, encrypted with AES-256-GCM (it holds credentials) and kept
 * in the blob store under the environment id, which is the id of the computer that saved it. Thread-safe.
 */
public final class Environments {
    /** Written first in every saved blob: format and version. */
    private static final byte[] MAGIC = {'P', 'H', 'E', '1'};
    private static final int IV_BYTES = 12;
    /** The session cookies the driver exported, inside the archive. */
    static final String COOKIES_FILE = ".porthole-cookies.json";
    /** What is not state: caches, locks and files a new browser writes afresh. */
    private static final List<String> EXCLUDED = List.of(".cache", "*/Cache", "*/Code Cache", "*/GPUCache",
            "*/GrShaderCache", "*/ShaderCache", "*/DawnCache", "*/Crashpad", "Singleton*", "*/Singleton*",
            "DevToolsActivePort", "*/DevToolsActivePort", "lock", "*/lock", ".parentlock", "*/.parentlock",
            "*/cache2", "*/startupCache", "*/safebrowsing");

    private final Store store;
    private final BlobStore blobs;
    private final SecretKeySpec key;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    /** @param key 32 bytes */
    public Environments(Store store, BlobStore blobs, byte[] key, Clock clock) {
        if (key.length != 32) throw new IllegalArgumentException("the environment key must be 32 bytes");
        this.store = store;
        this.blobs = blobs;
        this.key = new SecretKeySpec(key, "AES");
        this.clock = clock;
    }

    /**
     * Archives the sandbox's home with {@code sessionCookiesJson} and stores it as the computer's environment.
     * The archive is made inside, by the sandbox's own user, so that no link the computer planted in its home
     * leads the server anywhere.
     */
    public EnvironmentRecord save(ComputerRecord computer, Sandbox sandbox, Optional<String> sessionCookiesJson) {
        try {
            var cookies = Sandbox.HOME + "/" + COOKIES_FILE;
            var script = new StringBuilder("rm -f -- " + cookies + " && ");
            if (sessionCookiesJson.isPresent()) script.append("cat > ").append(cookies).append(" && ");
            script.append("exec /bin/tar -C ").append(Sandbox.HOME).append(" -cf -");
            for (var pattern : EXCLUDED) script.append(" '--exclude=./").append(pattern).append("'");
            script.append(" .");
            var plain = collect(sandbox.start(List.of("/bin/sh", "-c", script.toString()), Map.of(), "/", true),
                    sessionCookiesJson.map(j -> j.getBytes(StandardCharsets.UTF_8)).orElse(new byte[0]));
            var sealed = seal(plain, computer.id());
            var sha = blobs.put(sealed);
            var now = clock.instant();
            var record = new EnvironmentRecord(computer.id(), computer.tenantId(),
                    computer.kind().equals("desktop") ? "desktop" : computer.engine(), sha, sealed.length, now, now);
            store.upsertEnvironment(record);
            return record;
        } catch (IOException e) {
            throw new UncheckedIOException("the state of " + computer.id() + " could not be saved", e);
        }
    }

    /** The tenant's environment, or a clear 404. */
    public EnvironmentRecord find(String tenantId, String id) {
        return store.findEnvironment(id).filter(e -> e.tenantId().equals(tenantId))
                .orElseThrow(() -> new PortholeException.NotFound(ErrorCode.NOT_FOUND, "no saved environment '" + id
                        + "'; environments are saved when a computer created with persistent: true ends"));
    }

    public List<EnvironmentRecord> list(String tenantId) {
        return store.listEnvironments(tenantId);
    }

    public void delete(String tenantId, String id) {
        find(tenantId, id);
        store.deleteEnvironment(id);
    }

    /**
     * Unpacks the environment into the sandbox's home (inside, as the sandbox's own user: an archive a computer
     * made may hold links, and they lead nowhere outside it) and returns the session cookies it held (JSON), for
     * the browser to take once it runs.
     */
    public Optional<String> restore(EnvironmentRecord env, Sandbox sandbox) {
        try (var in = blobs.open(env.sha256()).orElseThrow(() -> new PortholeException(ErrorCode.INTERNAL,
                "the saved state of " + env.id() + " is missing from the blob store"))) {
            var plain = open(in.readAllBytes(), env.id());
            collect(sandbox.start(List.of("/bin/tar", "-C", Sandbox.HOME, "--no-same-owner",
                    "--exclude=./" + COOKIES_FILE, "-xf", "-"), Map.of(), "/", true), plain);
            return cookiesIn(plain);
        } catch (IOException e) {
            throw new UncheckedIOException("the saved state " + env.id() + " could not be restored", e);
        }
    }

    /** Only the cookies the environment holds (every cookie of the browser when it was saved), as JSON. */
    public Optional<String> cookies(EnvironmentRecord env) {
        try (var in = blobs.open(env.sha256()).orElseThrow(() -> new PortholeException(ErrorCode.INTERNAL,
                "the saved state of " + env.id() + " is missing from the blob store"))) {
            return cookiesIn(open(in.readAllBytes(), env.id()));
        } catch (IOException e) {
            throw new UncheckedIOException("the saved cookies of " + env.id() + " could not be read", e);
        }
    }

    /** The cookie file of an archive, read from the archive itself (tar writes nothing to any filesystem here). */
    private static Optional<String> cookiesIn(byte[] plain) throws IOException {
        var list = new String(run(List.of("/bin/tar", "-tf", "-"), plain), StandardCharsets.UTF_8);
        if (list.lines().noneMatch(l -> l.equals("./" + COOKIES_FILE))) return Optional.empty();
        var json = run(List.of("/bin/tar", "-xOf", "-", "./" + COOKIES_FILE), plain);
        return Optional.of(new String(json, StandardCharsets.UTF_8));
    }

    /** {@code plain} encrypted under the state key, bound to {@code id} (which {@link #open} must be given). */
    byte[] seal(byte[] plain, String id) {
        try {
            var iv = new byte[IV_BYTES];
            random.nextBytes(iv);
            var cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
            // the id is authenticated too: a blob cannot be passed off as another environment
            cipher.updateAAD(id.getBytes(StandardCharsets.UTF_8));
            var out = new ByteArrayOutputStream(plain.length + 64);
            out.writeBytes(MAGIC);
            out.writeBytes(iv);
            out.writeBytes(cipher.doFinal(plain));
            return out.toByteArray();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    byte[] open(byte[] sealed, String id) {
        if (sealed.length < MAGIC.length + IV_BYTES + 16 || !java.util.Arrays.equals(sealed, 0, 4, MAGIC, 0, 4)) {
            throw new PortholeException(ErrorCode.INTERNAL, "the saved state of " + id + " is not in a known format");
        }
        try {
            var cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, sealed, 4, IV_BYTES));
            cipher.updateAAD(id.getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(sealed, 4 + IV_BYTES, sealed.length - 4 - IV_BYTES);
        } catch (GeneralSecurityException e) {
            throw new PortholeException.Unavailable(ErrorCode.UNAVAILABLE, "the saved state of " + id + " cannot be"
                    + " decrypted: the state key (PORTHOLE_STATE_KEY or <data dir>/state.key) is not the one it was"
                    + " saved with", e);
        }
    }

    private static byte[] run(List<String> command, byte[] input) throws IOException {
        return collect(Commands.builder(command).redirectError(ProcessBuilder.Redirect.PIPE).start(), input);
    }

    /** Feeds {@code input} to tar's standard input and returns its output, once it has ended well. */
    private static byte[] collect(Process p, byte[] input) throws IOException {
        var feeder = Thread.ofVirtual().start(() -> {
            try (var in = p.getOutputStream()) {
                if (input != null) in.write(input);
            } catch (IOException ignored) {
                // tar ended early; its exit says why
            }
        });
        var err = new java.util.concurrent.CompletableFuture<byte[]>();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                err.complete(p.getErrorStream().readNBytes(4096));
                p.getErrorStream().transferTo(java.io.OutputStream.nullOutputStream());
            } catch (IOException e) {
                err.complete(new byte[0]);
            }
        });
        byte[] out = p.getInputStream().readAllBytes();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("tar did not finish within 60 s");
            }
            feeder.join();
            // 1 is "a file changed as we read it", which a browser's profile may do
            if (p.exitValue() > 1) {
                throw new IOException("tar failed (" + p.exitValue() + "): "
                        + new String(err.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8).strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException("tar failed", e);
        }
        return out;
    }
}
