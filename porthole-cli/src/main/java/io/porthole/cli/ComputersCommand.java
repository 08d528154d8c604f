package io.porthole.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.porthole.sdk.ActionResult;
import io.porthole.sdk.Computer;
import io.porthole.sdk.ComputerEvent;
import io.porthole.sdk.ComputerSpec;
import io.porthole.sdk.ExecEvent;
import io.porthole.sdk.ExecRequest;
import io.porthole.sdk.Porthole;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
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
final class ComputersCommand extends PortholeCommand.Group {
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

    @Command(name = "create", description = "Create a computer; prints it (or only its id with -q).",
            mixinStandardHelpOptions = true)
    static final class Create extends ApiCommand {
        @Option(names = "--kind", defaultValue = "browser", description = "browser (default) or desktop.")
        String kind;
        @Option(names = "--engine", description = "A browser's engine: chromium (default) or firefox.")
        String engine;
        @Option(names = "--width", description = "Screen width in pixels (with --height).")
        Integer width;
        @Option(names = "--height", description = "Screen height in pixels (with --width).")
        Integer height;
        @Option(names = "--max-lifetime", paramLabel = "SECONDS", description = "Ends the computer after this long.")
        Integer maxLifetime;
        @Option(names = "--idle-timeout", paramLabel = "SECONDS", description = "Ends it after this long without use.")
        Integer idleTimeout;
        @Option(names = "--persistent", description = "Keep cookies and storage when it ends.")
        boolean persistent;
        @Option(names = "--timezone", paramLabel = "ZONE", description = "A browser's IANA time zone, e.g. Europe/Berlin.")
        String timezone;
        @Option(names = "--locale", paramLabel = "TAG", description = "A browser's locale (BCP 47), e.g. de-DE.")
        String locale;
        @Option(names = {"-q", "--quiet"}, description = "Print only the new computer's id.")
        boolean quiet;

        @Override
        int run(Porthole porthole, Output out) {
            var spec = switch (kind) {
                case "browser" -> ComputerSpec.browser();
                case "desktop" -> ComputerSpec.desktop();
                default -> throw new CliException("invalid_argument", "--kind is browser or desktop, not '" + kind + "'",
                        ExitCodes.USAGE);
            };
            if (engine != null) spec = spec.engine(engine);
            if ((width == null) != (height == null)) {
                throw new CliException("invalid_argument", "--width and --height go together", ExitCodes.USAGE);
            }
            if (width != null) spec = spec.viewport(width, height);
            if (maxLifetime != null) spec = spec.maxLifetime(Duration.ofSeconds(maxLifetime));
            if (idleTimeout != null) spec = spec.inactivityTimeout(Duration.ofSeconds(idleTimeout));
            if (persistent) spec = spec.persistent(true);
            Wire.identity(timezone, locale).ifPresent(spec::identity);
            var created = Wire.computer(porthole.computers().create(spec).info());
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
        int run(Porthole porthole, Output out) {
            var list = persistent ? porthole.computers().listPersistent() : porthole.computers().list();
            var items = Json.MAPPER.createArrayNode();
            list.forEach(c -> items.add(Wire.computer(c)));
            out.table(items, COLUMNS);
            return ExitCodes.OK;
        }
    }

    @Command(name = "get", description = "Show one computer.", mixinStandardHelpOptions = true)
    static final class Get extends ApiCommand {
        @Parameters(paramLabel = "ID", description = "The computer's id.")
        String id;

        @Override
        int run(Porthole porthole, Output out) {
            out.object(Wire.computer(porthole.computers().attach(id).retrieve()), FIELDS);
            return ExitCodes.OK;
        }
    }

    @Command(name = "rm", aliases = "delete", description = "End computers (ending an ended one is not an error).",
            mixinStandardHelpOptions = true)
    static final class Rm extends ApiCommand {
        @Parameters(paramLabel = "ID", arity = "1..*", description = "The computers' ids.")
        List<String> ids;

        @Override
        int run(Porthole porthole, Output out) {
            var results = Json.MAPPER.createArrayNode();
            for (var id : ids) {
                porthole.computers().delete(id);
                results.addObject().put("id", id).put("deleted", true);
                if (!out.json()) out.writer().println("ended " + id);
            }
            if (out.json()) out.print(results);
            out.writer().flush();
            return ExitCodes.OK;
        }
    }

    /** An action: on the computer (in --tab if given); a result of status "error" fails the command. */
    abstract static class Action extends ApiCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "The computer's id.")
        String id;
        @Option(names = "--tab", paramLabel = "TAB_ID", description = "The tab to act in (default: the main tab).")
        String tab;

        ActionResult act(Porthole porthole, Function<Computer, ActionResult> action) {
            var computer = porthole.computers().attach(id);
            var result = action.apply(tab == null ? computer : computer.inTab(tab));
            if (!result.succeeded()) {
                throw CliException.error(result.errorCode().orElse("action_failed"),
                        result.errorMessage().orElse("the action failed"));
            }
            return result;
        }
    }

    @Command(name = "navigate", aliases = "goto", description = "Load a URL in the computer's browser.",
            mixinStandardHelpOptions = true)
    static final class Navigate extends Action {
        @Parameters(index = "1", paramLabel = "URL")
        String url;

        @Override
        int run(Porthole porthole, Output out) {
            out.done(Wire.action(act(porthole, c -> c.navigate(url))), "ok");
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
        int run(Porthole porthole, Output out) {
            if (right && twice) {
                throw new CliException("invalid_argument", "--right and --double do not go together", ExitCodes.USAGE);
            }
            var result = act(porthole, c -> right ? c.rightClick(x, y) : twice ? c.doubleClick(x, y) : c.click(x, y));
            out.done(Wire.action(result), "ok");
            return ExitCodes.OK;
        }
    }

    @Command(name = "type", description = "Type text into the focused element.", mixinStandardHelpOptions = true)
    static final class Type extends Action {
        @Parameters(index = "1", paramLabel = "TEXT")
        String text;

        @Override
        int run(Porthole porthole, Output out) {
            out.done(Wire.action(act(porthole, c -> c.type(text))), "ok");
            return ExitCodes.OK;
        }
    }

    @Command(name = "screenshot", description = "Save a PNG screenshot (default <id>.png).", mixinStandardHelpOptions = true)
    static final class Screenshot extends ApiCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "The computer's id.")
        String id;
        @Option(names = "--tab", paramLabel = "TAB_ID", description = "The tab to capture (default: the main tab).")
        String tab;
        @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Where to save the PNG (default <id>.png).")
        Path output;

        @Override
        int run(Porthole porthole, Output out) {
            var computer = porthole.computers().attach(id);
            var shot = (tab == null ? computer : computer.inTab(tab)).screenshot();
            var target = output != null ? output : Path.of(id.replaceAll("[^A-Za-z0-9_.-]", "_") + ".png");
            try {
                Json.writeAtomically(new ByteArrayInputStream(shot.png()), target);
            } catch (IOException e) {
                throw CliException.error("io_error", "could not write " + target + ": " + e.getMessage());
            }
            var node = Json.MAPPER.createObjectNode().put("id", id).put("path", target.toString())
                    .put("bytes", shot.png().length).put("screenshot_url", shot.url());
            out.done(node, "saved " + target);
            return ExitCodes.OK;
        }
    }

    @Command(name = "exec", description = {"Run a shell command in the computer; exits with its exit code.",
            "Its stdout and stderr stream here as they come:", "  porthole computers exec ID -- ls -la /tmp"},
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
        int run(Porthole porthole, Output out) {
            var request = ExecRequest.of(String.join(" ", command));
            if (cwd != null) request = request.cwd(cwd);
            if (env != null) for (var e : env.entrySet()) request = request.env(e.getKey(), e.getValue());
            if (commandTimeout != null) request = request.timeout(Duration.ofSeconds(commandTimeout));
            var stdout = spec.commandLine().getOut();
            var stderr = spec.commandLine().getErr();
            try (var stream = porthole.computers().attach(id).exec(request)) {
                for (var event : stream) {
                    if (out.json()) out.line(Wire.exec(event));
                    switch (event) {
                        case ExecEvent.Stdout o -> {
                            if (!out.json()) {
                                stdout.print(o.data());
                                stdout.flush();
                            }
                        }
                        case ExecEvent.Stderr o -> {
                            if (!out.json()) {
                                stderr.print(o.data());
                                stderr.flush();
                            }
                        }
                        // -1 (timed out or killed) is 255 to a shell, as any negative code would be
                        case ExecEvent.Exit o -> {
                            return o.code() & 0xff;
                        }
                        case ExecEvent.Failure o -> throw CliException.error(o.code(), o.message());
                    }
                }
            }
            throw new CliException("connection_failed", "the command's stream ended before its exit code",
                    ExitCodes.CONNECTION);
        }
    }

    @Command(name = "events", description = {"Follow the computer's events until Ctrl-C or the computer ends.",
            "Actions, their results and command output, from now on: one line per event; --json prints each event's",
            "JSON on a line of its own."},
            mixinStandardHelpOptions = true)
    static final class Events extends ApiCommand {
        @Parameters(paramLabel = "ID", description = "The computer's id.")
        String id;

        @Override
        int run(Porthole porthole, Output out) {
            try (var stream = porthole.computers().attach(id).events()) {
                for (var e : stream) {
                    if ("error".equals(e.name())) {
                        if (out.json()) out.line(Wire.event(e));
                        var code = String.valueOf(e.data().getOrDefault("code", "stream_error"));
                        // the computer ending ends the stream: the command's normal end
                        if (code.equals("computer_not_running") || code.equals("not_found")) return ExitCodes.OK;
                        throw CliException.error(code, String.valueOf(e.data().getOrDefault("message", "the event stream failed")));
                    }
                    if (out.json()) {
                        out.line(Wire.event(e));
                    } else {
                        out.writer().println(describe(e));
                        out.writer().flush();
                    }
                }
            }
            return ExitCodes.OK;
        }

        /** One event on one line: its id, type, and what matters of it. */
        static String describe(ComputerEvent e) {
            JsonNode data = Json.MAPPER.valueToTree(e.data());
            var type = data.path("type").asText(e.name());
            var line = new StringBuilder().append(e.id().orElse("-")).append("  ").append(type);
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
