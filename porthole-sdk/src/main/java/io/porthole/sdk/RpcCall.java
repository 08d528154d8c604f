package io.porthole.sdk;

import java.util.Map;
import java.util.Objects;

/**
 * One request line of a sandbox's NDJSON action API ({@link Sandbox#rpc}): an action method of the Computers API
 * ({@code navigate}, {@code click}, {@code type}, {@code screenshot}, {@code html}, ...) or {@code contexts.*} and
 * {@code tabs.*}, with its parameters.
 *
 * @param id the caller's id for the call, echoed in its reply
 * @param method the method
 * @param params its parameters (camelCase or snake_case as the action takes them), as JSON-serialisable values
 */
public record RpcCall(String id, String method, Map<String, Object> params) {

    /**
     * Checks and copies the parts.
     *
     * @param id the caller's id for the call
     * @param method the method
     * @param params its parameters
     */
    public RpcCall {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(method, "method");
        params = Map.copyOf(params);
    }

    /**
     * A call.
     *
     * @param id the caller's id for the call
     * @param method the method
     * @param params its parameters
     * @return the call
     */
    public static RpcCall of(String id, String method, Map<String, ?> params) {
        return new RpcCall(id, method, Map.copyOf(params));
    }
}
