package io.porthole.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * {@code POST /computers/{id}/batch}: one result per executed action, in order; execution stops after the
 * first failed action, whose index is {@code failedIndex}.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record BatchResponse(
        List<ActionResult> results,
        boolean success,
        int executed,
        @JsonProperty("failed_index") Integer failedIndex) {}
