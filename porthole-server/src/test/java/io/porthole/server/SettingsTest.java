package io.porthole.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configuration keys: isolation, state key, templates, shutdown default, the screencast encoder, standby. */
class SettingsTest {
    private static ServerConfig load(Map<String, String> env) {
        return new Settings(List.of(), env).load();
    }

    @Test
    void defaultsKeepComputersAcrossAStopAndIsolate() {
        var c = load(Map.of("PORTHOLE_DATA_DIR", "/tmp/x"));
        assertFalse(c.stopComputersOnShutdown());
        assertEquals(ServerConfig.Isolation.NAMESPACES, c.isolation());
        assertTrue(c.stateKey().isEmpty());
        assertTrue(c.templates().isEmpty());
    }

    @Test
    void isolationNoneAndBadValues() {
        assertEquals(ServerConfig.Isolation.NONE, load(Map.of("PORTHOLE_ISOLATION", "none")).isolation());
        var e = assertThrows(IllegalArgumentException.class, () -> load(Map.of("PORTHOLE_ISOLATION", "some")));
        assertTrue(e.getMessage().contains("namespaces or none"), e.getMessage());
    }

    @Test
    void theStateKeyIs32BytesOfBase64() {
        var key = new byte[32];
        key[0] = 7;
        var c = load(Map.of("PORTHOLE_STATE_KEY", java.util.Base64.getEncoder().encodeToString(key)));
        assertArrayEquals(key, c.stateKey().orElseThrow());
        var e = assertThrows(IllegalArgumentException.class, () -> load(Map.of("PORTHOLE_STATE_KEY", "c2hvcnQ=")));
        assertTrue(e.getMessage().contains("32 bytes"), e.getMessage());
    }

    @Test
    void theScreencastEncoderIsDebiansFfmpegUnlessAnAbsolutePathIsGiven() {
        assertEquals(Path.of("/usr/bin/ffmpeg"), load(Map.of()).live().ffmpeg());
        assertEquals(Path.of("/opt/ffmpeg/bin/ffmpeg"),
                load(Map.of("PORTHOLE_FFMPEG_PATH", "/opt/ffmpeg/bin/ffmpeg")).live().ffmpeg());
        var e = assertThrows(IllegalArgumentException.class, () -> load(Map.of("PORTHOLE_FFMPEG_PATH", "ffmpeg")));
        assertTrue(e.getMessage().contains("absolute"), e.getMessage());
    }

    @Test
    void standbyIsOnAfterAMinuteByDefaultAndZeroTurnsItOff() {
        assertEquals(60, load(Map.of()).computers().standbyAfterSeconds());
        assertEquals(0, load(Map.of("PORTHOLE_STANDBY_AFTER_SECONDS", "0")).computers().standbyAfterSeconds());
        assertEquals(5, new Settings(List.of("--standby-after-seconds=5"), Map.of()).load().computers().standbyAfterSeconds());
        var e = assertThrows(IllegalArgumentException.class, () -> load(Map.of("PORTHOLE_STANDBY_AFTER_SECONDS", "-1")));
        assertTrue(e.getMessage().contains("PORTHOLE_STANDBY_AFTER_SECONDS"), e.getMessage());
    }

    @Test
    void thePoolHoldsOneChromiumByDefaultAndIsSpelledShapeByShape(@TempDir Path dir) throws Exception {
        var chromium = new io.porthole.core.PoolShape("browser", "chromium", java.util.Optional.empty(), 1280, 720, 1.0);
        assertEquals(Map.of(chromium, 1), load(Map.of()).computers().pool());
        assertEquals(Map.of(), load(Map.of("PORTHOLE_POOL", "off")).computers().pool());
        var file = dir.resolve("templates.json");
        Files.writeString(file, "{\"de\": {\"browser\": \"firefox\"}}");
        var pool = load(Map.of("PORTHOLE_POOL", "chromium:4, firefox@800x600:1,desktop@1920x1080:2,template=de@1024x768x2:1",
                "PORTHOLE_TEMPLATES", file.toString())).computers().pool();
        assertEquals(4, pool.get(chromium));
        assertEquals(1, pool.get(new io.porthole.core.PoolShape("browser", "firefox", java.util.Optional.empty(), 800, 600, 1.0)));
        assertEquals(2, pool.get(new io.porthole.core.PoolShape("desktop", "chromium", java.util.Optional.empty(), 1920, 1080, 1.0)));
        var de = new io.porthole.core.PoolShape("browser", "firefox", java.util.Optional.of("de"), 1024, 768, 2.0);
        assertEquals(1, pool.get(de));
        assertEquals("template=de@1024x768x2", de.label());
        for (var bad : List.of("chromium", "chrome:1", "chromium:1,chromium:2", "template=nope:1", "chromium@50x50:1")) {
            var e = assertThrows(IllegalArgumentException.class, () -> load(Map.of("PORTHOLE_POOL", bad)), bad);
            assertTrue(e.getMessage().contains("PORTHOLE_POOL"), e.getMessage());
        }
    }

    @Test
    void theIdentityDefaultsAndGeoIpAreSettings(@TempDir Path dir) throws Exception {
        var builtIn = load(Map.of()).computers().identity();
        assertEquals("America/New_York", builtIn.timezone());
        assertEquals("en-US", builtIn.locale());
        assertTrue(load(Map.of()).geoIp().database().isEmpty(), "GeoIP is off by default");
        var set = load(Map.of("PORTHOLE_IDENTITY_TIMEZONE", "Europe/Vienna", "PORTHOLE_IDENTITY_LOCALE", "de-AT"));
        assertEquals("Europe/Vienna", set.computers().identity().timezone());
        assertEquals(List.of("de-AT", "de"), set.computers().identity().forViewport(1280, 720).languages());
        // the pool's browsers have the operator's identity: a create that asks for nothing can take one
        assertEquals("Europe/Vienna", set.computers().pool().keySet().iterator().next().identity().timezone());
        for (var bad : List.of(Map.of("PORTHOLE_IDENTITY_TIMEZONE", "+01:00"), Map.of("PORTHOLE_IDENTITY_LOCALE", "??"),
                Map.of("PORTHOLE_GEOIP_DATABASE", dir.resolve("none.mmdb").toString()),
                Map.of("PORTHOLE_GEOIP_DATABASE", dir.toString()))) {
            var e = assertThrows(IllegalArgumentException.class, () -> load(bad), bad.toString());
            assertTrue(e.getMessage().contains(bad.keySet().iterator().next()), e.getMessage());
        }
        var db = GeoIpLocatorTest.database(dir);
        var geo = load(Map.of("PORTHOLE_GEOIP_DATABASE", db.toString(), "PORTHOLE_GEOIP_ECHO_URL", "https://api.ipify.org",
                "PORTHOLE_GEOIP_ECHO_TIMEOUT_SECONDS", "5")).geoIp();
        assertEquals(java.util.Optional.of(db), geo.database());
        assertEquals("https://api.ipify.org", geo.echoUrl().orElseThrow().toString());
        assertEquals(java.time.Duration.ofSeconds(5), geo.echoTimeout());
        for (var bad : List.of("ftp://example.org/ip", "https://user:pw@example.org/ip", "not a url")) {
            var e = assertThrows(IllegalArgumentException.class, () -> load(Map.of("PORTHOLE_GEOIP_DATABASE", db.toString(),
                    "PORTHOLE_GEOIP_ECHO_URL", bad)), bad);
            assertTrue(e.getMessage().contains("PORTHOLE_GEOIP_ECHO_URL") && !e.getMessage().contains("pw"), e.getMessage());
        }
        var e = assertThrows(IllegalArgumentException.class, () -> load(Map.of("PORTHOLE_GEOIP_ECHO_URL",
                "https://api.ipify.org")));
        assertTrue(e.getMessage().contains("PORTHOLE_GEOIP_DATABASE"), e.getMessage());
    }

    @Test
    void templatesComeFromAJsonFile(@TempDir Path dir) throws Exception {
        var file = dir.resolve("templates.json");
        Files.writeString(file, "{\"de\": {\"browser\": \"firefox\", \"prefs\": {\"intl.accept_languages\": \"de\", \"x.n\": 3,"
                + " \"x.b\": true}}, \"fast\": {\"binary\": \"/usr/bin/chromium\", \"flags\": [\"--a\", \"--b\"]}}");
        var t = load(Map.of("PORTHOLE_TEMPLATES", file.toString())).templates();
        assertEquals("firefox", t.get("de").browser());
        assertEquals("de", t.get("de").prefs().get("intl.accept_languages"));
        assertEquals(true, t.get("de").prefs().get("x.b"));
        assertEquals("chromium", t.get("fast").browser());
        assertEquals(List.of("--a", "--b"), t.get("fast").flags());
        assertEquals(Path.of("/usr/bin/chromium"), t.get("fast").binary().orElseThrow());
        Files.writeString(file, "{\"x\": {\"browser\": \"webkit\"}}");
        assertThrows(IllegalArgumentException.class, () -> load(Map.of("PORTHOLE_TEMPLATES", file.toString())));
        Files.writeString(file, "[]");
        assertThrows(IllegalArgumentException.class, () -> load(Map.of("PORTHOLE_TEMPLATES", file.toString())));
    }

    // --- the database ---

    @Test
    void withoutADatabaseUrlTheStoreIsSqliteInTheDataDirectory() {
        assertTrue(load(Map.of()).database().isEmpty());
    }

    @Test
    void aPostgresqlUrlWithUserAndPasswordNamesTheDatabase() {
        var db = load(Map.of("PORTHOLE_DATABASE_URL", "jdbc:postgresql://db.internal:5432/porthole?sslmode=require",
                "PORTHOLE_DATABASE_USER", "porthole", "PORTHOLE_DATABASE_PASSWORD", "s3cret-pw")).database().orElseThrow();
        assertEquals("jdbc:postgresql://db.internal:5432/porthole?sslmode=require", db.url());
        assertEquals("porthole", db.user().orElseThrow());
        assertEquals("s3cret-pw", db.password().orElseThrow());
        assertFalse(db.toString().contains("s3cret-pw"), db.toString());
        var flags = new Settings(List.of("--database-url=jdbc:postgresql://h/d", "--database-user=u"), Map.of()).load();
        assertEquals("u", flags.database().orElseThrow().user().orElseThrow());
    }

    @Test
    void aPasswordInTheUrlIsTakenOutOfIt() {
        var db = load(Map.of("PORTHOLE_DATABASE_URL", "jdbc:postgresql://h:5432/d?user=app&password=in-url-pw"))
                .database().orElseThrow();
        assertEquals("jdbc:postgresql://h:5432/d", db.url());
        assertEquals("app", db.user().orElseThrow());
        assertEquals("in-url-pw", db.password().orElseThrow());
    }

    @Test
    void thePasswordFileIsReadWithoutItsLastNewline(@TempDir Path dir) throws Exception {
        var file = dir.resolve("password");
        Files.writeString(file, "from-a-secret\n");
        var db = load(Map.of("PORTHOLE_DATABASE_URL", "jdbc:postgresql://h/d", "PORTHOLE_DATABASE_PASSWORD_FILE",
                file.toString())).database().orElseThrow();
        assertEquals("from-a-secret", db.password().orElseThrow());
    }

    @Test
    void anotherSchemeIsRefusedWithoutRepeatingTheUrl() {
        for (var url : List.of("jdbc:mysql://u:hunter22@h/d", "postgresql://h/d?password=hunter22", "jdbc:sqlite:/x.db")) {
            var e = assertThrows(IllegalArgumentException.class, () -> load(Map.of("PORTHOLE_DATABASE_URL", url)));
            assertTrue(e.getMessage().contains("PORTHOLE_DATABASE_URL must be a jdbc:postgresql:"), e.getMessage());
            assertFalse(e.getMessage().contains("hunter22"), e.getMessage());
        }
    }

    @Test
    void credentialsInsideTheHostPartAreRefused() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> load(Map.of("PORTHOLE_DATABASE_URL", "jdbc:postgresql://app:hunter22@h/d")));
        assertTrue(e.getMessage().startsWith("PORTHOLE_DATABASE_URL"), e.getMessage());
        assertFalse(e.getMessage().contains("hunter22"), e.getMessage());
    }

    @Test
    void aPasswordTwiceOrWithoutAUrlIsRefused(@TempDir Path dir) throws Exception {
        var file = dir.resolve("password");
        Files.writeString(file, "x");
        var both = assertThrows(IllegalArgumentException.class, () -> load(Map.of("PORTHOLE_DATABASE_URL",
                "jdbc:postgresql://h/d", "PORTHOLE_DATABASE_PASSWORD", "a", "PORTHOLE_DATABASE_PASSWORD_FILE", file.toString())));
        assertTrue(both.getMessage().contains("not both"), both.getMessage());
        for (var key : List.of("PORTHOLE_DATABASE_USER", "PORTHOLE_DATABASE_PASSWORD", "PORTHOLE_DATABASE_PASSWORD_FILE")) {
            var e = assertThrows(IllegalArgumentException.class, () -> load(Map.of(key, "x")));
            assertTrue(e.getMessage().contains("PORTHOLE_DATABASE_URL, which is not set"), e.getMessage());
        }
    }

    @Test
    void aPasswordFileThatCannotBeReadOrIsEmptyIsRefused(@TempDir Path dir) throws Exception {
        var missing = dir.resolve("missing");
        var e = assertThrows(IllegalArgumentException.class, () -> load(Map.of("PORTHOLE_DATABASE_URL",
                "jdbc:postgresql://h/d", "PORTHOLE_DATABASE_PASSWORD_FILE", missing.toString())));
        assertTrue(e.getMessage().contains(missing + ", which cannot be read"), e.getMessage());
        var empty = dir.resolve("empty");
        Files.writeString(empty, "\n");
        e = assertThrows(IllegalArgumentException.class, () -> load(Map.of("PORTHOLE_DATABASE_URL",
                "jdbc:postgresql://h/d", "PORTHOLE_DATABASE_PASSWORD_FILE", empty.toString())));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    private static final String SECRET = "s3-secret-never-printed";

    private static Map<String, String> s3(String... more) {
        var env = new java.util.HashMap<>(Map.of("PORTHOLE_BLOBS", "s3", "PORTHOLE_S3_BUCKET", "porthole-blobs",
                "PORTHOLE_S3_ACCESS_KEY_ID", "AKIDEXAMPLE", "PORTHOLE_S3_SECRET_ACCESS_KEY", SECRET));
        for (int i = 0; i < more.length; i += 2) {
            if (more[i + 1] == null) env.remove(more[i]);
            else env.put(more[i], more[i + 1]);
        }
        return env;
    }

    private static void refused(Map<String, String> env, String expected) {
        var e = assertThrows(IllegalArgumentException.class, () -> load(env));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertFalse(e.getMessage().contains(SECRET), e.getMessage());
    }

    @Test
    void blobsAreLocalByDefault() {
        assertTrue(load(Map.of()).s3Blobs().isEmpty());
        assertTrue(load(Map.of("PORTHOLE_BLOBS", "local", "PORTHOLE_S3_BUCKET", "ignored")).s3Blobs().isEmpty());
        refused(Map.of("PORTHOLE_BLOBS", "nfs"), "local or s3");
    }

    @Test
    void s3BlobsTakeAnEndpointRegionBucketPrefixAndKeys() {
        var c = load(s3("PORTHOLE_S3_ENDPOINT", "http://minio:9000", "PORTHOLE_S3_PREFIX", "cluster-a",
                "PORTHOLE_S3_REGION", "eu-west-3")).s3Blobs().orElseThrow();
        assertEquals(java.net.URI.create("http://minio:9000"), c.endpoint().orElseThrow());
        assertEquals("eu-west-3", c.region());
        assertEquals("porthole-blobs", c.bucket());
        assertEquals("cluster-a/", c.prefix());
        assertEquals("AKIDEXAMPLE", c.accessKeyId());
        assertEquals(SECRET, c.secretAccessKey());
        assertFalse(c.toString().contains(SECRET), c.toString());
        var aws = load(s3()).s3Blobs().orElseThrow();
        assertTrue(aws.endpoint().isEmpty(), "no endpoint: AWS S3");
        assertEquals("us-east-1", aws.region());
        assertEquals("", aws.prefix());
    }

    @Test
    void theS3SecretCanComeFromAFileAsAKubernetesSecretIsMounted(@TempDir Path dir) throws Exception {
        var file = dir.resolve("secret-access-key");
        Files.writeString(file, SECRET + "\n");
        var c = load(s3("PORTHOLE_S3_SECRET_ACCESS_KEY", null, "PORTHOLE_S3_SECRET_ACCESS_KEY_FILE", file.toString()))
                .s3Blobs().orElseThrow();
        assertEquals(SECRET, c.secretAccessKey());
        refused(s3("PORTHOLE_S3_SECRET_ACCESS_KEY_FILE", file.toString()), "not both");
        refused(s3("PORTHOLE_S3_SECRET_ACCESS_KEY", null, "PORTHOLE_S3_SECRET_ACCESS_KEY_FILE",
                dir.resolve("missing").toString()), "cannot be read");
        Files.writeString(file, SECRET + "\nsecond line\n");
        refused(s3("PORTHOLE_S3_SECRET_ACCESS_KEY", null, "PORTHOLE_S3_SECRET_ACCESS_KEY_FILE", file.toString()),
                "alone on one line");
    }

    @Test
    void s3BlobsWithoutWhatTheyNeedAreRefused() {
        refused(s3("PORTHOLE_S3_BUCKET", null), "PORTHOLE_S3_BUCKET");
        refused(s3("PORTHOLE_S3_ACCESS_KEY_ID", null), "PORTHOLE_S3_ACCESS_KEY_ID");
        refused(s3("PORTHOLE_S3_SECRET_ACCESS_KEY", null), "PORTHOLE_S3_SECRET_ACCESS_KEY_FILE");
        refused(s3("PORTHOLE_S3_BUCKET", "Not_A_Bucket"), "bucket name");
        refused(s3("PORTHOLE_S3_ENDPOINT", "minio:9000"), "PORTHOLE_S3_ENDPOINT");
        refused(s3("PORTHOLE_S3_ENDPOINT", "ftp://minio"), "PORTHOLE_S3_ENDPOINT");
        refused(s3("PORTHOLE_S3_ENDPOINT", "http://AKIDEXAMPLE:" + SECRET + "@minio:9000"), "no credentials in it");
        refused(s3("PORTHOLE_S3_PREFIX", "a//b"), "prefix");
    }

    // --- metrics ---

    @Test
    void metricsNeedAnAdminKeyByDefaultAndMayBePublicOrOff() {
        assertEquals(ServerConfig.MetricsConfig.defaults(), load(Map.of()).metrics());
        assertEquals(ServerConfig.MetricsConfig.Access.PUBLIC, load(Map.of("PORTHOLE_METRICS", "public")).metrics().access());
        assertEquals(ServerConfig.MetricsConfig.Access.OFF,
                new Settings(List.of("--metrics=off"), Map.of()).load().metrics().access());
        var e = assertThrows(IllegalArgumentException.class, () -> load(Map.of("PORTHOLE_METRICS", "open")));
        assertTrue(e.getMessage().contains("key, public or off"), e.getMessage());
    }

    @Test
    void theMetricsTokenComesAsIsOrFromAFileAndIsNeverRepeated(@TempDir Path dir) throws Exception {
        var token = "metrics-7f3a9c2e5b1d";
        var c = load(Map.of("PORTHOLE_METRICS_TOKEN", token)).metrics();
        assertEquals(token, c.token().orElseThrow());
        assertFalse(c.toString().contains(token), c.toString());
        var file = dir.resolve("token");
        Files.writeString(file, token + "\n");
        assertEquals(token, load(Map.of("PORTHOLE_METRICS_TOKEN_FILE", file.toString())).metrics().token().orElseThrow());
        for (var bad : List.of(Map.of("PORTHOLE_METRICS_TOKEN", "short"),
                Map.of("PORTHOLE_METRICS_TOKEN", "has a space in it, see"),
                Map.of("PORTHOLE_METRICS_TOKEN", token, "PORTHOLE_METRICS", "public"),
                Map.of("PORTHOLE_METRICS_TOKEN", token, "PORTHOLE_METRICS_TOKEN_FILE", file.toString()))) {
            var e = assertThrows(IllegalArgumentException.class, () -> load(bad), bad.toString());
            assertTrue(e.getMessage().contains("PORTHOLE_METRICS_TOKEN"), e.getMessage());
            assertFalse(e.getMessage().contains(token), e.getMessage());
        }
    }

    @Test
    void logsAreTextAtTheConfiguredLevelUnlessJsonOrALevelIsAsked() {
        var none = new Settings(List.of(), Map.of());
        assertEquals(io.porthole.server.logging.LogFormat.TEXT, none.logFormat());
        assertTrue(none.logLevel().isEmpty());
        var json = new Settings(List.of("--log-format=JSON", "--log-level=debug"), Map.of());
        assertEquals(io.porthole.server.logging.LogFormat.JSON, json.logFormat());
        assertEquals(java.util.logging.Level.FINE, json.logLevel().orElseThrow());
        assertEquals(java.util.logging.Level.WARNING,
                new Settings(List.of(), Map.of("PORTHOLE_LOG_LEVEL", "warn")).logLevel().orElseThrow());
        var format = assertThrows(IllegalArgumentException.class,
                () -> new Settings(List.of(), Map.of("PORTHOLE_LOG_FORMAT", "xml")).logFormat());
        assertTrue(format.getMessage().contains("PORTHOLE_LOG_FORMAT must be text or json"), format.getMessage());
        var level = assertThrows(IllegalArgumentException.class,
                () -> new Settings(List.of(), Map.of("PORTHOLE_LOG_LEVEL", "loud")).logLevel());
        assertTrue(level.getMessage().contains("PORTHOLE_LOG_LEVEL must be"), level.getMessage());
    }
}
