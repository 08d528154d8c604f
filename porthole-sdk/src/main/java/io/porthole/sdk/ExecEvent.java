package io.porthole.sdk;

/**
 * One line of a command's output stream ({@code POST /computers/{id}/exec}, NDJSON): output chunks, then exactly one
 * {@link Exit} or {@link Failure}.
 *
 * <pre>{@code
 * try (EventStream<ExecEvent> events = computer.exec("ls -l")) {
 *     for (ExecEvent e : events) {
 *         if (e instanceof ExecEvent.Stdout) System.out.print(((ExecEvent.Stdout) e).data());
 *         else if (e instanceof ExecEvent.Exit) exitCode = ((ExecEvent.Exit) e).code();
 *     }
 * }
 * }</pre>
 */
public sealed interface ExecEvent permits ExecEvent.Stdout, ExecEvent.Stderr, ExecEvent.Exit, ExecEvent.Failure {

    /**
     * A chunk of standard output.
     *
     * @param data the text (UTF-8 decoded by the server)
     */
    record Stdout(String data) implements ExecEvent {
    }

    /**
     * A chunk of standard error.
     *
     * @param data the text
     */
    record Stderr(String data) implements ExecEvent {
    }

    /**
     * The command ended.
     *
     * @param code its exit code; -1 when it timed out or ended abnormally
     */
    record Exit(int code) implements ExecEvent {
    }

    /**
     * The command could not run (a bad request, a browser computer, a stream that could not start): the stream's
     * last line.
     *
     * @param code the error code
     * @param message what went wrong
     */
    record Failure(String code, String message) implements ExecEvent {
    }
}
