package io.porthole.sdk;

import java.util.Map;
import java.util.Optional;

/**
 * One reply line of a sandbox's NDJSON action API: the call's result, or its error.
 *
 * @param id the call's id, empty for a line the server could not read
 * @param result the result, empty for an error
 * @param errorCode the error's code, for a failed call
 * @param errorMessage the error's message, for a failed call
 */
public record RpcReply(Optional<String> id, Map<String, Object> result, Optional<String> errorCode,
                       Optional<String> errorMessage) {

    /**
     * Whether the call succeeded.
     *
     * @return true when the reply carries no error
     */
    public boolean ok() {
        return errorCode.isEmpty();
    }
}
