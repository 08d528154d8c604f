package io.porthole.sdk;

import java.util.List;
import java.util.OptionalInt;

/**
 * What {@code POST /computers/{id}/batch} answers: the actions run in order and stop after the first failure.
 *
 * @param results one result per action that ran
 * @param success whether every action succeeded
 * @param executed how many actions ran
 * @param failedIndex the index of the action that failed, if one did
 */
public record BatchResult(List<ActionResult> results, boolean success, int executed, OptionalInt failedIndex) {
}
