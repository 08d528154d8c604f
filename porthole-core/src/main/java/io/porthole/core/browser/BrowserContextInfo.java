package io.porthole.core.browser;

import java.util.Optional;

/**
 * An isolated browsing context of a running browser: its own cookies and storage, and optionally its own
 * proxy, fixed for its life.
 *
 * @param id {@link io.porthole.api.TabInfo#DEFAULT_CONTEXT} for the context every browser starts with
 * @param proxy the proxy as the client gave it (credentials removed), if any
 */
public record BrowserContextInfo(String id, Optional<String> proxy) {}
