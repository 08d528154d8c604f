package io.porthole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.porthole.testing.Socks5Proxy;
import io.porthole.testing.UpstreamProxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The GeoIP database is read, and a proxy's exit address found through the echo URL or from the proxy host. */
class GeoIpLocatorTest {
    /** 127.0.0.0/8 (a loopback proxy host) is in Tokyo; 192.0.2.0/24 (TEST-NET-1, what the echo answers) in Berlin. */
    static Path database(Path dir) {
        var file = dir.resolve("test-city.mmdb");
        new MmdbWriter()
                .add("127.0.0.0", 8, "Asia/Tokyo", "JP", 35.68, 139.69, 50)
                .add("192.0.2.0", 24, "Europe/Berlin", "DE", 52.5, 13.4, 20)
                .write(file);
        return file;
    }

    /** A loopback HTTP server that answers {@code answer} to every GET: an echo URL for tests. */
    static HttpServer echo(String answer, int status) throws Exception {
        var server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            var bytes = answer.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, bytes.length);
            ex.getResponseBody().write(bytes);
            ex.close();
        });
        server.start();
        return server;
    }

    static URI echoUrl(HttpServer server) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/ip");
    }

    @Test
    void theDatabaseGivesZoneCountryAndPosition(@TempDir Path tmp) throws Exception {
        var locator = GeoIpLocator.open(database(tmp), Optional.empty(), Duration.ofSeconds(3),
                    GeoIpLocator.ProxyAddress.ANY);
        var berlin = locator.lookup(InetAddress.getByName("192.0.2.99"), "test").orElseThrow();
        assertEquals(Optional.of("Europe/Berlin"), berlin.timezone());
        assertEquals(Optional.of("DE"), berlin.country());
        assertEquals(52.5, berlin.geolocation().orElseThrow().latitude());
        assertEquals(13.4, berlin.geolocation().orElseThrow().longitude());
        assertEquals(20_000, berlin.geolocation().orElseThrow().accuracyMeters());
        assertEquals(Optional.of("Asia/Tokyo"), locator.lookup(InetAddress.getByName("127.0.0.1"), "test").orElseThrow().timezone());
        assertTrue(locator.lookup(InetAddress.getByName("198.51.100.1"), "test").isEmpty(), "not in the database");
    }

    @Test
    void theEchoUrlThroughASocksProxyNamesTheExit(@TempDir Path tmp) throws Exception {
        var echo = echo("192.0.2.7\n", 200);
        try (var socks = Socks5Proxy.start("carol", "s3cr3t-socks")) {
            var locator = GeoIpLocator.open(database(tmp), Optional.of(echoUrl(echo)), Duration.ofSeconds(3),
                    GeoIpLocator.ProxyAddress.ANY);
            var place = locator.locate(URI.create("socks5://carol:s3cr3t-socks@127.0.0.1:" + socks.port())).orElseThrow();
            assertEquals("192.0.2.7", place.address());
            assertEquals("echo", place.source());
            assertEquals(Optional.of("Europe/Berlin"), place.timezone());
            assertTrue(socks.seen().stream().anyMatch(s -> s.authorised() && s.target().endsWith(":"
                    + echo.getAddress().getPort())), socks.seen().toString());
        } finally {
            echo.stop(0);
        }
    }

    @Test
    void withoutAnEchoTheProxyHostIsLookedUp(@TempDir Path tmp) throws Exception {
        try (var upstream = UpstreamProxy.start("alice", "s3cr3t-upstream")) {
            var locator = GeoIpLocator.open(database(tmp), Optional.empty(), Duration.ofSeconds(3),
                    GeoIpLocator.ProxyAddress.ANY);
            var place = locator.locate(URI.create("http://alice:s3cr3t-upstream@127.0.0.1:" + upstream.port())).orElseThrow();
            assertEquals("proxy_host", place.source());
            assertEquals(Optional.of("Asia/Tokyo"), place.timezone());
            assertTrue(upstream.seen().isEmpty(), "nothing is fetched without an echo URL");
        }
    }

    @Test
    void anEchoThatAnswersNoAddressFallsBackToTheProxyHost(@TempDir Path tmp) throws Exception {
        // the test upstream answers every request itself with a page: not an address
        try (var upstream = UpstreamProxy.start("alice", "s3cr3t-upstream")) {
            var locator = GeoIpLocator.open(database(tmp), Optional.of(URI.create("http://echo.invalid/ip")),
                    Duration.ofSeconds(3),
                    GeoIpLocator.ProxyAddress.ANY);
            var place = locator.locate(URI.create("http://alice:s3cr3t-upstream@127.0.0.1:" + upstream.port())).orElseThrow();
            assertEquals("proxy_host", place.source());
            assertEquals(Optional.of("Asia/Tokyo"), place.timezone());
            assertTrue(upstream.seen().stream().anyMatch(s -> s.authorised() && s.requestLine().startsWith(
                    "GET http://echo.invalid/ip ")), upstream.seen().toString());
        }
        var failing = echo("oops", 500);
        try (var socks = Socks5Proxy.start("carol", "s3cr3t-socks")) {
            var locator = GeoIpLocator.open(database(tmp), Optional.of(echoUrl(failing)), Duration.ofSeconds(3),
                    GeoIpLocator.ProxyAddress.ANY);
            var place = locator.locate(URI.create("socks5://carol:s3cr3t-socks@127.0.0.1:" + socks.port())).orElseThrow();
            assertEquals("proxy_host", place.source());
        } finally {
            failing.stop(0);
        }
    }

    @Test
    void aProxyTheEgressRulesRefuseIsNotConnectedTo(@TempDir Path tmp) throws Exception {
        var echo = echo("192.0.2.7", 200);
        try (var socks = Socks5Proxy.start("carol", "s3cr3t-socks")) {
            GeoIpLocator.ProxyAddress refuse = proxy -> {
                throw new java.io.IOException("the egress rules refuse the proxy: 127.0.0.1 is a loopback address");
            };
            var locator = GeoIpLocator.open(database(tmp), Optional.of(echoUrl(echo)), Duration.ofSeconds(3), refuse);
            var place = locator.locate(URI.create("socks5://carol:s3cr3t-socks@127.0.0.1:" + socks.port())).orElseThrow();
            assertEquals("proxy_host", place.source(), "only looked up, never connected to");
            assertTrue(socks.seen().isEmpty(), socks.seen().toString());
        } finally {
            echo.stop(0);
        }
    }

    @Test
    void anAddressTheDatabaseDoesNotKnowFindsNothing(@TempDir Path tmp) throws Exception {
        var echo = echo("198.51.100.1", 200);
        try (var socks = Socks5Proxy.start("carol", "s3cr3t-socks")) {
            var locator = GeoIpLocator.open(database(tmp), Optional.of(echoUrl(echo)), Duration.ofSeconds(3),
                    GeoIpLocator.ProxyAddress.ANY);
            assertFalse(locator.locate(URI.create("socks5://carol:s3cr3t-socks@127.0.0.1:" + socks.port())).isPresent());
        } finally {
            echo.stop(0);
        }
    }
}
