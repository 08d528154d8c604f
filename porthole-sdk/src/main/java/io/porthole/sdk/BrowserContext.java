package io.porthole.sdk;

import java.util.Optional;

/**
 * An isolated browsing context of a sandbox: its own cookies and storage, and optionally its own proxy.
 *
 * @param id the context's id ({@code default} for the first)
 * @param isDefault whether it is the context the browser started with
 * @param proxy its proxy, without credentials, if it has one
 */
public record BrowserContext(String id, boolean isDefault, Optional<String> proxy) {
}
