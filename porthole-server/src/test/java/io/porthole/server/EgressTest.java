package io.porthole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.porthole.testing.Socks5Proxy;
import io.porthole.testing.UpstreamProxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A computer's network: loopback and a link that goes nowhere, the egress proxy its one way out, the server, metadata and private
 * addresses refused, allowed loopback pages reachable, upstream proxies with credentials switched
 * mid-session. Probes are sent from commands inside and from the computer's browser.
 */
class EgressTest {
    private static TestServer t;
    private static String id;

    @BeforeAll
    static void computer() {
        t = TestServer.get();
        id = t.createComputer("{}");
    }

    @AfterAll
    static void cleanUp() {
        t.delete(id);
    }

    private static String sh(String computer, String command) {
        var r = t.post("/computers/" + computer + "/exec/sync",
                TestServer.JSON.createObjectNode().put("command", command).put("timeout_seconds", 30).toString());
        assertEquals(200, r.status(), r.body());
        return r.json().path("stdout").asText() + r.json().path("stderr").asText();
    }

    /** The HTTP status curl gets inside the computer for {@code url} (000 when it cannot connect at all). */
    private static String curl(String computer, String url, String extra) {
        return sh(computer, "curl -s -o /dev/null -m 10 -w '%{http_code}' " + extra + " '" + url + "'").trim();
    }

    @Test
    void anAllowedLoopbackPageIsReachableThroughTheProxy() {
        assertEquals("200", curl(id, t.pages.url("input.html"), ""));
        var nav = t.action(id, "navigate", "{\"url\":\"" + t.pages.url("second.html") + "\"}");
        assertEquals("success", nav.path("status").asText(), nav.toString());
        var html = t.action(id, "html", "{}").path("result").path("html_content").asText();
        assertTrue(html.contains("id=\"heading\""), html);
    }

    @Test
    void theServersOwnPortIsRefusedEvenThoughLoopbackIsAllowed() {
        assertEquals("403", curl(id, t.server.baseUrl() + "/health", ""));
        t.action(id, "navigate", "{\"url\":\"" + t.server.baseUrl() + "/health\"}");
        var html = t.action(id, "html", "{}").path("result").path("html_content").asText();
        assertTrue(html.contains("Porthole refused"), html);
        assertFalse(html.contains("\"status\""), "the browser never saw the server's answer");
    }

    @Test
    void metadataAndPrivateAddressesAreRefused() {
        for (var url : java.util.List.of("http://169.254.169.254/latest/meta-data/", "http://10.1.2.3/",
                "http://192.168.1.1/", "http://172.16.0.1/", "http://100.64.0.1/", "http://[::1]:80/",
                "http://[fd00::1]/", "http://[::ffff:169.254.169.254]/", "http://0.0.0.0:80/")) {
            assertEquals("403", curl(id, url, ""), url);
        }
        var connect = sh(id, "curl -s -o /dev/null -m 10 -w '%{http_connect}' -k https://169.254.169.254/").trim();
        assertEquals("403", connect, "CONNECT is checked too");
        t.action(id, "navigate", "{\"url\":\"http://169.254.169.254/latest/meta-data/\"}");
        var html = t.action(id, "html", "{}").path("result").path("html_content").asText();
        assertTrue(html.contains("Porthole refused"), html);
        var status = t.call("GET", "/computers/" + id + "/status", null).json();
        assertTrue(status.path("egress").path("refused").asLong() >= 10, status.toString());
    }

    @Test
    void thereIsNoRouteAroundTheProxy() {
        // no proxy: the computer's network has loopback and no route, so nothing leaves, TCP or UDP
        assertEquals("000", curl(id, t.pages.url("input.html"), "--noproxy '*'"));
        var udp = sh(id, "timeout 5 bash -c 'echo x > /dev/udp/10.255.255.1/53' 2>&1; echo rc=$?");
        assertTrue(udp.contains("rc=1") || udp.contains("unreachable"), udp);
        // loopback, and an eth0 that goes nowhere (up, so browsers count themselves online; no route: OnlineTest)
        assertEquals("eth0\nlo\n", sh(id, "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort"));
    }

    @Test
    void anotherComputersServerIsUnreachable() {
        var other = t.createComputer("{}");
        try {
            sh(other, "mkdir -p /tmp/www && echo secret-of-other > /tmp/www/index.html;"
                    + " (cd /tmp/www && setsid python3 -m http.server 18931 --bind 127.0.0.1 >/dev/null 2>&1 < /dev/null &);"
                    + " for i in $(seq 50); do grep -q ':49E3 ' /proc/net/tcp && break; sleep 0.1; done");
            assertEquals("secret-of-other", sh(other, "curl -s --noproxy '*' http://127.0.0.1:18931/index.html").trim(),
                    "the server runs inside the other computer");
            var seen = sh(id, "curl -s -m 10 http://127.0.0.1:18931/index.html; curl -s -m 5 --noproxy '*' http://127.0.0.1:18931/index.html");
            assertFalse(seen.contains("secret-of-other"), seen);
        } finally {
            t.delete(other);
        }
    }

    @Test
    void anUpstreamProxyWithCredentialsIsUsedAfterChangeProxyAndNotBefore() {
        var computer = t.createComputer("{}");
        try (var upstream = UpstreamProxy.start("alice", "s3cr3t")) {
            var page = t.pages.url("second.html");
            t.action(computer, "navigate", "{\"url\":\"" + page + "\"}");
            assertTrue(upstream.seen().isEmpty(), "no upstream before change-proxy");
            var changed = t.action(computer, "change-proxy",
                    "{\"proxy_url\":\"http://alice:s3cr3t@127.0.0.1:" + upstream.port() + "\"}");
            assertEquals("success", changed.path("status").asText(), changed.toString());
            assertFalse(changed.toString().contains("s3cr3t"), "the password is not echoed");
            t.action(computer, "navigate", "{\"url\":\"" + page + "?after\"}");
            var html = t.action(computer, "html", "{}").path("result").path("html_content").asText();
            assertTrue(html.contains("served by the upstream proxy"), html);
            assertTrue(upstream.seen().stream().anyMatch(s -> s.requestLine().contains("/second.html?after") && s.authorised()),
                    upstream.seen().toString());
            assertTrue(upstream.seen().stream().allMatch(UpstreamProxy.Seen::authorised), "the browser never saw a 407");
            assertTrue(curl(computer, page + "?from-exec", "").equals("200"));
            assertTrue(upstream.seen().stream().anyMatch(s -> s.requestLine().contains("from-exec")));
            // and back to direct
            t.action(computer, "change-proxy", "{\"proxy_url\":\"\"}");
            int before = upstream.seen().size();
            t.action(computer, "navigate", "{\"url\":\"" + page + "?direct-again\"}");
            assertEquals(before, upstream.seen().size());
        } finally {
            t.delete(computer);
        }
    }

    @Test
    void aSocks5UpstreamWithCredentialsCarriesTheComputersTraffic() {
        var computer = t.createComputer("{}");
        try (var socks = Socks5Proxy.start("bob", "pa55")) {
            var changed = t.action(computer, "change-proxy",
                    "{\"proxy_url\":\"socks5://bob:pa55@127.0.0.1:" + socks.port() + "\"}");
            assertEquals("success", changed.path("status").asText(), changed.toString());
            t.action(computer, "navigate", "{\"url\":\"" + t.pages.url("second.html") + "\"}");
            var html = t.action(computer, "html", "{}").path("result").path("html_content").asText();
            assertTrue(html.contains("id=\"heading\""), "the page came through the tunnel: " + html);
            assertTrue(socks.seen().stream().anyMatch(s -> s.authorised()
                    && s.target().equals("127.0.0.1:" + t.pages.port())), socks.seen().toString());
            assertEquals("200", curl(computer, t.pages.url("input.html"), ""), "commands go the same way");
        } finally {
            t.delete(computer);
        }
    }

    @Test
    void aProxyOnAPrivateAddressIsRefusedLikeAnyDestination() {
        var computer = t.createComputer("{}");
        try {
            var changed = t.action(computer, "change-proxy", "{\"proxy_url\":\"http://10.9.8.7:3128\"}");
            assertEquals("success", changed.path("status").asText());
            assertEquals("403", curl(computer, t.pages.url("input.html"), ""));
        } finally {
            t.delete(computer);
        }
    }

    @Test
    void bytesAreCountedPerComputer() {
        curl(id, t.pages.url("input.html"), "");
        var egress = t.call("GET", "/computers/" + id + "/status", null).json().path("egress");
        assertTrue(egress.path("bytes_received").asLong() > 500, egress.toString());
        assertTrue(egress.path("bytes_sent").asLong() > 50, egress.toString());
        assertTrue(egress.path("connections").asLong() >= 1, egress.toString());
    }
}
