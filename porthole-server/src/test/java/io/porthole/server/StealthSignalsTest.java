package io.porthole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.porthole.core.browser.Identity;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The stealth battery's judge on hand-written findings: no browser, just the rules. */
class StealthSignalsTest {
    private static final String UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";

    private static JsonNode json(String s) {
        try {
            return TestServer.JSON.readTree(s.replace('\'', '"'));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String context(String ctx, String timeZone) {
        return "{'ctx':'" + ctx + "','userAgent':'" + UA + "','languages':['en-US','en'],'language':'en-US','timeZone':'"
                + timeZone + "','locale':'en-US','offsetJanuary':300,'offsetJuly':240,'onLine':true,"
                + "'headers':{'user-agent':'" + UA + "','accept-language':'en-US,en;q=0.9'}}";
    }

    private static StealthSignals.Signal signal(List<StealthSignals.Signal> signals, String name) {
        return signals.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow(() -> new AssertionError("no signal " + name));
    }

    @Test
    void aWorkerInAnotherTimezoneFailsTheAgreementAndIsNamed() {
        var page = json("{'contexts':{'page':" + context("page", "America/New_York") + ",'worker':" + context("worker", "UTC")
                + ",'iframe':" + context("iframe", "America/New_York") + "},'load':{'screen':{'width':1440,'height':900}}}");
        var signals = new StealthSignals("firefox", Identity.defaults(1280, 720), page, null).evaluate();
        var tz = signal(signals, "contexts agree: Intl timeZone");
        assertEquals(StealthSignals.Verdict.FAIL, tz.verdict(), tz.toString());
        assertTrue(tz.others().contains("worker=UTC") && tz.others().contains("same in iframe"), tz.others());
        assertEquals(StealthSignals.Verdict.PASS, signal(signals, "contexts agree: navigator.userAgent").verdict());
        assertEquals(StealthSignals.Verdict.PASS, signal(signals, "timezone is the identity's (America/New_York)").verdict());
        assertEquals(StealthSignals.Verdict.FAIL, signal(signals, "context runs: serviceworker").verdict(), "it never answered");
    }

    @Test
    void aProxiedGetterFailsAndAnUntouchedOnePasses() {
        var natives = "{'window.outerWidth':{'present':true,'getter':true,'toString':'function () { [native code] }',"
                + "'freshToStringOfThis':'function () { [native code] }','freshToStringOfFresh':'function get outerWidth() { [native code] }',"
                + "'shapeMatchesFresh':true,'wrongReceiver':{'threw':true,'type':'TypeError','message':'Illegal invocation',"
                + "'frames':['a','b','c','d'],'stack':'TypeError: Illegal invocation\\n    at Object.apply (<anonymous>:6:67)'},"
                + "'freshWrongReceiver':{'threw':true,'type':'TypeError','message':'Illegal invocation','frames':['b','c','d']},'baselineFrames':3},"
                + "'navigator.userAgent':{'present':true,'getter':true,'toString':'function get userAgent() { [native code] }',"
                + "'freshToStringOfThis':'function get userAgent() { [native code] }','freshToStringOfFresh':'function get userAgent() { [native code] }',"
                + "'shapeMatchesFresh':true,'wrongReceiver':{'threw':true,'type':'TypeError','message':'Illegal invocation','frames':['b','c','d'],"
                + "'stack':'TypeError: Illegal invocation\\n    at throwOnWrongReceiver (http://127.0.0.1/stealth.html:1:1)'},"
                + "'freshWrongReceiver':{'threw':true,'type':'TypeError','message':'Illegal invocation','frames':['b','c','d']},'baselineFrames':3},"
                + "'navigator.deviceMemory':{'present':false}}";
        var page = json("{'contexts':{'page':" + context("page", "America/New_York") + "},'natives':" + natives + ",'earlyNatives':" + natives + "}");
        var signals = new StealthSignals("chromium", Identity.defaults(1280, 720), page, null).evaluate();
        var outer = signal(signals, "native: window.outerWidth");
        assertEquals(StealthSignals.Verdict.FAIL, outer.verdict());
        assertTrue(outer.why().contains("toString") && outer.why().contains("frames") && outer.why().contains("wrapper"), outer.why());
        assertEquals(StealthSignals.Verdict.PASS, signal(signals, "native: navigator.userAgent").verdict());
        assertTrue(signals.stream().noneMatch(s -> s.name().equals("native: navigator.deviceMemory")), "absent natives are not signals");
        assertEquals(StealthSignals.Verdict.FAIL, signal(signals, "native at document start: window.outerWidth").verdict());
    }

    @Test
    void swiftShaderIsATellOnChromiumOnly() {
        var webgl = "{'webgl':{'unmaskedVendor':'Google Inc. (Google)','unmaskedRenderer':'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)), SwiftShader driver)'}}";
        var page = json("{'contexts':{'page':" + context("page", "America/New_York") + "},'checks':{'webgl':" + webgl + "}}");
        var name = "WebGL: unmasked vendor/renderer reported and not a software renderer";
        assertEquals(StealthSignals.Verdict.TELL, signal(new StealthSignals("chromium", Identity.defaults(1280, 720), page, null).evaluate(), name).verdict());
        assertEquals(StealthSignals.Verdict.FAIL, signal(new StealthSignals("firefox", Identity.defaults(1280, 720), page, null).evaluate(), name).verdict());
    }

    @Test
    void workersMaySendNoClientHintsButFramesMust() {
        var hints = ",'sec-ch-ua':'\\'Chromium\\';v=\\'156\\'','sec-ch-ua-mobile':'?0','sec-ch-ua-platform':'\\'Linux\\''";
        var withHints = context("page", "America/New_York").replace("'accept-language':'en-US,en;q=0.9'", "'accept-language':'en-US,en;q=0.9'" + hints);
        var page = json("{'contexts':{'page':" + withHints + ",'worker':" + context("worker", "America/New_York")
                + ",'iframe':" + withHints.replace("'ctx':'page'", "'ctx':'iframe'") + "}}");
        var signals = new StealthSignals("chromium", Identity.defaults(1280, 720), page, null).evaluate();
        assertEquals(StealthSignals.Verdict.PASS, signal(signals, "contexts agree: header Sec-CH-UA").verdict(), "as a plain Chromium: none from workers");
        var framesWithout = json("{'contexts':{'page':" + withHints + ",'iframe':" + context("iframe", "America/New_York") + "}}");
        signals = new StealthSignals("chromium", Identity.defaults(1280, 720), framesWithout, null).evaluate();
        assertEquals(StealthSignals.Verdict.FAIL, signal(signals, "contexts agree: header Sec-CH-UA").verdict(), "an iframe must send them");
    }

    @Test
    void headersAreParsedAsTheBrowserSendsThem() {
        assertEquals(List.of("Not:A-Brand/8", "Chromium/156"), StealthSignals.headerBrands("\"Not:A-Brand\";v=\"8\", \"Chromium\";v=\"156\""));
        assertEquals(List.of("de-DE", "de", "en"), StealthSignals.headerLanguages("de-DE,de;q=0.9,en;q=0.8"));
        assertEquals(List.of("en-US", "en"), StealthSignals.headerLanguages("en-US, en;q=0.5"));
        assertEquals(List.of(), StealthSignals.headerLanguages(""));
    }
}
