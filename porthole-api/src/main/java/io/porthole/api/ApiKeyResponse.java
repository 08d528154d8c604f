package io.porthole.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** An API key record. {@code key} is present once, in the answer to its creation, and never again. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiKeyResponse(
        String id,
        String tenant,
        String name,
        String prefix,
        boolean admin,
        @JsonProperty("created_at") String createdAt,
        @JsonProperty("revoked_at") String revokedAt,
        String key) {}
