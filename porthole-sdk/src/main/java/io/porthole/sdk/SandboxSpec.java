package io.porthole.sdk;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link Sandboxes#create(SandboxSpec)} creates: the body of {@code POST /browser-sandboxes}. Unset values are
 * left to the server.
 *
 * <p>Mutable and not thread-safe: build it in one thread, then pass it on.
 */
public final class SandboxSpec {
    private final Map<String, Object> fields = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    private SandboxSpec() {
    }

    /**
     * A Chromium sandbox.
     *
     * @return a new spec
     */
    public static SandboxSpec chromium() {
        return new SandboxSpec().browser("chromium");
    }

    /**
     * A Firefox sandbox.
     *
     * @return a new spec
     */
    public static SandboxSpec firefox() {
        return new SandboxSpec().browser("firefox");
    }

    /**
     * The browser: {@code chromium} or {@code firefox}.
     *
     * @param browser the engine's name
     * @return this spec
     */
    public SandboxSpec browser(String browser) {
        fields.put("browser", Objects.requireNonNull(browser, "browser"));
        return this;
    }

    /**
     * A named launch template configured on the server ({@code templateID}).
     *
     * @param templateId the template's name
     * @return this spec
     */
    public SandboxSpec templateId(String templateId) {
        fields.put("templateID", Objects.requireNonNull(templateId, "templateId"));
        return this;
    }

    /**
     * The viewport.
     *
     * @param width pixels across
     * @param height pixels down
     * @param deviceScaleFactor the device scale factor
     * @return this spec
     */
    public SandboxSpec viewport(int width, int height, double deviceScaleFactor) {
        var v = new LinkedHashMap<String, Object>();
        v.put("width", width);
        v.put("height", height);
        v.put("deviceScaleFactor", deviceScaleFactor);
        fields.put("viewport", v);
        return this;
    }

    /**
     * The sandbox's max lifetime ({@code timeoutSeconds}).
     *
     * @param timeout whole seconds are sent
     * @return this spec
     */
    public SandboxSpec timeout(Duration timeout) {
        fields.put("timeoutSeconds", timeout.getSeconds());
        return this;
    }

    /**
     * How long it may idle before it is closed ({@code idleTimeoutSeconds}).
     *
     * @param timeout whole seconds are sent
     * @return this spec
     */
    public SandboxSpec idleTimeout(Duration timeout) {
        fields.put("idleTimeoutSeconds", timeout.getSeconds());
        return this;
    }

    /**
     * An upstream proxy for the default context ({@code proxy}), credentials allowed.
     *
     * @param proxyUrl an http, socks5 or socks5h URL
     * @return this spec
     */
    public SandboxSpec proxy(String proxyUrl) {
        fields.put("proxy", Objects.requireNonNull(proxyUrl, "proxyUrl"));
        return this;
    }

    /**
     * Whether the browser's state is saved as an environment at close.
     *
     * @param persistent true to save
     * @return this spec
     */
    public SandboxSpec persistent(boolean persistent) {
        fields.put("persistent", persistent);
        return this;
    }

    /**
     * A saved environment to start from ({@code environmentId}).
     *
     * @param environmentId the environment's id
     * @return this spec
     */
    public SandboxSpec environmentId(String environmentId) {
        fields.put("environmentId", Objects.requireNonNull(environmentId, "environmentId"));
        return this;
    }

    /**
     * One entry of free metadata, kept with the sandbox.
     *
     * @param key the key
     * @param value the value
     * @return this spec
     */
    public SandboxSpec metadata(String key, String value) {
        metadata.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return this;
    }

    /**
     * Who the browser appears to be: time zone, locale and languages, geolocation, screen ({@code identity}).
     *
     * @param identity the parts to set; what it leaves out is the server's to choose
     * @return this spec
     */
    public SandboxSpec identity(IdentitySpec identity) {
        fields.put("identity", identity.toMap("fromProxy"));
        return this;
    }

    /**
     * Any other field of the create body, sent as given.
     *
     * @param name the JSON field name
     * @param value a JSON-serialisable value
     * @return this spec
     */
    public SandboxSpec field(String name, Object value) {
        fields.put(Objects.requireNonNull(name, "name"), value);
        return this;
    }

    /**
     * The request body this spec stands for.
     *
     * @return a copy of the JSON fields
     */
    public Map<String, Object> toMap() {
        var m = new LinkedHashMap<>(fields);
        if (!metadata.isEmpty()) m.put("metadata", new LinkedHashMap<>(metadata));
        return m;
    }
}
