package io.porthole.engine.bidi;

import io.porthole.core.browser.Identity;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The profile's {@code user.js}: everything through the sandbox's proxy (loopback included), no background
 * connection of its own (updates, telemetry, studies, captive portal, safe browsing, remote settings, push…),
 * no first-run pages, and an ordinary browser's face to pages. Firefox's own "recommended" automation prefs
 * are switched off: several of them are visible to pages (popup blocker off, focus test mode, permissions
 * granted for tests) and we set the quiet ones ourselves.
 */
final class Prefs {
    private Prefs() {}

    /**
     * What a graphics card of a common laptop looks like in Firefox on Linux (Mesa's Intel driver). Firefox sanitizes
     * the renderer as it does a real one ("Intel(R) HD Graphics 400, or similar"), so the masked and unmasked strings
     * agree with each other and with what such a machine shows; the pixels are still llvmpipe's.
     */
    static final String WEBGL_VENDOR = "Intel";
    static final String WEBGL_RENDERER = "Mesa Intel(R) UHD Graphics 620 (KBL GT2)";
    /** {@code ui.*PointerCapabilities}: fine (2) and hover (4), what a mouse gives (widget/LookAndFeel.h). */
    static final int FINE_POINTER_AND_HOVER = 6;

    /**
     * @param ownDisplay Firefox runs headful on an X server of its own (with Mesa's software GL); false: headless
     */
    static Map<String, Object> forSandbox(Optional<String> httpProxy, Identity identity, boolean ownDisplay,
                                          Map<String, Object> extra) {
        var p = new LinkedHashMap<String, Object>();
        // ---- network: the sandbox's proxy for everything, loopback too (the test pages and the user's local
        // servers are on the host, reached only through the proxy)
        httpProxy.map(URI::create).ifPresent(proxy -> {
            p.put("network.proxy.type", 1);
            p.put("network.proxy.http", proxy.getHost());
            p.put("network.proxy.http_port", proxy.getPort());
            p.put("network.proxy.ssl", proxy.getHost());
            p.put("network.proxy.ssl_port", proxy.getPort());
            p.put("network.proxy.no_proxies_on", "");
            p.put("network.proxy.allow_hijacking_localhost", true);
            p.put("network.proxy.socks_remote_dns", true);
        });
        p.put("network.trr.mode", 5); // no DNS over HTTPS: names are resolved by the proxy
        p.put("network.dns.disablePrefetch", true);
        p.put("network.prefetch-next", false);
        p.put("network.predictor.enabled", false);
        p.put("network.http.speculative-parallel-limit", 0);
        p.put("browser.urlbar.speculativeConnect.enabled", false);
        p.put("network.captive-portal-service.enabled", false);
        p.put("network.connectivity-service.enabled", false);
        p.put("network.manage-offline-status", false);
        p.put("captivedetect.canonicalURL", "");
        // ---- automation: our own prefs rather than Firefox's recommended set
        p.put("remote.prefs.recommended", false);
        p.put("permissions.isolateBy.userContext", true);
        p.put("browser.tabs.remote.unloadDelayMs", 0);
        p.put("browser.tabs.unloadOnLowMemory", false);
        p.put("dom.ipc.reportProcessHangs", false);
        // ---- memory: no content process started in advance for the next tab (about 10 MiB USS and 200 MiB RSS per
        // computer; docs/adr/0024-memory-per-computer.md); Fission's process per site is untouched
        p.put("dom.ipc.processPrelaunch.enabled", false);
        p.put("toolkit.startup.max_resumed_crashes", -1);
        p.put("browser.sessionstore.resume_from_crash", false);
        // ---- updates
        p.put("app.update.disabledForTesting", true);
        p.put("app.update.auto", false);
        p.put("app.update.checkInstallTime", false);
        p.put("extensions.update.enabled", false);
        p.put("extensions.update.autoUpdateDefault", false);
        p.put("extensions.systemAddon.update.enabled", false);
        p.put("extensions.getAddons.cache.enabled", false);
        p.put("extensions.blocklist.enabled", false);
        p.put("extensions.htmlaboutaddons.recommendations.enabled", false);
        p.put("extensions.pocket.enabled", false);
        p.put("browser.search.update", false);
        p.put("media.gmp-manager.updateEnabled", false);
        p.put("media.gmp-gmpopenh264.autoupdate", false);
        p.put("general.useragent.updates.enabled", false);
        // ---- telemetry and studies
        p.put("toolkit.telemetry.enabled", false);
        p.put("toolkit.telemetry.unified", false);
        p.put("toolkit.telemetry.archive.enabled", false);
        p.put("toolkit.telemetry.server", "");
        p.put("toolkit.telemetry.reportingpolicy.firstRun", false);
        p.put("toolkit.coverage.opt-out", true);
        p.put("datareporting.healthreport.uploadEnabled", false);
        p.put("datareporting.policy.dataSubmissionEnabled", false);
        p.put("datareporting.policy.dataSubmissionPolicyBypassNotification", true);
        p.put("datareporting.usage.uploadEnabled", false);
        p.put("app.normandy.enabled", false);
        p.put("app.normandy.api_url", "");
        p.put("app.shield.optoutstudies.enabled", false);
        p.put("messaging-system.rsexperimentloader.enabled", false);
        p.put("browser.newtabpage.activity-stream.feeds.telemetry", false);
        p.put("browser.newtabpage.activity-stream.telemetry", false);
        p.put("browser.ping-centre.telemetry", false);
        p.put("browser.discovery.enabled", false);
        // ---- safe browsing, remote settings, push, geolocation, sync
        p.put("browser.safebrowsing.malware.enabled", false);
        p.put("browser.safebrowsing.phishing.enabled", false);
        p.put("browser.safebrowsing.downloads.enabled", false);
        p.put("browser.safebrowsing.downloads.remote.enabled", false);
        p.put("browser.safebrowsing.blockedURIs.enabled", false);
        p.put("browser.safebrowsing.update.enabled", false);
        p.put("services.settings.server", "data:,#remote-settings-off/v1");
        p.put("security.remote_settings.crlite_filters.enabled", false);
        p.put("security.remote_settings.intermediates.enabled", false);
        p.put("security.OCSP.enabled", 0);
        p.put("dom.push.enabled", false);
        p.put("dom.push.connection.enabled", false);
        p.put("dom.push.serverURL", "");
        p.put("geo.provider.network.url", "");
        p.put("browser.region.network.url", "");
        p.put("browser.region.update.enabled", false);
        p.put("identity.fxaccounts.enabled", false);
        p.put("browser.topsites.contile.enabled", false);
        p.put("browser.urlbar.suggest.searches", false);
        p.put("browser.urlbar.merino.endpointURL", "");
        p.put("browser.translations.enable", false);
        p.put("browser.ml.enable", false);
        p.put("browser.backup.enabled", false);
        p.put("network.sntp.pools", "");
        // ---- no first-run pages, prompts or new-tab feeds
        p.put("browser.shell.checkDefaultBrowser", false);
        p.put("browser.startup.homepage_override.mstone", "ignore");
        p.put("browser.startup.homepage", "about:blank");
        p.put("browser.startup.page", 0);
        p.put("startup.homepage_welcome_url", "");
        p.put("startup.homepage_welcome_url.additional", "");
        p.put("browser.aboutwelcome.enabled", false);
        p.put("trailhead.firstrun.didSeeAboutWelcome", true);
        p.put("datareporting.policy.firstRunURL", "");
        p.put("termsofuse.bypassNotification", true);
        p.put("browser.rights.3.shown", true);
        p.put("browser.uitour.enabled", false);
        p.put("browser.newtabpage.enabled", false);
        p.put("browser.newtabpage.activity-stream.feeds.topsites", false);
        p.put("browser.newtabpage.activity-stream.feeds.section.topstories", false);
        p.put("browser.newtabpage.activity-stream.showSponsoredTopSites", false);
        p.put("browser.tabs.warnOnClose", false);
        p.put("browser.tabs.closeWindowWithLastTab", false); // a client closing the last tab must not quit Firefox
        p.put("browser.tabs.warnOnCloseOtherTabs", false);
        p.put("browser.warnOnQuit", false);
        p.put("browser.disableResetPrompt", true);
        p.put("browser.download.panel.shown", true);
        p.put("browser.pagethumbnails.capturing_disabled", true);
        p.put("signon.rememberSignons", false);
        p.put("extensions.formautofill.addresses.enabled", false);
        p.put("extensions.formautofill.creditCards.enabled", false);
        // ---- an ordinary browser's face: the identity's languages (navigator.languages and Accept-Language), its
        // locale for Intl (from LANG in the environment, as a desktop's regional settings), the PDF viewer on
        p.put("intl.accept_languages", String.join(", ", identity.languages()));
        p.put("intl.locale.requested", identity.locale());
        p.put("intl.regional_prefs.use_os_locales", true);
        if (ownDisplay) {
            p.put("webgl.override-unmasked-vendor", WEBGL_VENDOR);
            p.put("webgl.override-unmasked-renderer", WEBGL_RENDERER);
        } else {
            // a headless window has no pointing device; a headful one on X has the core pointer and says so itself
            p.put("ui.primaryPointerCapabilities", FINE_POINTER_AND_HOVER);
            p.put("ui.allPointerCapabilities", FINE_POINTER_AND_HOVER);
        }
        identity.geolocation().ifPresent(g -> {
            // Firefox's own network provider, answered from a data: URL rather than a location service; the site
            // is allowed to ask without a prompt that nobody would answer
            p.put("geo.provider.network.url", String.format(Locale.ROOT,
                    "data:application/json,{\"location\":{\"lat\":%.6f,\"lng\":%.6f},\"accuracy\":%.1f}",
                    g.latitude(), g.longitude(), g.accuracyMeters()));
            p.put("geo.provider.testing", true);
            p.put("geo.provider.use_geoclue", false);
            p.put("geo.provider.use_gpsd", false);
            p.put("permissions.default.geo", 1);
        });
        p.put("pdfjs.disabled", false);
        p.put("media.autoplay.default", 0);
        // a wheel scroll lands at once, so that the next action sees it (Chromium runs with smooth scrolling off too)
        p.put("general.smoothScroll", false);
        // input right after a page appears is otherwise dropped (a guard against tricking a human into a click)
        p.put("dom.input_events.security.minNumTicks", 0);
        p.put("dom.input_events.security.minTimeElapsedInMS", 0);
        p.putAll(extra);
        return p;
    }

    /** The prefs as {@code user.js} lines. */
    static String userJs(Map<String, Object> prefs) {
        var out = new StringBuilder("// written by Porthole for this computer\n");
        for (var e : prefs.entrySet()) {
            out.append("user_pref(").append(quote(e.getKey())).append(", ").append(literal(e.getValue())).append(");\n");
        }
        return out.toString();
    }

    private static String literal(Object value) {
        return value instanceof String s ? quote(s) : String.valueOf(value);
    }

    private static String quote(String s) {
        return BidiConnection.JSON.getNodeFactory().textNode(s).toString(); // a JSON string is a JS string literal
    }
}
