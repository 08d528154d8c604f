package io.porthole.server;

import io.helidon.http.Method;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRoute;
import io.helidon.webserver.http.HttpRouting;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What the server routes, as it was registered: every route the HTTP routing builder was given, in order, recorded
 * as it passed through {@link #recording}. The OpenAPI route check reads it (every route is described, every
 * description is routed), so nobody keeps a second list of the routes by hand. Thread-safe.
 */
final class RouteTable {
    /** What one registration added. */
    enum Kind {
        /** A method (or methods) on a path pattern ({@code {name}} for a path parameter, {@code *} for the rest). */
        ROUTE,
        /** A handler for every method and path, such as the cluster router in front and the JSON 404 at the end. */
        CATCH_ALL,
        /** A service mounted under a path prefix (the console's static files). */
        MOUNT,
        /**
         * A registration this table cannot read: a route built without {@link Http#get} or {@link #describe}, a route by
         * {@code PathMatcher}, a feature.
         */
        UNREADABLE
    }

    /**
     * One registration.
     *
     * @param methods upper-case method names, empty for a catch-all or a mount (every method)
     * @param path    the path pattern as registered, or the mount's prefix; empty for a catch-all
     * @param handler the class of what handles it, for messages
     */
    record Entry(Kind kind, Set<String> methods, String path, String handler) {}

    /** A route with its methods and path kept readable (Helidon's own route does not show them). */
    record Described(Set<Method> methods, String path, HttpRoute route) implements HttpRoute {
        @Override
        public io.helidon.http.PathMatchers.MatchResult accepts(io.helidon.http.HttpPrologue prologue) {
            return route.accepts(prologue);
        }

        @Override
        public io.helidon.http.PathMatchers.MatchResult accepts(io.helidon.http.HttpPrologue prologue,
                                                                io.helidon.http.ServerRequestHeaders headers) {
            return route.accepts(prologue, headers);
        }

        @Override
        public Handler handler() {
            return route.handler();
        }

        @Override
        public java.util.Optional<io.helidon.http.PathMatcher> pathMatcher() {
            return route.pathMatcher();
        }

        @Override
        public void beforeStart() {
            route.beforeStart();
        }

        @Override
        public void afterStart(io.helidon.webserver.WebServer server) {
            route.afterStart(server);
        }

        @Override
        public void afterStop() {
            route.afterStop();
        }
    }

    private static final Set<String> VERBS = Set.of("get", "post", "put", "delete", "head", "options", "trace", "patch");

    private final List<Entry> entries = new CopyOnWriteArrayList<>();

    /** A route of {@code methods} on {@code path}, readable by this table. */
    static HttpRoute describe(String path, Handler handler, Method... methods) {
        var route = HttpRoute.builder().methods(methods).path(path).handler(handler).build();
        return new Described(Set.of(methods), path, route);
    }

    /** The registrations so far, in order. */
    List<Entry> entries() {
        return List.copyOf(entries);
    }

    /** {@code routes}, given the routing builder seen through {@link #recording(HttpRouting.Builder)}. */
    java.util.function.Consumer<HttpRouting.Builder> recording(java.util.function.Consumer<HttpRouting.Builder> routes) {
        return routing -> routes.accept(recording(routing));
    }

    /**
     * {@code routing} itself, seen through a recorder: every call goes on to it unchanged, and each one that adds a
     * route is written down first.
     */
    HttpRouting.Builder recording(HttpRouting.Builder routing) {
        var loader = HttpRouting.Builder.class.getClassLoader();
        var proxy = new HttpRouting.Builder[1];
        proxy[0] = (HttpRouting.Builder) Proxy.newProxyInstance(loader, new Class<?>[] {HttpRouting.Builder.class},
                (self, method, args) -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return switch (method.getName()) {
                            case "equals" -> self == args[0];
                            case "hashCode" -> System.identityHashCode(self);
                            default -> "recording " + routing;
                        };
                    }
                    record(method.getName(), args == null ? new Object[0] : args);
                    Object answer;
                    try {
                        answer = method.invoke(routing, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    // chained calls go on through the recorder
                    return answer == routing ? proxy[0] : answer;
                });
        return proxy[0];
    }

    private void record(String name, Object[] args) {
        Object first = args.length > 0 ? args[0] : null;
        if (VERBS.contains(name)) {
            if (first instanceof String path) {
                entries.add(new Entry(Kind.ROUTE, Set.of(name.toUpperCase(Locale.ROOT)), path, handlerName(args, 1)));
            } else {
                // get(handler...) and the like: that method on every path
                entries.add(new Entry(Kind.UNREADABLE, Set.of(name.toUpperCase(Locale.ROOT)), "", handlerName(args, 0)));
            }
            return;
        }
        switch (name) {
            case "any" -> {
                if (first instanceof String path) entries.add(new Entry(Kind.ROUTE, Set.of(), path, handlerName(args, 1)));
                else entries.add(new Entry(Kind.CATCH_ALL, Set.of(), "", handlerName(args, 0)));
            }
            case "route" -> {
                if (first instanceof Described d) {
                    var methods = d.methods().stream().map(Method::text).collect(java.util.stream.Collectors.toSet());
                    entries.add(new Entry(Kind.ROUTE, Set.copyOf(methods), d.path(), d.handler().getClass().getName()));
                } else if (first instanceof Method m && args.length > 1 && args[1] instanceof String path) {
                    entries.add(new Entry(Kind.ROUTE, Set.of(m.text()), path, String.valueOf(args[args.length - 1])));
                } else {
                    entries.add(new Entry(Kind.UNREADABLE, Set.of(), "", String.valueOf(first)));
                }
            }
            case "register" -> entries.add(new Entry(Kind.MOUNT, Set.of(), first instanceof String prefix ? prefix : "/",
                    handlerName(args, first instanceof String ? 1 : 0)));
            // a feature adds routes of its own, out of this table's sight
            case "addFeature" -> entries.add(new Entry(Kind.UNREADABLE, Set.of(), "", String.valueOf(first)));
            default -> { } // filters, error handlers, settings: no route
        }
    }

    private static String handlerName(Object[] args, int at) {
        if (args.length <= at) return "";
        var h = args[at];
        if (h instanceof Object[] many && many.length > 0) h = many[0];
        return h == null ? "" : h.getClass().getName();
    }
}
