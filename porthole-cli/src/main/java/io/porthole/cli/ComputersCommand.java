package io.porthole.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code porthole computers ...}: the Computers API (contracts/lightcone-computers.md). */
@Command(name = "computers", aliases = "computer", description = "Create, drive and end computers (browsers and desktops).",
        mixinStandardHelpOptions = true,
        subcommands = {ComputersCommand.Create.class, ComputersCommand.Ls.class, ComputersCommand.Get.class,
                ComputersCommand.Rm.class, ComputersCommand.Navigate.class, ComputersCommand.Click.class,
                ComputersCommand.Type.class, ComputersCommand.Screenshot.class, ComputersCommand.Exec.class,
                ComputersCommand.Events.class})
final class ComputersCommand extends Porthole.Group {
    static final List<Output.Column> COLUMNS = List.of(Output.Column.field("ID", "id"),
            Output.Column.field("KIND", "kind"), Output.Column.field("ENGINE", "engine"),
            Output.Column.field("STATUS", "status"), Output.Column.field("CREATED", "created_at"),
            Output.Column.field("EXPIRES", "expires_at"));

    static final List<Output.Column> FIELDS = List.of(Output.Column.field("id", "id"),
            Output.Column.field("kind", "kind"), Output.Column.field("engine", "engine"),
            Output.Column.field("status", "status"),
            new Output.Column("display", n -> n.has("display") ? n.path("display").path("width").asText() + "x"
                    + n.path("display").path("height").asText() : "-"),
            Output.Column.field("created", "created_at"), Output.Column.field("last activity", "last_activity_at"),
            Output.Column.field("expires", "expires_at"), Output.Column.field("idle expires", "idle_expires_at"),
            Output.Column.field("persistent", "persistent"), Output.Column.field("ended", "terminated_at"),
            Output.Column.field("end reason", "termination_reason"));

    static String path(String id) {
        return "/computers/" + Api.encode(id);
    }

    @Command(name = "create", description = "Create a computer; prints it (or only its id with -q).",
            mixinStandardHelpOptions = true)
    static final class Create extends ApiCommand {
        @Option(names = "--kind", defaultValue = "browser", description = "browser (default) or desktop.")
        String kind;
        @Option(names = "--width", description = "Screen width in pixels.")
        Integer width;
        @Option(names = "--height", description = "Screen height in pixels.")
        Integer height;
        @Option(names = "--max-lifetime", paramLabel = "SECONDS", description = "Ends the computer after this long.")
        Integer maxLifetime;
        @Option(names = "--idle-timeout", paramLabel = "SECONDS", description = "Ends it after this long without use.")
        Integer idleTimeout;
        @Option(names = "--persistent", description = "Keep cookies and storage when it ends.")
        boolean persistent;
        @Option(names = {"-q", "--quiet"}, description = "Print only the new computer's id.")
        boolean quiet;

        @Override
        int run(Api api, Output out) {
            var body = new LinkedHashMap<String, Object>();
            body.put("kind", kind);
            if (width != null || height != null) {
                var display = new LinkedHashMap<String, Object>();
                if (width != null) display.put("width", width);
                if (height != null) display.put("height", height);
                body.put("display", display);
            }
            if (maxLifetime != null) body.put("max_lifetime_seconds", maxLifetime);
            if (idleTimeout != null) body.put("inactivity_timeout_seconds", idleTimeout);
            if (persistent) body.put("persistent", true);
            var created = api.post("/computers", body);
            if (quiet && !out.json()) out.done(created, created.path("id").asText());
            else out.object(created, FIELDS);
            return ExitCodes.OK;
        }
    }

    @Command(name = "ls", aliases = "list", description = "List live computers (or persistent ones).",
            mixinStandardHelpOptions = true)
    static final class Ls extends ApiCommand {
        @Option(names = "--persistent", description = "List persistent sessions instead of live computers.")
        boolean persistent;

        @Override
        int run(Api api, Output out) {
            out.table(api.get("/computers" + (persistent ? "?type=persistent" : "")), COLUMNS);
            return ExitCodes.OK;
        }
    }

    @Command(name = "get", description = "Show one computer.", mixinStandardHelpOptions = true)
    static final class Get extends ApiCommand {
        @Parameters(paramLabel = "ID", description = "The computer's id.")
        String id;

        @Override
        int run(Api api, Output out) {
            out.object(api.get(path(id)), FIELDS);
            return ExitCodes.OK;
        }
    }

    @Command(name = "rm", aliases = "delete", description = "End computers (ending an ended one is not an error).",
            mixinStandardHelpOptions = true)
    static final class Rm extends ApiCommand {
        @Parameters(paramLabel = "ID", arity = "1..*", description = "The computers' ids.")
        List<String> ids;

        @Override
        int run(Api api, Output out) {
            var results = Api.JSON.createArrayNode();
            for (var id : ids) {
                api.delete(path(id));
                results.addObject().put("id", id).put("deleted", true);
                if (!out.json()) out.writer().println("ended " + id);
            }
            if (out.json()) out.print(results);
            out.writer().flush();
            return ExitCodes.OK;
        }
    }

    /** An action route: posts the body, fails on status "error", prints "ok" or the ActionResult. */
    abstract static class Action extends ApiCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "The computer's id.")
        String id;
        @Option(names = "--tab", paramLabel = "TAB_ID", description = "The tab to act in (default: the main tab).")
        String tab;

        JsonNode act(Api api, String route, Map<String, Object> body) {
            var b = new LinkedHashMap<>(body);
            if (tab != null) b.put("tab_id", tab);
            var result = api.post(path(id) + "/" + route, b);
            requireSuccess(result);
            return result;
        }
    }

    @Command(name = "navigate", aliases = "goto", description = "Load a URL in the computer's browser.",
            mixinStandardHelpOptions = true)
    static final class Navigate extends Action {
        @Parameters(index = "1", paramLabel = "URL")
        String url;

        @Override
        int run(Api api, Output out) {
            out.done(act(api, "navigate", Map.of("url", url)), "ok");
            return ExitCodes.OK;
        }
    }

    @Command(name = "click", description = "Click at a point of the screenshot's pixel grid.", mixinStandardHelpOptions = true)
    static final class Click extends Action {
        @Parameters(index = "1", paramLabel = "X")
        double x;
        @Parameters(index = "2", paramLabel = "Y")
        double y;
        @Option(names = "--right", description = "A right click.")
        boolean right;
        @Option(names = "--double", description = "A double click.")
        boolean twice;

        @Override
        int run(Api api, Output out) {
            if (right && twice) throw new CliException("invalid_argument", "--right and --double do not go together",
                    ExitCodes.USAGE);
            var route = right ? "right-click" : twice ? "double-click" : "click";
            out.done(act(api, route, Map.of("x", x, "y", y)), "ok");
            return ExitCodes.OK;
        }
    }

    @Command(name = "type", description = "Type text into the focused element.", mixinStandardHelpOptions = true)
    static final class Type extends Action {
        @Parameters(index = "1", paramLabel = "TEXT")
        String text;

        @Override
        int run(Api api, Output out) {
            out.done(act(api, "type", Map.of("text", text)), "ok");
            return ExitCodes.OK;
        }
    }

    @Command(name = "screenshot", description = "Save a PNG screenshot (default <id>.png).", mixinStandardHelpOptions = true)
    static final class Screenshot extends Action {
        @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Where to save the PNG (default <id>.png).")
        Path output;

        @Override
        int run(Api api, Output out) {
            var result = act(api, "screenshot", Map.of("base64", true));
            var b64 = result.path("result").path("screenshot_base64").asText("");
            if (b64.isEmpty()) throw CliException.error("bad_response", "the screenshot came without its picture");
            var target = output != null ? output : Path.of(id.replaceAll("[^A-Za-z0-9_.-]", "_") + ".png");
            try {
                Api.writeAtomically(new java.io.ByteArrayInputStream(Base64.getDecoder().decode(b64)), target);
            } catch (IOException | IllegalArgumentException e) {
                throw CliException.error("io_error", "could not write " + target + ": " + e.getMessage());
            }
            var node = (ObjectNode) result.deepCopy();
            ((ObjectNode) node.path("result")).remove("screenshot_base64");
            node.put("path", target.toString());
            out.done(node, "saved " + target);
            return ExitCodes.OK;
        }
    }

    @Command(name = "exec", description = {"Run a shell command in the computer; its output streams here as it comes,",
            "and porthole exits with its exit code.", "  porthole computers exec ID -- ls -la /tmp"},
            mixinStandardHelpOptions = true)
    static final class Exec extends ApiCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "The computer's id.")
        String id;
        @Parameters(index = "1..*", arity = "1..*", paramLabel = "COMMAND",
                description = "The command line (joined with spaces, run by a shell).")
        List<String> command;
        @Option(names = "--cwd", paramLabel = "DIR", description = "Working directory inside the computer.")
        String cwd;
        @Option(names = {"-e", "--env"}, paramLabel = "NAME=VALUE", description = "An environment variable (repeatable).")
        Map<String, String> env;
        @Option(names = "--command-timeout", paramLabel = "SECONDS", description = "Kill the command after this long.")
        Integer commandTimeout;

        @Override
        int run(Api api, Output out) {
            var body = new LinkedHashMap<String, Object>();
            body.put("command", String.join(" ", command));
            if (cwd != null) body.put("cwd", cwd);
            if (env != null) body.put("env", env);
            if (commandTimeout != null) body.put("timeout_seconds", commandTimeout);
            var stdout = spec.commandLine().getOut();
            var stderr = spec.commandLine().getErr();
            int[] exit = {Integer.MIN_VALUE};
            api.ndjson(path(id) + "/exec", body, line -> {
                if (out.json()) out.line(line);
                switch (line.path("type").asText()) {
                    case "stdout" -> {
                        if (!out.json()) {
                            stdout.print(line.path("data").asText());
                            stdout.flush();
                        }
                    }
                    case "stderr" -> {
                        if (!out.json()) {
                            stderr.print(line.path("data").asText());
                            stderr.flush();
                        }
                    }
                    case "exit" -> {
                        exit[0] = line.path("code").asInt(-1);
                        return false;
                    }
                    case "error" -> throw CliException.error(line.path("code").asText("exec_failed"),
                            line.path("message").asText("the command could not run"));
                    default -> { }
                }
                return true;
            });
            if (exit[0] == Integer.MIN_VALUE) {
                throw new CliException("connection_failed", "the command's stream ended before its exit code",
                        ExitCodes.CONNECTION);
            }
            // -1 (timed out or killed) is 255 to a shell, as any negative code would be
            return exit[0] & 0xff;
        }
    }

    @Command(name = "events", description = {"Follow the computer's events (actions, their results, command output)",
            "until Ctrl-C or the computer ends. One line per event; --json prints each event's JSON."},
            mixinStandardHelpOptions = true)
    static final class Events extends ApiCommand {
        @Parameters(paramLabel = "ID", description = "The computer's id.")
        String id;
        @Option(names = "--after", paramLabel = "EVENT_ID",
                description = "Start after this event id (0: everything the server still holds) instead of now.")
        String after;

        @Override
        int run(Api api, Output out) {
            api.events(path(id) + "/events", after, e -> {
                JsonNode data;
                try {
                    data = Api.JSON.readTree(e.data());
                } catch (IOException x) {
                    data = Api.JSON.getNodeFactory().textNode(e.data());
                }
                if ("error".equals(e.name())) {
                    if (out.json()) out.line(data);
                    var code = data.path("code").asText("stream_error");
                    // the computer ending ends the stream: the command's normal end
                    if (code.equals("computer_not_running") || code.equals("not_found")) return;
                    throw CliException.error(code, data.path("message").asText("the event stream failed"));
                }
                if (out.json()) {
                    out.line(data);
                    return;
                }
                out.writer().println(describe(e.id(), e.name(), data));
                out.writer().flush();
            });
            return ExitCodes.OK;
        }

        /** One event on one line: its id, type, and what matters of it. */
        static String describe(String id, String name, JsonNode data) {
            var type = data.path("type").asText(name == null ? "event" : name);
            var line = new StringBuilder().append(id == null ? "-" : id).append("  ").append(type);
            var request = data.path("request_id").asText("");
            if (!request.isEmpty()) line.append("  ").append(request);
            var action = data.path("action");
            if (action.isObject()) line.append("  ").append(action.path("type").asText(""));
            if (data.has("status")) line.append("  ").append(data.path("status").asText());
            if (data.has("error_message")) line.append("  ").append(data.path("error_message").asText());
            if (type.equals("command_output") && data.has("data")) {
                try {
                    var text = new String(Base64.getDecoder().decode(data.path("data").asText()), StandardCharsets.UTF_8);
                    line.append("  ").append(data.path("is_stderr").asBoolean() ? "stderr " : "stdout ")
                            .append(text.strip().replaceAll("\\p{Cntrl}", " "));
                } catch (IllegalArgumentException ignored) {
                    // not base64: leave it out
                }
            }
            return line.toString();
        }
    }

}
