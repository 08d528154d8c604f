package io.porthole.sdk;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link Computers#create(ComputerSpec)} creates: the body of {@code POST /computers}. Start from
 * {@link #browser()} or {@link #desktop()} and set what differs from the server's defaults; unset values are left
 * out of the request.
 *
 * <pre>{@code
 * ComputerSpec.browser().firefox().viewport(1280, 720).maxLifetime(Duration.ofMinutes(30))
 * }</pre>
 *
 * <p>Mutable and not thread-safe: build it in one thread, then pass it on.
 */
public final class ComputerSpec {
    private final Map<String, Object> fields = new LinkedHashMap<>();

    private ComputerSpec(String kind) {
        fields.put("kind", kind);
    }

    /**
     * A browser computer (Chromium unless {@link #engine} says otherwise).
     *
     * @return a new spec
     */
    public static ComputerSpec browser() {
        return new ComputerSpec("browser");
    }

    /**
     * A Linux X11 desktop computer.
     *
     * @return a new spec
     */
    public static ComputerSpec desktop() {
        return new ComputerSpec("desktop");
    }

    /**
     * The browser engine: {@code chromium} (the default) or {@code firefox}.
     *
     * @param engine the engine's name
     * @return this spec
     */
    public ComputerSpec engine(String engine) {
        fields.put("engine", Objects.requireNonNull(engine, "engine"));
        return this;
    }

    /**
     * Shorthand for {@code engine("firefox")}.
     *
     * @return this spec
     */
    public ComputerSpec firefox() {
        return engine("firefox");
    }

    /**
     * Shorthand for {@code engine("chromium")}.
     *
     * @return this spec
     */
    public ComputerSpec chromium() {
        return engine("chromium");
    }

    /**
     * The screen (desktop) or viewport (browser) size in pixels, at device scale 1.
     *
     * @param width pixels across
     * @param height pixels down
     * @return this spec
     */
    public ComputerSpec viewport(int width, int height) {
        return display(width, height, 1.0);
    }

    /**
     * The screen or viewport size and device scale ({@code display}).
     *
     * @param width pixels across
     * @param height pixels down
     * @param scale the device scale factor, e.g. 2.0
     * @return this spec
     */
    public ComputerSpec display(int width, int height, double scale) {
        var display = new LinkedHashMap<String, Object>();
        display.put("width", width);
        display.put("height", height);
        display.put("scale", scale);
        fields.put("display", display);
        return this;
    }

    /**
     * The hard cap on the computer's life ({@code max_lifetime_seconds}).
     *
     * @param lifetime whole seconds are sent
     * @return this spec
     */
    public ComputerSpec maxLifetime(Duration lifetime) {
        fields.put("max_lifetime_seconds", lifetime.getSeconds());
        return this;
    }

    /**
     * How long the computer may go without activity before it is ended ({@code inactivity_timeout_seconds}).
     *
     * @param timeout whole seconds are sent
     * @return this spec
     */
    public ComputerSpec inactivityTimeout(Duration timeout) {
        fields.put("inactivity_timeout_seconds", timeout.getSeconds());
        return this;
    }

    /**
     * Whether the inactivity timeout applies at all ({@code idle_timeout_enabled}, default true).
     *
     * @param enabled false to keep an idle computer until its max lifetime
     * @return this spec
     */
    public ComputerSpec idleTimeoutEnabled(boolean enabled) {
        fields.put("idle_timeout_enabled", enabled);
        return this;
    }

    /**
     * Whether the browser's state is saved as an environment when the computer ends ({@code persistent}).
     *
     * @param persistent true to save
     * @return this spec
     */
    public ComputerSpec persistent(boolean persistent) {
        fields.put("persistent", persistent);
        return this;
    }

    /**
     * A saved environment (cookies, storage) to start from ({@code environment_id}).
     *
     * @param environmentId the environment's id
     * @return this spec
     */
    public ComputerSpec environmentId(String environmentId) {
        fields.put("environment_id", Objects.requireNonNull(environmentId, "environmentId"));
        return this;
    }

    /**
     * A saved browser context to load ({@code context_id}).
     *
     * @param contextId the context's id
     * @return this spec
     */
    public ComputerSpec contextId(String contextId) {
        fields.put("context_id", Objects.requireNonNull(contextId, "contextId"));
        return this;
    }

    /**
     * Whether a browser goes out through the server's configured advanced proxy ({@code use_advanced_proxy}).
     *
     * @param use true to use it
     * @return this spec
     */
    public ComputerSpec useAdvancedProxy(boolean use) {
        fields.put("use_advanced_proxy", use);
        return this;
    }

    /**
     * Whether the screen is recorded as a video artifact ({@code record_video}).
     *
     * @param record true to record
     * @return this spec
     */
    public ComputerSpec recordVideo(boolean record) {
        fields.put("record_video", record);
        return this;
    }

    /**
     * Who the browser appears to be: time zone, locale and languages, geolocation, screen ({@code identity}).
     *
     * @param identity the parts to set; what it leaves out is the server's to choose
     * @return this spec
     */
    public ComputerSpec identity(IdentitySpec identity) {
        fields.put("identity", identity.toMap("from_proxy"));
        return this;
    }

    /**
     * Any other field of the create body, sent as given (for fields newer than this SDK).
     *
     * @param name the JSON field name
     * @param value a JSON-serialisable value (String, Number, Boolean, Map, List)
     * @return this spec
     */
    public ComputerSpec field(String name, Object value) {
        fields.put(Objects.requireNonNull(name, "name"), value);
        return this;
    }

    /**
     * The request body this spec stands for.
     *
     * @return a copy of the JSON fields
     */
    public Map<String, Object> toMap() {
        return new LinkedHashMap<>(fields);
    }
}
