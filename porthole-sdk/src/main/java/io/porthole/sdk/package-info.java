/**
 * The Java client of Porthole (Java 17+): public interfaces and value types here, implementations hidden in
 * {@code io.porthole.sdk.internal} (not an API; it may change in any release).
 *
 * <h2>Drive a computer</h2>
 * <pre>{@code
 * try (Porthole porthole = Porthole.builder().baseUrl("http://127.0.0.1:8844").apiKey(System.getenv("PORTHOLE_API_KEY")).build();
 *      Computer computer = porthole.computers().create(ComputerSpec.browser().viewport(1280, 720))) {
 *     computer.navigate("https://example.com");
 *     computer.click(200, 150);
 *     computer.type("hello");
 *     Files.write(Path.of("page.png"), computer.screenshot().png());
 *     computer.wait(Duration.ofSeconds(1));
 * }
 * }</pre>
 *
 * <h2>Playwright for Java over CDP</h2>
 * {@link io.porthole.sdk.Computer#cdpUrl()} and {@link io.porthole.sdk.Sandbox#cdpUrl()} return a WebSocket URL that
 * carries the computer's own access token, so Playwright needs no headers (and never downloads a browser of its
 * own for this: the browser runs in Porthole):
 * <pre>{@code
 * try (Sandbox sandbox = porthole.sandboxes().create(SandboxSpec.chromium());
 *      Playwright playwright = Playwright.create();
 *      Browser browser = playwright.chromium().connectOverCDP(sandbox.cdpUrl())) {
 *     Page page = browser.contexts().get(0).pages().get(0);
 *     page.navigate("https://example.com");
 *     System.out.println(page.title());
 * }
 * }</pre>
 *
 * <h2>Errors</h2>
 * Every failure is an unchecked {@link io.porthole.sdk.PortholeException} carrying the HTTP status, the server's
 * error code and message, with a subclass per status ({@link io.porthole.sdk.NotFoundException},
 * {@link io.porthole.sdk.BadRequestException}, ...), {@link io.porthole.sdk.ApiConnectionException} and
 * {@link io.porthole.sdk.ApiTimeoutException} when no answer came, and
 * {@link io.porthole.sdk.ActionFailedException} when the server ran an action and it failed. Which requests are
 * retried, and when, is on {@link io.porthole.sdk.Porthole}.
 */
package io.porthole.sdk;
