package io.porthole.engine.cdp;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.regex.Pattern;

/**
 * The {@code userAgentMetadata} of {@code Emulation.setUserAgentOverride}: what {@code navigator.userAgentData}
 * and the {@code Sec-CH-UA*} headers say. Overriding the user agent without it leaves the brands empty and the
 * high-entropy values blank, which no desktop browser does; so Porthole states what a headful Chromium of the
 * same version on Linux x86-64 reports, GREASE brand and form factor included (derived from the major version, as Chromium does).
 */
final class UserAgentMetadata {
    private static final Pattern VERSION = Pattern.compile("(\\d+)\\.\\d+\\.\\d+\\.\\d+");
    private static final String[] GREASE_CHARS = {" ", "(", ":", "-", ".", "/", ")", ";", "=", "?", "_"};
    private static final String[] GREASE_VERSIONS = {"8", "99", "24"};

    private UserAgentMetadata() {}

    /**
     * @param product what {@code Browser.getVersion} answers as {@code product}, e.g. {@code HeadlessChrome/156.0.8078.79}
     * @return the metadata, or null if the product has no version in it
     */
    static ObjectNode forProduct(String product) {
        var m = VERSION.matcher(product == null ? "" : product);
        if (!m.find()) return null;
        var full = m.group();
        int major = Integer.parseInt(m.group(1));
        var greaseBrand = "Not" + GREASE_CHARS[major % GREASE_CHARS.length] + "A" + GREASE_CHARS[(major + 1) % GREASE_CHARS.length]
                + "Brand";
        var greaseVersion = GREASE_VERSIONS[major % GREASE_VERSIONS.length];
        var f = JsonNodeFactory.instance;
        ArrayNode brands = f.arrayNode();
        ArrayNode fullVersions = f.arrayNode();
        // two brands, the GREASE one first on an even major and second on an odd one
        boolean greaseFirst = major % 2 == 0;
        for (int i = 0; i < 2; i++) {
            boolean grease = (i == 0) == greaseFirst;
            brands.addObject().put("brand", grease ? greaseBrand : "Chromium").put("version", grease ? greaseVersion : String.valueOf(major));
            fullVersions.addObject().put("brand", grease ? greaseBrand : "Chromium").put("version", grease ? greaseVersion + ".0.0.0" : full);
        }
        var meta = f.objectNode();
        meta.set("brands", brands);
        meta.set("fullVersionList", fullVersions);
        // what a desktop browser says it is; left out, every context reads formFactors []
        meta.putArray("formFactors").add("Desktop");
        meta.put("fullVersion", full).put("platform", "Linux").put("platformVersion", "").put("architecture", "x86")
                .put("model", "").put("mobile", false).put("bitness", "64").put("wow64", false);
        return meta;
    }
}
