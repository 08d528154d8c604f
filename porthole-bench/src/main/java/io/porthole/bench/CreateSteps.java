package io.porthole.bench;

import io.porthole.core.internal.Steps;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Where a create's time goes. The server times its create path step by step ({@link Steps}) and logs each timing
 * at DEBUG: the whole create ({@code Computers}), the sandbox ({@code LocalSandboxRuntime}) and the browser
 * ({@code ChromiumEngine}). This listens to those records in the bench's own JVM (the server runs in it) while a
 * measured create of the "create → ready" row runs, and keeps each step's time; the client's round trip minus the
 * server's create is what HTTP, auth and JSON cost. The raw side's launch is split the same way
 * ({@link RawBrowser.Phases}). Printed as medians: the medians of the parts do not add up to the median of the whole.
 * Thread-safe.
 */
final class CreateSteps {
    /** The loggers that time the create path, and how their steps are labelled here. */
    private static final Map<String, String> SOURCES = Map.of(
            "io.porthole.core.Computers", "",
            "io.porthole.runtime.local.LocalSandboxRuntime", "sandbox: ",
            "io.porthole.engine.cdp.ChromiumEngine", "browser: ");
    /** Held: a logger nobody references may be collected, and its level with it. */
    private final List<Logger> loggers = new ArrayList<>();
    private final Handler handler;
    private final Map<String, Samples> porthole = new LinkedHashMap<>();
    private final Map<String, Samples> raw = new LinkedHashMap<>();
    private final Samples client = new Samples();
    private final Samples http = new Samples();
    /** The steps logged since {@link #begin}, by label; null when not capturing. */
    private List<Steps.Step> current;
    private long serverNanos;

    CreateSteps() {
        handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                var params = record.getParameters();
                if (params == null || params.length < 2 || !(params[1] instanceof Steps steps)) return;
                var prefix = SOURCES.get(record.getLoggerName());
                if (prefix == null) return;
                synchronized (CreateSteps.this) {
                    if (current == null) return;
                    for (var s : steps.steps()) current.add(new Steps.Step(prefix + s.name(), s.nanos()));
                    if (prefix.isEmpty()) serverNanos = steps.totalNanos();
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        handler.setLevel(Level.ALL);
        for (var name : SOURCES.keySet()) {
            var logger = Logger.getLogger(name);
            logger.setLevel(Level.FINE);
            logger.addHandler(handler);
            loggers.add(logger);
        }
        // the order the steps are printed in: the create's own, with the sandbox's and the browser's under theirs
        for (var s : List.of("admitted", "record inserted", "sandbox")) porthole.put(s, new Samples());
    }

    /** Starts capturing the steps of the create that follows. */
    synchronized void begin() {
        current = new ArrayList<>();
        serverNanos = 0;
    }

    /** Ends the capture; keeps it if {@code measured} and the server timed the whole create. */
    synchronized void end(boolean measured, long clientNanos) {
        var steps = current;
        current = null;
        if (!measured || steps == null || serverNanos == 0) return;
        // the nested steps go right after the step that holds them
        var nested = new LinkedHashMap<String, List<Steps.Step>>();
        for (var s : steps) {
            if (s.name().startsWith("sandbox: ") || s.name().startsWith("browser: ")) {
                nested.computeIfAbsent(s.name().substring(0, 7), k -> new ArrayList<>()).add(s);
            }
        }
        for (var s : steps) {
            if (s.name().startsWith("sandbox: ") || s.name().startsWith("browser: ")) continue;
            porthole.computeIfAbsent(s.name(), k -> new Samples()).add(s.nanos());
            for (var inner : nested.getOrDefault(s.name(), List.of())) {
                porthole.computeIfAbsent(inner.name(), k -> new Samples()).add(inner.nanos());
            }
        }
        client.add(clientNanos);
        http.add(clientNanos - serverNanos);
    }

    synchronized void raw(RawBrowser.Phases phases, long totalNanos) {
        raw.computeIfAbsent("raw: process started (ProcessBuilder.start)", k -> new Samples()).add(phases.startNanos());
        raw.computeIfAbsent("raw: until it printed \"DevTools listening on\"", k -> new Samples()).add(phases.listeningNanos());
        raw.computeIfAbsent("raw: WebSocket connected", k -> new Samples()).add(phases.connectNanos());
        raw.computeIfAbsent("raw: Target.getTargets answered", k -> new Samples()).add(phases.answerNanos());
        raw.computeIfAbsent("raw: launch → ready, whole", k -> new Samples()).add(totalNanos);
    }

    /** Stops listening. */
    void close() {
        for (var logger : loggers) logger.removeHandler(handler);
    }

    boolean isEmpty() {
        return client.count() == 0;
    }

    synchronized void print(PrintStream out) {
        var table = new ArrayList<List<String>>();
        table.add(row("POST /computers {}, whole (client)", client));
        table.add(row("HTTP, auth, JSON (client minus the server's create)", http));
        for (var e : porthole.entrySet()) {
            if (e.getValue().count() == 0) continue;
            var nested = e.getKey().startsWith("sandbox: ") || e.getKey().startsWith("browser: ");
            table.add(row((nested ? "  " : "create: ") + e.getKey(), e.getValue()));
        }
        for (var e : raw.entrySet()) table.add(row(e.getKey(), e.getValue()));
        Markdown.print(out, List.of("create → ready, where the time goes", "n", "p50", "min", "max"), table);
        out.println();
        out.println("- the server's own timings (io.porthole.core.internal.Steps, logged at DEBUG) of the measured creates"
                + " of the create → ready row; each step runs from the end of the one before; \"sandbox: …\" and"
                + " \"browser: …\" are the parts of the create's \"sandbox\" and \"browser\" steps; medians of parts do"
                + " not add up to the median of the whole");
        out.println();
    }

    private static List<String> row(String what, Samples s) {
        return List.of(what, Integer.toString(s.count()), Markdown.ms(s.p50()), Markdown.ms(s.min()),
                Markdown.ms(s.percentile(100)));
    }
}
