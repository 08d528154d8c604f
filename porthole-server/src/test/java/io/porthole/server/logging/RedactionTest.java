package io.porthole.server.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.Test;

/** The shapes of secrets every log line is cleared of, and the configured values. */
class RedactionTest {
    private final Redaction redaction = new Redaction(List.of("the-api-key-value", "short", "db-password-9"));

    private void masks(String in, String out) {
        assertEquals(out, redaction.apply(in));
    }

    @Test
    void urlUserInfoKeepsTheUserAndMasksThePassword() {
        masks("upstream http://alice:s3cr3t@10.0.0.1:3128 refused", "upstream http://alice:***@10.0.0.1:3128 refused");
        masks("socks5h://bob:p@ss:w0rd@proxy.example:1080/", "socks5h://bob:***@proxy.example:1080/");
        masks("jdbc:postgresql://carol:pw@db:5432/porthole", "jdbc:postgresql://carol:***@db:5432/porthole");
        masks("http://apikey123@proxy:8080", "http://***@proxy:8080");
        masks("plain http://host:8080/path?x=1 stays", "plain http://host:8080/path?x=1 stays");
    }

    @Test
    void credentialsInHeadersAndBearerTokensAreMasked() {
        masks("Authorization: Bearer abc.def-ghi", "Authorization: ***");
        masks("proxy-authorization=Basic dXNlcjpwYXNz", "proxy-authorization=***");
        masks("{\"Authorization\":\"Bearer abc\"}", "{\"Authorization\":\"***\"}");
        masks("X-API-Key: k-1234567", "X-API-Key: ***");
        masks("sent Bearer abcdef123 along", "sent Bearer *** along");
        // a placeholder names no secret
        masks("curl -H \"Authorization: Bearer $KEY\" http://h/", "curl -H \"Authorization: Bearer $KEY\" http://h/");
    }

    @Test
    void secretNamedParametersAndFieldsAreMasked() {
        masks("GET /computers/c/cdp?token=pat_abc&x=1", "GET /computers/c/cdp?token=***&x=1");
        masks("url=http://h/?a=1&password=hunter2#frag", "url=http://h/?a=1&password=***#frag");
        masks("user=app password=hunter2 host=db", "user=app password=*** host=db");
        masks("{\"proxy_password\": \"p\\\"w\", \"x\": 1}", "{\"proxy_password\": \"***\", \"x\": 1}");
        masks("{\"secret\":\"s\"}", "{\"secret\":\"***\"}");
        masks("X-Amz-Signature=abcdef&X-Amz-Credential=AKIA/x", "X-Amz-Signature=***&X-Amz-Credential=***");
    }

    @Test
    void portholeKeysAndAccessTokensAreMaskedWherever() {
        masks("key ph_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcd used", "key ph_*** used");
        masks("ws://h/computers/c/cdp/pat_AbCdEfGhIjKlMnOpQrStUv", "ws://h/computers/c/cdp/pat_***");
        masks("GET /viewers/pv_AbCdEfGhIjKlMnOpQrStUvWx failed", "GET /viewers/pv_*** failed");
        masks("graph_visualisation and pat_short stay", "graph_visualisation and pat_short stay");
    }

    @Test
    void configuredValuesAreMaskedButNotShortOnes() {
        masks("the key was the-api-key-value, really", "the key was ***, really");
        masks("a short word stays short", "a short word stays short");
        masks("db-password-9db-password-9", "******");
    }

    @Test
    void theTextFormatIsRedactedToo() {
        var text = new RedactingFormatter(new SimpleFormatter(), redaction);
        var r = new LogRecord(Level.WARNING, "upstream http://alice:s3cr3t@10.0.0.1:3128 refused");
        r.setThrown(new RuntimeException("with the-api-key-value"));
        var line = text.format(r);
        assertEquals(-1, line.indexOf("s3cr3t"), line);
        assertEquals(-1, line.indexOf("the-api-key-value"), line);
        assertEquals(true, line.contains("http://alice:***@10.0.0.1:3128"), line);
    }
}
