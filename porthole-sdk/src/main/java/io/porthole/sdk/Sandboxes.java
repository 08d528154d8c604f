package io.porthole.sdk;

import java.util.stream.Stream;

/**
 * The browser-sandboxes API of one tenant ({@code /browser-sandboxes}): the native surface, with contexts,
 * artifacts, replay events and suspend/resume. A sandbox is the same object as a browser computer, under the same
 * id ({@link Sandbox#computer()}). Implementations are thread-safe.
 */
public interface Sandboxes {

    /**
     * Creates a sandbox ({@code POST /browser-sandboxes}); not retried once it may have reached the server.
     *
     * @param spec what to create
     * @return the running sandbox; close it to end it
     */
    Sandbox create(SandboxSpec spec);

    /**
     * Creates a Chromium sandbox with the server's defaults.
     *
     * @return the running sandbox
     */
    Sandbox create();

    /**
     * Looks a sandbox up ({@code GET /browser-sandboxes/{id}}).
     *
     * @param id its id
     * @return a handle whose {@link Sandbox#info()} is the state just read
     * @throws NotFoundException when the tenant has no such sandbox
     */
    Sandbox get(String id);

    /**
     * The tenant's sandboxes, newest first, fetched a page at a time as the stream is consumed.
     *
     * @param states the states to list ({@code starting}, {@code running}, {@code paused}, {@code closed},
     *     {@code failed}); none for all
     * @return the sandboxes
     */
    Stream<SandboxInfo> list(String... states);

    /**
     * Closes a sandbox ({@code DELETE /browser-sandboxes/{id}}). Idempotent.
     *
     * @param id its id
     */
    void delete(String id);
}
