package io.porthole.sdk;

import java.util.stream.Stream;

/**
 * One browser sandbox of the native API. Closing it closes the sandbox ({@code DELETE}); it is idempotent.
 * Implementations are thread-safe.
 *
 * <pre>{@code
 * try (Sandbox sandbox = porthole.sandboxes().create(SandboxSpec.chromium());
 *      Playwright playwright = Playwright.create();
 *      Browser browser = playwright.chromium().connectOverCDP(sandbox.cdpUrl())) {
 *     browser.contexts().get(0).pages().get(0).navigate("https://example.com");
 * }
 * }</pre>
 */
public interface Sandbox extends AutoCloseable {

    /**
     * The sandbox's id (the same as its computer's).
     *
     * @return the id
     */
    String id();

    /**
     * The sandbox as last read (created, fetched, suspended, resumed or refreshed).
     *
     * @return the description
     */
    SandboxInfo info();

    /**
     * Reads the sandbox again ({@code GET /browser-sandboxes/{id}}).
     *
     * @return the fresh description
     */
    SandboxInfo refresh();

    /**
     * Freezes every process of the sandbox in memory ({@code POST /suspend}); state {@code paused}.
     *
     * @return the sandbox after the change
     */
    SandboxInfo suspend();

    /**
     * Thaws a suspended sandbox ({@code POST /resume}); state {@code running}.
     *
     * @return the sandbox after the change
     */
    SandboxInfo resume();

    /**
     * The CDP WebSocket URL with the sandbox's access token, ready for Playwright for Java's
     * {@code playwright.chromium().connectOverCDP(url)}.
     *
     * @return a {@code ws://} or {@code wss://} URL
     * @throws IllegalStateException when the sandbox has none (Firefox, or not live)
     */
    String cdpUrl();

    /**
     * The WebDriver BiDi WebSocket URL with the access token (Firefox).
     *
     * @return a {@code ws://} or {@code wss://} URL
     * @throws IllegalStateException when the sandbox has none (Chromium, or not live)
     */
    String bidiUrl();

    /**
     * The sandbox's own access token, which attaches to this sandbox only.
     *
     * @return the token
     * @throws IllegalStateException when the sandbox is not live
     */
    String accessToken();

    /**
     * Its browsing contexts.
     *
     * @return the contexts
     */
    Contexts contexts();

    /**
     * Its stored artifacts.
     *
     * @return the artifacts
     */
    Artifacts artifacts();

    /**
     * Its replay-event log, newest first, fetched lazily a page (100 events) at a time as the stream is consumed.
     *
     * @return the events
     */
    Stream<ReplayEvent> replayEvents();

    /**
     * Its replay-event log with a page size of one's own.
     *
     * @param pageSize events per request, 1 to 1000
     * @return the events
     */
    Stream<ReplayEvent> replayEvents(int pageSize);

    /**
     * The same sandbox as a computer of the Computers API, for its typed actions, exec and streams. Closing that
     * handle closes this sandbox too.
     *
     * @return the computer
     */
    Computer computer();

    /** Closes the sandbox ({@code DELETE}). Idempotent. */
    void delete();

    /** Closes the sandbox, as {@link #delete()}; a second close sends nothing. */
    @Override
    void close();
}
