package io.porthole.server;

import io.helidon.http.HeaderNames;
import io.helidon.http.sse.SseEvent;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.sse.SseSink;
import io.porthole.api.ErrorCode;
import io.porthole.core.Computer;
import io.porthole.core.ComputerStatus;
import io.porthole.core.Computers;
import io.porthole.core.PortholeException;
import io.porthole.core.ViewerLinks;
import io.porthole.core.live.Frame;
import io.porthole.core.live.StreamEnded;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The live streams of a computer, as server-sent events (contract §5.2, §5.3).
 *
 * <pre>
 * GET /computers/{id}/events                 actions queued and done, command output, control, viewers (snake_case)
 * GET /browser-sandboxes/{id}/events         the same, camelCase keys
 * GET /computers/{id}/screencast             browsers: JPEG pictures as default events; desktops: event: h264,
 *                                            cursor_position, cursor_update
 * GET /browser-sandboxes/{id}/screencast     the same
 * </pre>
 *
 * Every event has an {@code id:}; {@code /events} resumes after {@code Last-Event-ID} from a bounded buffer. An
 * idle stream carries a {@code : heartbeat} comment now and then. An unknown computer or a bad key is an
 * ordinary JSON error; a computer that is not running, a capture that cannot start, or a client that falls too
 * far behind get one {@code event: error} with {@code {"code","message"}}, and the stream closes. When the
 * computer ends, the stream closes.
 */
final class LiveRoutes {
    private static final System.Logger LOG = System.getLogger(LiveRoutes.class.getName());

    private final Computers computers;
    private final Access access;
    private final ServerConfig.LiveConfig config;

    LiveRoutes(Computers computers, Access access, ServerConfig.LiveConfig config) {
        this.computers = computers;
        this.access = access;
        this.config = config;
    }

    void register(HttpRouting.Builder r) {
        r.route(Http.get("/computers/{id}/events", (req, res) -> events(req, res, false)))
                .route(Http.get("/browser-sandboxes/{id}/events", (req, res) -> events(req, res, true)))
                .route(Http.get("/computers/{id}/screencast", this::screencast))
                .route(Http.get("/browser-sandboxes/{id}/screencast", this::screencast));
    }

    private void events(ServerRequest req, ServerResponse res, boolean camel) {
        // the owner's only: what an agent types and what its commands print are not for a shared link
        var caller = access.owner(req, nativeSurface(req));
        var after = lastEventId(req);
        try (var sink = open(res)) {
            var computer = running(caller.computerId(), sink);
            if (computer == null) return;
            try (var subscription = computer.events().subscribe(after)) {
                while (true) {
                    var next = subscription.next(config.eventsHeartbeat());
                    if (next.isEmpty()) {
                        sink.emit(heartbeat());
                        continue;
                    }
                    var e = next.get();
                    sink.emit(SseEvent.builder().id(Long.toString(e.seq())).data(camel ? e.camelJson() : e.json()).build());
                }
            } catch (StreamEnded e) {
                endOf(computer, e.getMessage(), sink);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (UncheckedIOException e) {
            // the client has gone
        }
    }

    private void screencast(ServerRequest req, ServerResponse res) {
        var caller = access.caller(req, nativeSurface(req));
        try (var sink = open(res)) {
            var computer = running(caller.computerId(), sink);
            if (computer == null) return;
            watch(computer, caller, sink);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (UncheckedIOException e) {
            // the client has gone
        }
    }

    /** Streams the screencast to one viewer, who keeps the computer out of standby (woken as they join). */
    private void watch(Computer computer, Access.Caller caller, SseSink sink) throws InterruptedException {
        Computers.Use use;
        try {
            use = computers.hold(computer, "viewer");
        } catch (PortholeException e) {
            sink.emit(error(e.code().wireName(), e.getMessage()));
            return;
        }
        try (use) {
            io.porthole.core.live.Screencast.Viewer viewer;
            try {
                viewer = computer.screencast().join(caller.label());
            } catch (PortholeException e) {
                sink.emit(error(e.code().wireName(), e.getMessage()));
                return;
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "the screencast of " + computer.id() + " could not start", e);
                sink.emit(error(ErrorCode.UNAVAILABLE.wireName(), "the screencast could not start: " + e.getMessage()));
                return;
            }
            long seq = 0;
            // a viewer link's stream ends when the link is revoked, and when it expires
            var link = caller.link();
            ViewerLinks.Registration revocation = link.map(l -> access.links().whileOpen(l.id(), viewer::close))
                    .orElse(() -> { });
            try (viewer; revocation) {
                while (true) {
                    var next = viewer.next(link.map(l -> untilExpiry(l.expiresAt())).orElse(config.screencastHeartbeat()));
                    if (link.isPresent() && !access.links().unexpired(link.get())) {
                        sink.emit(error("viewer_link_expired", "this viewer link has expired"));
                        return;
                    }
                    if (next.isEmpty()) {
                        sink.emit(heartbeat());
                        continue;
                    }
                    sink.emit(frame(next.get(), ++seq));
                }
            } catch (StreamEnded e) {
                if (link.isPresent() && e.getMessage().equals("left")) {
                    sink.emit(error("viewer_link_revoked", "this viewer link has been revoked"));
                } else {
                    endOf(computer, e.getMessage(), sink);
                }
            }
        }
    }

    /** A frame's event name (null for a default event) and data, made once however many watch. */
    private record Encoded(String name, String data) {}

    /**
     * Frames' events as encoded for the first viewer that sent them, for the others: a frame is one object shared by
     * every viewer's queue, so it is its own key, and it leaves the map when nobody holds it any more.
     */
    private static final Map<Frame, Encoded> ENCODED = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    /** A frame as the contract's event: JPEG as a default event, the desktop's as named ones. */
    static SseEvent frame(Frame f, long seq) {
        var encoded = ENCODED.get(f);
        if (encoded == null) {
            // encoded outside the map's lock: two viewers may both encode a frame once, never wait on each other
            encoded = encode(f);
            ENCODED.putIfAbsent(f, encoded);
        }
        var e = SseEvent.builder().id(Long.toString(seq)).data(encoded.data());
        if (encoded.name() != null) e.name(encoded.name());
        return e.build();
    }

    private static Encoded encode(Frame f) {
        var b64 = Base64.getEncoder();
        return switch (f) {
            case Frame.Jpeg j -> {
                var m = j.metadata();
                var meta = new LinkedHashMap<String, Object>();
                meta.put("timestamp", m.timestamp());
                meta.put("deviceWidth", m.deviceWidth());
                meta.put("deviceHeight", m.deviceHeight());
                meta.put("offsetTop", m.offsetTop());
                meta.put("pageScaleFactor", m.pageScaleFactor());
                meta.put("scrollOffsetX", m.scrollOffsetX());
                meta.put("scrollOffsetY", m.scrollOffsetY());
                var body = new LinkedHashMap<String, Object>();
                body.put("image_data", b64.encodeToString(j.data()));
                body.put("metadata", meta);
                yield new Encoded(null, json(body));
            }
            case Frame.H264 h -> new Encoded("h264", json(Map.of("nalu_data", b64.encodeToString(h.nalus()))));
            case Frame.CursorPosition p -> new Encoded("cursor_position", json(Map.of("x", p.x(), "y", p.y())));
            case Frame.CursorImage i -> {
                var body = new LinkedHashMap<String, Object>();
                body.put("image_data", b64.encodeToString(i.png()));
                body.put("width", i.width());
                body.put("height", i.height());
                body.put("hotspot_x", i.xHot());
                body.put("hotspot_y", i.yHot());
                yield new Encoded("cursor_update", json(body));
            }
        };
    }

    /** The heartbeat interval, or less when the viewer link expires sooner. */
    private java.time.Duration untilExpiry(java.time.Instant expiresAt) {
        var left = java.time.Duration.between(java.time.Instant.now(), expiresAt).plusMillis(50);
        var beat = config.screencastHeartbeat();
        return left.isNegative() ? java.time.Duration.ZERO : left.compareTo(beat) < 0 ? left : beat;
    }

    private static String json(Object o) {
        return new String(Http.json(o), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static SseSink open(ServerResponse res) {
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        // a reverse proxy that buffers (nginx) would hold the stream back
        res.header(HeaderNames.create("X-Accel-Buffering"), "no");
        return res.sink(SseSink.TYPE);
    }

    /** The running computer, or null after telling the client why it is not running. */
    private Computer running(String id, SseSink sink) {
        var computer = computers.findLive(id).orElse(null);
        if (computer == null || computer.record().status() != ComputerStatus.RUNNING && computer.record().status() != ComputerStatus.PAUSED) {
            var status = computer == null ? "ended" : computer.record().status().wireName();
            sink.emit(error(ErrorCode.COMPUTER_NOT_RUNNING.wireName(), "computer " + id + " is " + status
                    + "; there is nothing to stream"));
            return null;
        }
        return computer;
    }

    /** Why a stream ended, as the client should hear it: nothing more when the computer ended, else an error. */
    private static void endOf(Computer computer, String reason, SseSink sink) {
        if (computer.isEnding()) return;
        sink.emit(error("stream_ended", reason));
    }

    static SseEvent error(String code, String message) {
        return SseEvent.builder().name("error").data(json(Map.of("code", code, "message", message))).build();
    }

    private static SseEvent heartbeat() {
        return SseEvent.builder().comment("heartbeat").build();
    }

    private static boolean nativeSurface(ServerRequest req) {
        return req.path().path().startsWith("/browser-sandboxes/");
    }

    private static OptionalLong lastEventId(ServerRequest req) {
        var v = req.headers().first(HeaderNames.create("Last-Event-ID")).map(String::trim).filter(s -> !s.isEmpty());
        if (v.isEmpty()) return OptionalLong.empty();
        try {
            long n = Long.parseLong(v.get());
            if (n < 0) throw new NumberFormatException();
            return OptionalLong.of(n);
        } catch (NumberFormatException e) {
            throw new PortholeException.InvalidRequest("'Last-Event-ID' must be the id of an event this stream sent");
        }
    }
}
