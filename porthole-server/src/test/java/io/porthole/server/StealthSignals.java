package io.porthole.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.porthole.core.browser.Identity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Turns what the stealth battery's pages found (stealth.html, stealth-metrics.html; see {@link StealthChecks}) into
 * one verdict per signal, each with the page's value and the other contexts', and writes them as a Markdown table.
 * The rules are the goal of issue 15, not today's behaviour: every context agrees with the page, the identity shows
 * everywhere, the natives are untouched, no public detector reports anything. The one accepted tell: Chromium's
 * software WebGL renderer (SwiftShader) on a machine without a GPU, reported but not failed. Not thread-safe.
 */
final class StealthSignals {
    /** The contexts stealth.html reads besides the page itself, in its order. */
    static final List<String> OTHER_CONTEXTS = List.of("iframe", "blank", "srcdoc", "worker", "sharedworker", "serviceworker");
    private static final Pattern SOFTWARE_RENDERER = Pattern.compile("(?i)swiftshader|llvmpipe|softpipe|software|mesa offscreen");
    private static final Pattern SWIFTSHADER = Pattern.compile("(?i)swiftshader");
    /**
     * Workers whose fetches may carry no Sec-CH-UA headers at all: a plain Chromium 156 (headful, no flags, checked by
     * hand on http://127.0.0.1) sends them from the page's fetch and from none of its workers' (dedicated, shared,
     * service). Where a worker sends them they must be the page's.
     */
    private static final List<String> WORKERS = List.of("worker", "sharedworker", "serviceworker");
    private static final Pattern EXTRA_FRAME = Pattern.compile("Proxy|Reflect\\.|Object\\.apply|\\bapply\\b");

    /** PASS and FAIL as they say; TELL: a known tell we accept (reported, not failed). */
    enum Verdict { PASS, FAIL, TELL }

    /** One signal: what it is, what the page showed, what the other contexts showed, and the verdict with why. */
    record Signal(String name, String page, String others, Verdict verdict, String why) {}

    private final String engine;
    private final Identity identity;
    private final JsonNode page;
    private final JsonNode crossSite;
    private final List<Signal> signals = new ArrayList<>();

    /**
     * @param page what stealth.html wrote
     * @param crossSite what stealth-metrics.html wrote after the cross-site navigation, or null when not run
     */
    StealthSignals(String engine, Identity identity, JsonNode page, JsonNode crossSite) {
        this.engine = engine;
        this.identity = identity;
        this.page = page;
        this.crossSite = crossSite;
    }

    private boolean chromium() {
        return engine.equals("chromium");
    }

    List<Signal> evaluate() {
        signals.clear();
        contexts();
        identity();
        metrics();
        pageChecks();
        webgl();
        if (chromium()) userAgentData();
        natives();
        if (page.has("botd")) botd();
        if (page.has("fpscanner")) fpscanner();
        if (page.has("headlessDetector")) headlessDetector();
        return List.copyOf(signals);
    }

    private void add(String name, Object pageValue, String others, boolean ok, String why) {
        signals.add(new Signal(name, show(pageValue), others, ok ? Verdict.PASS : Verdict.FAIL, ok ? "" : why));
    }

    private void tell(String name, Object pageValue, String others, String why) {
        signals.add(new Signal(name, show(pageValue), others, Verdict.TELL, why));
    }

    private static String show(Object v) {
        if (v == null) return "(none)";
        if (v instanceof JsonNode n) return n.isMissingNode() ? "(none)" : n.isTextual() ? n.asText() : n.toString();
        return String.valueOf(v);
    }

    private JsonNode ctx(String name) {
        return page.path("contexts").path(name);
    }

    private List<String> ranContexts() {
        return OTHER_CONTEXTS.stream().filter(c -> ctx(c).isObject() && !ctx(c).has("error")).toList();
    }

    // ---- every context agrees with the page ----

    private void contexts() {
        for (var c : OTHER_CONTEXTS) {
            var found = ctx(c);
            add("context runs: " + c, found.isObject() ? "ran" : "(none)", show(found.path("error")),
                    found.isObject() && !found.has("error"), c + " did not answer: " + show(found.path("error")));
        }
        var fields = new LinkedHashMap<String, Function<JsonNode, JsonNode>>();
        fields.put("navigator.userAgent", n -> n.path("userAgent"));
        fields.put("navigator.appVersion", n -> n.path("appVersion"));
        fields.put("navigator.platform", n -> n.path("platform"));
        fields.put("navigator.language", n -> n.path("language"));
        fields.put("navigator.languages", n -> n.path("languages"));
        fields.put("navigator.hardwareConcurrency", n -> n.path("hardwareConcurrency"));
        if (chromium()) {
            fields.put("navigator.deviceMemory", n -> n.path("deviceMemory"));
            fields.put("userAgentData.brands", n -> n.path("brands"));
            fields.put("userAgentData.mobile", n -> n.path("mobile"));
            fields.put("userAgentData.platform", n -> n.path("uaPlatform"));
            for (var h : List.of("architecture", "bitness", "fullVersionList", "platformVersion", "model", "formFactors", "wow64")) {
                fields.put("userAgentData high-entropy " + h, n -> n.path("highEntropy").path(h));
            }
        }
        fields.put("Intl timeZone", n -> n.path("timeZone"));
        fields.put("Intl locale", n -> n.path("locale"));
        fields.put("Date offset in January", n -> n.path("offsetJanuary"));
        fields.put("Date offset in July", n -> n.path("offsetJuly"));
        fields.put("navigator.onLine", n -> n.path("onLine"));
        fields.put("header User-Agent", n -> n.path("headers").path("user-agent"));
        fields.put("header Accept-Language", n -> n.path("headers").path("accept-language"));
        if (chromium()) {
            fields.put("header Sec-CH-UA", n -> n.path("headers").path("sec-ch-ua"));
            fields.put("header Sec-CH-UA-Mobile", n -> n.path("headers").path("sec-ch-ua-mobile"));
            fields.put("header Sec-CH-UA-Platform", n -> n.path("headers").path("sec-ch-ua-platform"));
        }
        var pageCtx = ctx("page");
        fields.forEach((name, get) -> {
            var expected = get.apply(pageCtx);
            var differing = new ArrayList<String>();
            var agreeing = new ArrayList<String>();
            for (var c : ranContexts()) {
                var v = get.apply(ctx(c));
                if (Objects.equals(v, expected)) agreeing.add(c);
                else if (v.isMissingNode() && name.startsWith("header Sec-CH-UA") && WORKERS.contains(c)) agreeing.add(c + " (none, as a plain Chromium sends)");
                else differing.add(c + "=" + show(v));
            }
            var others = String.join("; ", differing) + (agreeing.isEmpty() ? "" : (differing.isEmpty() ? "" : "; ") + "same in " + String.join(", ", agreeing));
            add("contexts agree: " + name, expected, others, differing.isEmpty() && !expected.isMissingNode(),
                    expected.isMissingNode() ? "the page has none" : "differs from the page in " + differing);
        });

        var all = new ArrayList<String>(List.of("page"));
        all.addAll(ranContexts());
        var webdriverTrue = all.stream().filter(c -> ctx(c).path("webdriver").asBoolean(false)).toList();
        add("navigator.webdriver is not true in any context", pageCtx.path("webdriver"), "true in " + webdriverTrue,
                webdriverTrue.isEmpty(), "true in " + webdriverTrue);

        perContext(all, "header User-Agent is navigator.userAgent in each context",
                n -> n.path("headers").path("user-agent").asText().equals(n.path("userAgent").asText()),
                n -> n.path("headers").path("user-agent"));
        perContext(all, "header Accept-Language lists navigator.languages in each context",
                n -> headerLanguages(n.path("headers").path("accept-language").asText()).equals(texts(n.path("languages"))),
                n -> n.path("headers").path("accept-language"));
        if (chromium()) {
            perContext(all, "header Sec-CH-UA names userAgentData.brands in each context that sends it",
                    n -> (n.path("headers").path("sec-ch-ua").isMissingNode() && WORKERS.contains(n.path("ctx").asText()))
                            || headerBrands(n.path("headers").path("sec-ch-ua").asText()).equals(texts(n.path("brands"))),
                    n -> n.path("headers").path("sec-ch-ua"));
        }
    }

    private void perContext(List<String> contexts, String name, java.util.function.Predicate<JsonNode> holds,
                            Function<JsonNode, JsonNode> shown) {
        var failing = new ArrayList<String>();
        for (var c : contexts) if (!holds.test(ctx(c))) failing.add(c + "=" + show(shown.apply(ctx(c))));
        add(name, shown.apply(ctx("page")), failing.isEmpty() ? "all hold" : String.join("; ", failing), failing.isEmpty(),
                "does not hold in " + failing);
    }

    static List<String> headerLanguages(String header) {
        if (header.isBlank()) return List.of();
        return Arrays.stream(header.split(",")).map(s -> s.split(";")[0].strip()).toList();
    }

    /** {@code "Chromium";v="148", "Not/A)Brand";v="99"} as {@code [Chromium/148, Not/A)Brand/99]}. */
    static List<String> headerBrands(String header) {
        var out = new ArrayList<String>();
        var m = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\";v=\"([^\"]*)\"").matcher(header);
        while (m.find()) out.add(m.group(1) + "/" + m.group(2));
        return out;
    }

    private static List<String> texts(JsonNode array) {
        var out = new ArrayList<String>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    // ---- the identity: timezone, locale, languages, screen ----

    private void identity() {
        var p = ctx("page");
        var zone = p.path("timeZone").asText();
        add("timezone is the identity's (" + identity.timezone() + ")", zone, "", zone.equals(identity.timezone()),
                "expected " + identity.timezone());
        add("timezone is not UTC", zone, "", !zone.matches("(?i)UTC|GMT|Etc/.*|Universal|Zulu"), "a desktop is rarely set to UTC");
        var region = Locale.forLanguageTag(p.path("locale").asText()).getCountry();
        var plausible = plausibleZones(region);
        add("timezone fits the locale's region (" + region + ")", zone, "plausible: " + plausible,
                plausible.isEmpty() || plausible.stream().anyMatch(zone::startsWith), zone + " is not a zone of " + region);
        String offsets;
        boolean offsetsOk;
        try {
            var z = ZoneId.of(zone);
            int jan = -z.getRules().getOffset(LocalDateTime.of(2026, 1, 1, 0, 0)).getTotalSeconds() / 60;
            int jul = -z.getRules().getOffset(LocalDateTime.of(2026, 7, 1, 0, 0)).getTotalSeconds() / 60;
            offsets = "expected " + jan + "/" + jul;
            offsetsOk = p.path("offsetJanuary").asInt(Integer.MIN_VALUE) == jan && p.path("offsetJuly").asInt(Integer.MIN_VALUE) == jul;
        } catch (RuntimeException e) {
            offsets = "unknown zone";
            offsetsOk = false;
        }
        add("Date offsets (January/July) are the timezone's", p.path("offsetJanuary").asText() + "/" + p.path("offsetJuly").asText(),
                offsets, offsetsOk, offsets);
        add("Intl locale is the identity's (" + identity.locale() + ")", p.path("locale"), "",
                p.path("locale").asText().equals(identity.locale()), "expected " + identity.locale());
        add("navigator.language is the identity's (" + identity.languages().getFirst() + ")", p.path("language"), "",
                p.path("language").asText().equals(identity.languages().getFirst()), "expected " + identity.languages().getFirst());
        add("navigator.languages are the identity's " + identity.languages(), p.path("languages"), "",
                texts(p.path("languages")).equals(identity.languages()), "expected " + identity.languages());
        var accept = p.path("headers").path("accept-language").asText();
        add("header Accept-Language names the identity's languages", accept, "Identity says " + identity.acceptLanguage(),
                headerLanguages(accept).equals(identity.languages()), "expected the languages " + identity.languages());
        add("navigator.onLine is true", p.path("onLine"), "", p.path("onLine").asBoolean(false), "the browser says it is offline");
        var screen = page.path("load").path("screen");
        add("screen is the identity's (" + identity.screenWidth() + "x" + identity.screenHeight() + ")",
                screen.path("width").asInt() + "x" + screen.path("height").asInt(), "",
                screen.path("width").asInt() == identity.screenWidth() && screen.path("height").asInt() == identity.screenHeight(),
                "expected " + identity.screenWidth() + "x" + identity.screenHeight());
    }

    /** Zone prefixes a locale's region plausibly lives in: a small table for the regions the tests use. */
    private static List<String> plausibleZones(String region) {
        return switch (region) {
            case "US" -> List.of("America/", "Pacific/Honolulu");
            case "CA", "MX", "BR", "AR" -> List.of("America/");
            case "GB", "IE", "DE", "FR", "ES", "IT", "NL", "AT", "CH", "PL", "SE", "NO", "DK", "FI", "PT", "BE" ->
                    List.of("Europe/", "Atlantic/Canary", "Atlantic/Madeira");
            case "JP" -> List.of("Asia/Tokyo");
            case "AU" -> List.of("Australia/");
            default -> List.of();
        };
    }

    // ---- window and screen metrics ----

    private void metrics() {
        metric("window metrics at document start", page.path("early"), true);
        metric("window metrics after load", page.path("load"), false);
        if (crossSite != null) {
            metric("window metrics at document start after a cross-site navigation", crossSite.path("early"), true);
            metric("window metrics after load after a cross-site navigation", crossSite.path("load"), false);
        }
        var load = page.path("load");
        add("viewport is 1280x720", load.path("innerWidth").asInt() + "x" + load.path("innerHeight").asInt(), "",
                load.path("innerWidth").asInt() == 1280 && load.path("innerHeight").asInt() == 720, "the computer's viewport is 1280x720");
        add("screen.colorDepth is at least 24", load.path("screen").path("colorDepth"), "",
                load.path("screen").path("colorDepth").asInt() >= 24, "a desktop screen has 24 bits or more");
    }

    /**
     * @param atStart measured by a script at the top of the document: on Chromium the window may not be placed yet
     *     there. A document that starts in a new renderer runs before the browser has told that renderer where its
     *     window is, so outerWidth, outerHeight, screenX and screenY read 0: a desktop Chromium 156 headful on X11,
     *     with no automation at all, did so in 43 of 201 cross-site navigations (ADR 0035). So 0x0 there is what a
     *     real Chromium shows, not a tell; a patched getter hiding it would be.
     */
    private void metric(String name, JsonNode m, boolean atStart) {
        int iw = m.path("innerWidth").asInt(), ih = m.path("innerHeight").asInt();
        int ow = m.path("outerWidth").asInt(), oh = m.path("outerHeight").asInt();
        if (atStart && chromium() && m.isObject() && ow == 0 && oh == 0 && iw > 0 && ih > 0) {
            add(name, "inner " + iw + "x" + ih + ", outer 0x0 (the window not placed yet in a new renderer)", "", true, "");
            return;
        }
        var s = m.path("screen");
        int sw = s.path("width").asInt(), sh = s.path("height").asInt();
        int aw = s.path("availWidth").asInt(), ah = s.path("availHeight").asInt();
        var wrong = new ArrayList<String>();
        if (iw <= 0 || ih <= 0) wrong.add("no viewport");
        if (ow < iw) wrong.add("outerWidth < innerWidth");
        if (oh <= ih) wrong.add("outerHeight <= innerHeight (no browser chrome)");
        if (sw < ow || sh < oh) wrong.add("the screen is smaller than the window");
        if (aw > sw || ah > sh || aw <= 0) wrong.add("the available screen is not within the screen");
        if (ah == sh && sw == iw && sh == ih) wrong.add("screen equals viewport");
        var shown = "inner " + iw + "x" + ih + ", outer " + ow + "x" + oh + ", screen " + sw + "x" + sh + ", avail " + aw + "x" + ah;
        add(name, shown, "", m.isObject() && wrong.isEmpty(), m.isObject() ? String.join("; ", wrong) : "not measured");
    }

    // ---- what the page itself shows ----

    private void pageChecks() {
        var c = page.path("checks");
        var media = c.path("media");
        add("matchMedia (pointer: fine)", media.path("pointerFine"), "", media.path("pointerFine").asBoolean(), "no fine pointer");
        add("matchMedia (hover: hover)", media.path("hover"), "", media.path("hover").asBoolean(), "no hover");
        add("matchMedia (any-pointer: fine)", media.path("anyPointerFine"), "", media.path("anyPointerFine").asBoolean(), "no fine pointer");
        add("matchMedia (any-hover: hover)", media.path("anyHover"), "", media.path("anyHover").asBoolean(), "no hover");
        add("document.hasFocus()", c.path("hasFocus"), "", c.path("hasFocus").asBoolean(), "the page has no focus");
        add("document.visibilityState is visible", c.path("visibilityState"), "", "visible".equals(c.path("visibilityState").asText()),
                "the page is not visible");
        var ua = ctx("page").path("userAgent").asText();
        add("the User-Agent names the engine and not Headless", ua, ctx("page").path("appVersion").asText(),
                ua.contains(chromium() ? "Chrome/" : "Firefox/") && !ua.toLowerCase(Locale.ROOT).contains("headless")
                        && !ctx("page").path("appVersion").asText().toLowerCase(Locale.ROOT).contains("headless"),
                "a desktop browser's UA names it and does not say Headless");
        add("navigator.plugins is not empty", c.path("plugins"), "", c.path("plugins").asInt() > 0, "no plugins");
        add("navigator.mimeTypes is not empty", c.path("mimeTypes"), "", c.path("mimeTypes").asInt() > 0, "no MIME types");
        // headless Chrome used to answer Notification.permission "denied" while permissions.query says "prompt"
        add("Notification.permission agrees with permissions.query", c.path("notification"), show(c.path("notificationQuery")),
                !("denied".equals(c.path("notification").asText()) && "prompt".equals(c.path("notificationQuery").asText())),
                "denied by Notification, prompt by permissions.query");
        add("H.264 canPlayType('video/mp4; codecs=\"avc1.42E01E\"')", c.path("h264"), "", !c.path("h264").asText().isEmpty(),
                "the browser cannot play H.264");
        add("H.264 mediaCapabilities.decodingInfo supported (720p30)", c.path("h264Decoding"), "",
                c.path("h264Decoding").path("supported").asBoolean(), "the browser says it cannot decode H.264");
        var emoji = c.path("emoji");
        add("a colour emoji renders", emoji, "", emoji.path("coloured").asInt() > 0,
                emoji.path("inked").asInt() == 0 ? "nothing drawn" : "the emoji is drawn in greyscale (no colour emoji font)");
    }

    private void webgl() {
        var w = page.path("checks").path("webgl");
        for (var kind : List.of("webgl", "webgl2")) {
            add("WebGL: a " + kind + " context", w.path(kind), "", w.path(kind).isObject() && !w.path(kind).has("error"),
                    "no " + kind + " context");
        }
        var gl = w.path("webgl");
        var renderer = gl.path("unmaskedRenderer").asText(gl.path("renderer").asText());
        var vendor = gl.path("unmaskedVendor").asText(gl.path("vendor").asText());
        var name = "WebGL: unmasked vendor/renderer reported and not a software renderer";
        var shown = vendor + " / " + renderer;
        if (chromium() && SWIFTSHADER.matcher(renderer).find()) {
            tell(name, shown, "", "Chromium without a GPU renders WebGL in software (SwiftShader): accepted, reported");
        } else {
            add(name, shown, "", !gl.path("unmaskedRenderer").asText().isEmpty() && !SOFTWARE_RENDERER.matcher(renderer).find(),
                    renderer.isEmpty() ? "no unmasked renderer" : "a software renderer");
        }
        var worker = ctx("worker").path("webgl").path("webgl");
        add("WebGL: a dedicated worker's renderer is the page's", shown,
                "worker=" + worker.path("unmaskedVendor").asText() + " / " + worker.path("unmaskedRenderer").asText(),
                Objects.equals(worker.path("unmaskedRenderer"), gl.path("unmaskedRenderer"))
                        && Objects.equals(worker.path("unmaskedVendor"), gl.path("unmaskedVendor")),
                "the worker's OffscreenCanvas shows another GPU");
    }

    private void userAgentData() {
        var p = ctx("page");
        var brands = p.path("brands");
        var lower = brands.toString().toLowerCase(Locale.ROOT);
        add("userAgentData.brands name Chromium/Chrome, not Headless", brands, "",
                brands.isArray() && !brands.isEmpty() && lower.contains("chrom") && !lower.contains("headless"), "not a desktop Chrome's brands");
        var major = p.path("userAgent").asText().replaceAll(".*Chrome/(\\d+).*", "$1");
        add("userAgentData.brands carry the UA's major version (" + major + ")", brands, "",
                brands.toString().contains("/" + major + "\""), "no brand of version " + major);
        add("userAgentData.platform is Linux", p.path("uaPlatform"), "", "Linux".equals(p.path("uaPlatform").asText()),
                "expected Linux, as navigator.platform says");
        var high = p.path("highEntropy");
        add("userAgentData high-entropy values are filled in", high, "",
                !high.path("architecture").asText().isEmpty() && !high.path("bitness").asText().isEmpty()
                        && high.path("fullVersionList").size() == brands.size(),
                "architecture, bitness or fullVersionList missing");
        var formFactors = high.path("formFactors");
        add("userAgentData formFactors is [Desktop]", formFactors, "", texts(formFactors).equals(List.of("Desktop")),
                "a desktop browser says [\"Desktop\"]");
        add("navigator.deviceMemory is set", p.path("deviceMemory"), "", p.path("deviceMemory").asDouble() > 0, "no deviceMemory");
    }

    // ---- natives: what a stealth patch might touch ----

    private void natives() {
        natives("native: ", page.path("natives"));
        natives("native at document start: ", page.path("earlyNatives"));
        if (crossSite != null) natives("native at document start after a cross-site navigation: ", crossSite.path("earlyNatives"));
    }

    private void natives(String prefix, JsonNode found) {
        if (!found.isObject() || found.has("error")) {
            add(prefix + "checked", found, "", false, found.isObject() ? "the check failed: " + show(found.path("error")) : "not checked");
            return;
        }
        found.properties().forEach(e -> {
            var n = e.getValue();
            if (!n.path("present").asBoolean()) return; // not in this engine
            var key = e.getKey();
            var name = key.substring(key.lastIndexOf('.') + 1);
            var str = n.path("toString").asText();
            var wrong = new ArrayList<String>();
            if (!str.matches("function (get )?" + Pattern.quote(name) + "\\(\\) \\{\\s*\\[native code\\]\\s*\\}")) {
                wrong.add("toString is not a native function's named " + name);
            }
            if (!str.equals(n.path("freshToStringOfThis").asText())) wrong.add("a fresh realm's toString prints it differently");
            if (!n.path("freshToStringOfFresh").isNull() && !str.equals(n.path("freshToStringOfFresh").asText())) {
                wrong.add("the fresh realm's own function prints differently");
            }
            if (!n.path("shapeMatchesFresh").asBoolean()) wrong.add("its descriptor, name, length or prototype differ from a fresh realm's");
            var wr = n.path("wrongReceiver");
            var fresh = n.path("freshWrongReceiver");
            if (!wr.path("threw").asBoolean() || !"TypeError".equals(wr.path("type").asText())) {
                wrong.add("on a wrong receiver it does not throw a TypeError (" + show(wr) + ")");
            } else {
                if (fresh.isObject() && !wr.path("message").equals(fresh.path("message"))) {
                    wrong.add("its TypeError says " + wr.path("message") + ", a fresh realm's " + fresh.path("message"));
                }
                // V8 lists its JavaScript builtins as frames, not Blink's getters: compare with the same function's
                // untouched twin in the fresh realm, and only without one with an untouched Blink getter
                int frames = wr.path("frames").size();
                int expected = fresh.isObject() ? fresh.path("frames").size() : n.path("baselineFrames").asInt();
                if (frames > expected) {
                    wrong.add("its TypeError has " + frames + " stack frames, an untouched native's " + expected);
                }
                if (EXTRA_FRAME.matcher(wr.path("stack").asText()).find()) wrong.add("its stack shows a wrapper: " + wr.path("stack").asText());
            }
            add(prefix + key, str, "fresh realm: " + show(n.path("freshToStringOfFresh")), wrong.isEmpty(), String.join("; ", wrong));
        });
    }

    // ---- public detectors ----

    private void botd() {
        var b = page.path("botd");
        if (b.has("error")) {
            add("botd runs", b.path("error"), "", false, "botd failed: " + b.path("error").asText());
            return;
        }
        add("botd: verdict", b.path("result"), "", !b.path("result").path("bot").asBoolean(true), "botd says bot");
        b.path("detections").properties().forEach(e -> {
            var d = e.getValue();
            add("botd: " + e.getKey(), d, "", !d.path("bot").asBoolean(), "botd flags " + d.path("botKind").asText());
        });
    }

    private boolean swiftShader() {
        return chromium() && SWIFTSHADER.matcher(page.path("checks").path("webgl").path("webgl").path("unmaskedRenderer").asText()).find();
    }

    private void fpscanner() {
        var f = page.path("fpscanner");
        if (f.has("error")) {
            add("fpscanner runs", f.path("error"), "", false, "fpscanner failed: " + f.path("error").asText());
            return;
        }
        f.path("details").properties().forEach(e -> {
            var d = e.getValue();
            var name = "fpscanner: " + e.getKey();
            boolean detected = d.path("detected").asBoolean();
            if (detected && e.getKey().equals("hasSwiftshaderRenderer") && swiftShader()) {
                tell(name, d, "", "Chromium without a GPU renders WebGL in software (SwiftShader): accepted, reported");
            } else {
                add(name, d, "", !detected, "fpscanner flags " + e.getKey() + " (severity " + d.path("severity").asText() + ")");
            }
        });
    }

    private void headlessDetector() {
        var h = page.path("headlessDetector");
        if (h.has("error")) {
            add("headless-detector runs", h.path("error"), "", false, "headless-detector failed: " + h.path("error").asText());
            return;
        }
        var flagged = new LinkedHashMap<String, JsonNode>();
        h.path("detections").forEach(d -> flagged.put(d.path("checkId").asText(), d));
        h.path("warnings").forEach(d -> flagged.put(d.path("checkId").asText(), d));
        var checks = new LinkedHashMap<String, String>();
        h.path("checks").properties().forEach(e -> checks.put(e.getKey(), e.getValue().asText()));
        flagged.keySet().forEach(k -> checks.putIfAbsent(k, k));
        checks.forEach((id, label) -> {
            var d = flagged.get(id);
            var name = "headless-detector: " + id + " (" + label + ")";
            if (d != null && id.equals("webgl-software") && swiftShader()) {
                tell(name, d, "", "Chromium without a GPU renders WebGL in software (SwiftShader): accepted, reported");
            } else if (d != null && id.equals("adv-runtime") && chromium()) {
                tell(name, d, "", "flags every desktop Chrome on a web page (chrome.runtime is for extensions; the detector's own "
                        + "message says \"normal for regular web pages\" and it adds nothing to the score): reported, not failed");
            } else if (d != null && id.equals("media-battery") && !chromium()) {
                tell(name, d, "", "flags every desktop Firefox (Firefox has had no Battery API since version 52): reported, not failed");
            } else {
                add(name, d == null ? "not flagged" : d, "", d == null, d == null ? "" : show(d.path("severity")) + ": " + show(d.path("message")));
            }
        });
        var tells = swiftShader() && flagged.containsKey("webgl-software") ? " (SwiftShader's share of it accepted)" : "";
        add("headless-detector: classification", h.path("classification").asText() + ", score " + h.path("score").asText(), "",
                "Normal Browser".equals(h.path("classification").asText()), "it is not \"Normal Browser\"" + tells);
    }

    // ---- the report ----

    /** The signals as a Markdown table, with a title and a count of each verdict. */
    static String markdown(String title, List<Signal> signals) {
        var counts = new LinkedHashMap<Verdict, Integer>();
        for (var v : Verdict.values()) counts.put(v, 0);
        signals.forEach(s -> counts.merge(s.verdict(), 1, Integer::sum));
        var sb = new StringBuilder("# ").append(title).append("\n\n");
        counts.forEach((v, n) -> sb.append(v).append(": ").append(n).append("  \n"));
        sb.append("\n| signal | page | other contexts | verdict |\n|---|---|---|---|\n");
        for (var s : signals) {
            var verdict = s.verdict() + (s.why().isEmpty() ? "" : ": " + s.why());
            sb.append("| ").append(cell(s.name())).append(" | ").append(cell(s.page())).append(" | ").append(cell(s.others()))
                    .append(" | ").append(cell(verdict)).append(" |\n");
        }
        return sb.toString();
    }

    private static String cell(String s) {
        var one = s.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("\r", " ");
        return one.length() > 400 ? one.substring(0, 400) + "…" : one;
    }

    static void write(Path file, String markdown) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, markdown);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** For a failure message: the signal and all it showed. */
    static String describe(Signal s) {
        return s.name() + ": " + s.why() + "\n  page: " + s.page() + (s.others().isEmpty() ? "" : "\n  others: " + s.others());
    }
}
