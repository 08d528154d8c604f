package io.porthole.core.action;

import java.util.Optional;

/** An action with its envelope: the tab it targets, whether to report page context, and the caller's id. */
public record ActionRequest(Action action, Optional<String> tabId, boolean includeContext, Optional<String> requestId) {
    public static ActionRequest of(Action action) {
        return new ActionRequest(action, Optional.empty(), false, Optional.empty());
    }
}
