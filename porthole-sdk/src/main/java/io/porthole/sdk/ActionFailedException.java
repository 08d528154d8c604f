package io.porthole.sdk;

/**
 * An action was carried out by the server and failed there: the answer was HTTP 200 with an {@link ActionResult}
 * whose {@code status} is {@code error} (an element that is not there, a navigation that failed, a tab that is
 * gone). {@link #status()} is 200, {@link #code()} the result's {@code error_code} ({@code action_failed} when it
 * had none), and {@link #result()} the whole result. Never retried: the server acted.
 *
 * <p>Only the typed action methods of {@link Computer} throw this; {@link Computer#execute} and
 * {@link Computer#batch} hand failures back in their results.
 *
 * <p>Immutable and thread-safe.
 */
public class ActionFailedException extends PortholeException {
    private static final long serialVersionUID = 1L;

    private final transient ActionResult result;

    /**
     * An exception for a failed action's result.
     *
     * @param result the result with status {@code error}
     */
    public ActionFailedException(ActionResult result) {
        super(200, result.errorCode().orElse("action_failed"), result.errorMessage().orElse("the action failed"));
        this.result = result;
    }

    /**
     * The server's result for the failed action.
     *
     * @return the result
     */
    public ActionResult result() {
        return result;
    }
}
