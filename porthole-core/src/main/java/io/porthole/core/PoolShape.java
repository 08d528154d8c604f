package io.porthole.core;

import io.porthole.core.browser.Identity;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a warm pool's computers are started as: what cannot be changed in a running computer. A create whose
 * request has this shape can be served by one of them; everything else it asks for (tenant, lifetimes, proxy,
 * HAR, cookies of a context, metadata, recording) is applied when it is claimed.
 *
 * @param kind {@code browser} or {@code desktop}
 * @param engine the browser engine ({@code chromium} for a desktop)
 * @param templateId the launch template, or empty
 * @param identity who its browser appears to be (fixed at launch: its time zone is its process's); null for a
 *     desktop. A pool's computers have the server's default identity, so a create asking for another starts cold.
 */
public record PoolShape(String kind, String engine, Optional<String> templateId, int width, int height, double scale,
                        Identity identity) {

    /** A shape with the built-in default identity (none for a desktop). */
    public PoolShape(String kind, String engine, Optional<String> templateId, int width, int height, double scale) {
        this(kind, engine, templateId, width, height, scale, identity(kind, IdentityDefaults.BUILT_IN, width, height));
    }

    private static Identity identity(String kind, IdentityDefaults defaults, int width, int height) {
        return kind.equals("desktop") ? null : defaults.forViewport(width, height);
    }

    /** The shape a request needs, with the identity it resolved to (null for a desktop). */
    static PoolShape of(ComputerSpec spec, Identity identity) {
        return new PoolShape(spec.kind(), spec.engine(), spec.templateId(), spec.width(), spec.height(), spec.scale(),
                identity);
    }

    /** As the setting spells it: {@code chromium}, {@code desktop@1920x1080}, {@code template=name@800x600x2}. */
    public String label() {
        var what = templateId.map(t -> "template=" + t).orElse(kind.equals("desktop") ? "desktop" : engine);
        var size = width + "x" + height + (scale == 1.0 ? "" : "x" + (scale == Math.rint(scale)
                ? Long.toString((long) scale) : Double.toString(scale)));
        return what + "@" + size;
    }

    private static final Pattern ENTRY = Pattern.compile(
            "(chromium|firefox|desktop|template=([A-Za-z0-9_.-]{1,64}))(?:@(\\d{3,4})x(\\d{3,4})(?:x(\\d+(?:\\.\\d+)?))?)?:(\\d{1,3})");

    /**
     * The {@code PORTHOLE_POOL} setting: comma-separated {@code what[@WIDTHxHEIGHT[xSCALE]]:COUNT}, where
     * {@code what} is {@code chromium}, {@code firefox}, {@code desktop} or {@code template=NAME}; {@code off} (or an
     * empty value) for none. A size left out is the server's default viewport.
     *
     * @param templates the launch templates this server has, by name, with the engine each starts
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static Map<PoolShape, Integer> parse(String setting, int defaultWidth, int defaultHeight,
                                                Map<String, String> templates) {
        return parse(setting, defaultWidth, defaultHeight, templates, IdentityDefaults.BUILT_IN);
    }

    /** As {@link #parse(String, int, int, Map)}, its browsers with {@code identity}'s default identity. */
    public static Map<PoolShape, Integer> parse(String setting, int defaultWidth, int defaultHeight,
                                                Map<String, String> templates, IdentityDefaults identity) {
        var out = new LinkedHashMap<PoolShape, Integer>();
        var trimmed = setting.trim().toLowerCase(Locale.ROOT);
        if (trimmed.isEmpty() || trimmed.equals("off") || trimmed.equals("none") || trimmed.equals("0")) return out;
        for (var part : setting.split(",")) {
            var m = ENTRY.matcher(part.trim());
            if (!m.matches()) {
                throw new IllegalArgumentException("PORTHOLE_POOL: '" + part.trim() + "' is not what[@WIDTHxHEIGHT[xSCALE]]:COUNT"
                        + " with what one of chromium, firefox, desktop, template=NAME (e.g. chromium:2,desktop@1920x1080:1)");
            }
            var template = Optional.ofNullable(m.group(2));
            String kind = m.group(1).equals("desktop") ? "desktop" : "browser";
            String engine;
            if (template.isPresent()) {
                engine = templates.get(template.get());
                if (engine == null) {
                    throw new IllegalArgumentException("PORTHOLE_POOL: there is no launch template '" + template.get()
                            + "' (PORTHOLE_TEMPLATES)");
                }
            } else {
                engine = kind.equals("desktop") ? "chromium" : m.group(1);
            }
            int width = m.group(3) == null ? defaultWidth : Integer.parseInt(m.group(3));
            int height = m.group(4) == null ? defaultHeight : Integer.parseInt(m.group(4));
            double scale = m.group(5) == null ? 1.0 : Double.parseDouble(m.group(5));
            if (width < 100 || width > 7680 || height < 100 || height > 7680 || !(scale >= 0.25 && scale <= 4)) {
                throw new IllegalArgumentException("PORTHOLE_POOL: '" + part.trim() + "' has a size out of range (100 to 7680"
                        + " pixels, a scale from 0.25 to 4)");
            }
            int count = Integer.parseInt(m.group(6));
            var shape = new PoolShape(kind, engine, template, width, height, scale,
                    identity(kind, identity, width, height));
            if (out.containsKey(shape)) throw new IllegalArgumentException("PORTHOLE_POOL names " + shape.label() + " twice");
            if (count > 0) out.put(shape, count);
        }
        return out;
    }
}
