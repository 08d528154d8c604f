package io.porthole.engine.cdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class UserAgentMetadataTest {
    @Test
    void matchesWhatChromium156ReportsByItself() {
        // what Debian's Chromium 156.0.8078.79 answers, unoverridden, to navigator.userAgentData
        var m = UserAgentMetadata.forProduct("HeadlessChrome/156.0.8078.79");
        assertEquals("[{\"brand\":\"Not:A-Brand\",\"version\":\"8\"},{\"brand\":\"Chromium\",\"version\":\"156\"}]",
                m.path("brands").toString());
        assertEquals("[{\"brand\":\"Not:A-Brand\",\"version\":\"8.0.0.0\"},{\"brand\":\"Chromium\",\"version\":\"156.0.8078.79\"}]",
                m.path("fullVersionList").toString());
        assertEquals("Linux", m.path("platform").asText());
        assertEquals("x86", m.path("architecture").asText());
        assertEquals("64", m.path("bitness").asText());
        assertEquals(false, m.path("mobile").asBoolean());
    }

    @Test
    void anOddMajorPutsChromiumFirst() {
        var m = UserAgentMetadata.forProduct("Chrome/131.0.6778.85");
        assertEquals("Chromium", m.path("brands").get(0).path("brand").asText());
        assertEquals("131", m.path("brands").get(0).path("version").asText());
        // 131 % 11 = 10, 132 % 11 = 0; 131 % 3 = 2
        assertEquals("Not_A Brand", m.path("brands").get(1).path("brand").asText());
        assertEquals("24", m.path("brands").get(1).path("version").asText());
    }

    @Test
    void noVersionNoMetadata() {
        assertNull(UserAgentMetadata.forProduct("HeadlessChrome"));
        assertNull(UserAgentMetadata.forProduct(null));
    }
}
