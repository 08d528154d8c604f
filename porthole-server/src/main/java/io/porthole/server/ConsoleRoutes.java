package io.porthole.server;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.staticcontent.ClasspathHandlerConfig;
import io.helidon.webserver.staticcontent.StaticContentFeature;
import io.porthole.api.ErrorCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The web console (ADR 0020): plain ES modules, styles and icons from the class path, served by Helidon's static
 * content handler. Only these paths are the console's; every other path stays the API's, and an unknown one gets
 * the API's JSON 404 as before.
 *
 * <pre>
 * GET /              the console (sign in with an API key; computers, environments, keys)
 * GET /view          a viewer link's page; the link's token is in the URL fragment, which no request carries
 * GET /console/{file} the console's scripts, styles and icons
 * </pre>
 *
 * Every answer carries a strict Content-Security-Policy (scripts and styles from this server only, no inline
 * script; requests to this server only), {@code X-Content-Type-Options: nosniff}, and forbids framing. The
 * console keeps its API key in {@code sessionStorage} and sends it in the {@code Authorization} header, so no
 * URL the server sees carries it.
 */
final class ConsoleRoutes {
    /** Where the console's files are on the class path. */
    static final String LOCATION = "io/porthole/server/console";
    static final String CSP = String.join("; ",
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            // pictures of the screen and the pointer are decoded from bytes into canvases, not loaded as images
            "img-src 'self'",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'");
    private static final Map<HeaderName, String> HEADERS = Map.of(
            HeaderNames.create("Content-Security-Policy"), CSP,
            HeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff",
            HeaderNames.create("Referrer-Policy"), "no-referrer",
            HeaderNames.create("X-Frame-Options"), "DENY",
            HeaderNames.create("Cross-Origin-Opener-Policy"), "same-origin",
            HeaderNames.create("Cross-Origin-Resource-Policy"), "same-origin",
            HeaderNames.create("Permissions-Policy"), "camera=(), microphone=(), geolocation=(), payment=()",
            // a new server version's files are fetched again (revalidated by their ETag)
            HeaderNames.CACHE_CONTROL, "no-cache");

    private static final Pattern FILE = Pattern.compile("/console(/[A-Za-z0-9_-]+)*/[A-Za-z0-9_-]+\\.[a-z0-9]+");

    private final byte[] index = page("index.html");
    private final byte[] view = page("view.html");

    void register(HttpRouting.Builder r) {
        r.route(Http.get("/", (req, res) -> sendPage(res, index)))
                .route(Http.get("/view", (req, res) -> sendPage(res, view)))
                .route(RouteTable.describe("/console/*", (req, res) -> {
                    // every file of the console has a name with an extension; a folder is nothing to serve
                    if (!FILE.matcher(req.path().path()).matches()) {
                        notFound(req, res);
                        return;
                    }
                    secure(res);
                    res.next();
                }, Method.GET, Method.HEAD))
                .register("/console", StaticContentFeature.createService(ClasspathHandlerConfig.builder()
                        .location(LOCATION)
                        .classLoader(ConsoleRoutes.class.getClassLoader())
                        .build()));
    }

    private static void sendPage(ServerResponse res, byte[] html) {
        secure(res);
        res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        res.send(html);
    }

    private static void secure(ServerResponse res) {
        HEADERS.forEach(res::header);
    }

    private static void notFound(ServerRequest req, ServerResponse res) {
        Http.error(res, ErrorCode.NOT_FOUND, "no route " + req.prologue().method().text() + " " + req.path().path());
    }

    private static byte[] page(String name) {
        try (var in = ConsoleRoutes.class.getClassLoader().getResourceAsStream(LOCATION + "/" + name)) {
            if (in == null) throw new IllegalStateException("the console's " + name + " is missing from the class path");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
