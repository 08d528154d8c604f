package io.porthole.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.porthole.sdk.Porthole;
import io.porthole.sdk.SandboxSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code porthole sandboxes ...}: the native browser-sandbox API (contracts/browser-sandboxes.md). */
@Command(name = "sandboxes", aliases = "sandbox", description = "Browser sandboxes: create, suspend, contexts, artifacts.",
        mixinStandardHelpOptions = true,
        subcommands = {SandboxesCommand.Create.class, SandboxesCommand.Ls.class, SandboxesCommand.Get.class,
                SandboxesCommand.Rm.class, SandboxesCommand.Suspend.class, SandboxesCommand.Resume.class,
                SandboxesCommand.Contexts.class, SandboxesCommand.Artifacts.class})
final class SandboxesCommand extends PortholeCommand.Group {
    static final List<Output.Column> COLUMNS = List.of(Output.Column.field("ID", "id"),
            Output.Column.field("BROWSER", "browser"), Output.Column.field("STATE", "state"),
            new Output.Column("VIEWPORT", SandboxesCommand::viewport),
            Output.Column.field("CREATED", "createdAt"), Output.Column.field("EXPIRES", "expiresAt"));

    static final List<Output.Column> FIELDS = List.of(Output.Column.field("id", "id"),
            Output.Column.field("browser", "browser"), Output.Column.field("template", "templateID"),
            Output.Column.field("state", "state"), new Output.Column("viewport", SandboxesCommand::viewport),
            Output.Column.field("created", "createdAt"), Output.Column.field("expires", "expiresAt"),
            Output.Column.field("idle expires", "idleExpiresAt"), Output.Column.field("persistent", "persistent"),
            Output.Column.field("cdp", "connect", "cdp"), Output.Column.field("bidi", "connect", "bidi"),
            Output.Column.field("closed", "closedAt"), Output.Column.field("close reason", "closeReason"));

    private static String viewport(JsonNode n) {
        var v = n.path("viewport");
        return v.isObject() ? v.path("width").asText() + "x" + v.path("height").asText() : "-";
    }

    @Command(name = "create", description = "Create a browser sandbox.", mixinStandardHelpOptions = true)
    static final class Create extends ApiCommand {
        @Option(names = "--browser", defaultValue = "chromium", description = "chromium (default) or firefox.")
        String browser;
        @Option(names = "--width", description = "Viewport width.")
        Integer width;
        @Option(names = "--height", description = "Viewport height.")
        Integer height;
        @Option(names = "--timeout-seconds", paramLabel = "SECONDS", description = "Closes the sandbox after this long.")
        Integer timeoutSeconds;
        @Option(names = "--timezone", paramLabel = "ZONE", description = "The browser's IANA time zone, e.g. Europe/Berlin.")
        String timezone;
        @Option(names = "--locale", paramLabel = "TAG", description = "The browser's locale (BCP 47), e.g. de-DE.")
        String locale;
        @Option(names = {"-q", "--quiet"}, description = "Print only the new sandbox's id.")
        boolean quiet;

        @Override
        int run(Porthole porthole, Output out) {
            var spec = SandboxSpec.chromium().browser(browser);
            if ((width == null) != (height == null)) {
                throw new CliException("invalid_argument", "--width and --height go together", ExitCodes.USAGE);
            }
            if (width != null) spec = spec.viewport(width, height, 1);
            if (timeoutSeconds != null) spec = spec.timeout(Duration.ofSeconds(timeoutSeconds));
            Wire.identity(timezone, locale).ifPresent(spec::identity);
            var created = Wire.sandbox(porthole.sandboxes().create(spec).info());
            if (quiet && !out.json()) out.done(created, created.path("id").asText());
            else out.object(created, FIELDS);
            return ExitCodes.OK;
        }
    }

    @Command(name = "ls", aliases = "list", description = "List sandboxes, newest first.", mixinStandardHelpOptions = true)
    static final class Ls extends ApiCommand {
        @Option(names = "--state", paramLabel = "STATES", description = "Only these states, e.g. running,paused.")
        String state;

        @Override
        int run(Porthole porthole, Output out) {
            var states = state == null ? new String[0] : state.split(",");
            var items = Json.MAPPER.createArrayNode();
            porthole.sandboxes().list(states).forEach(i -> items.add(Wire.sandbox(i)));
            out.table(items, COLUMNS);
            return ExitCodes.OK;
        }
    }

    @Command(name = "get", description = "Show one sandbox (with its connect URLs while it lives).",
            mixinStandardHelpOptions = true)
    static final class Get extends ApiCommand {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        int run(Porthole porthole, Output out) {
            out.object(Wire.sandbox(porthole.sandboxes().get(id).info()), FIELDS);
            return ExitCodes.OK;
        }
    }

    @Command(name = "rm", aliases = "delete", description = "Close sandboxes.", mixinStandardHelpOptions = true)
    static final class Rm extends ApiCommand {
        @Parameters(paramLabel = "ID", arity = "1..*")
        List<String> ids;

        @Override
        int run(Porthole porthole, Output out) {
            var results = Json.MAPPER.createArrayNode();
            for (var id : ids) {
                porthole.sandboxes().delete(id);
                results.addObject().put("id", id).put("closed", true);
                if (!out.json()) out.writer().println("closed " + id);
            }
            if (out.json()) out.print(results);
            out.writer().flush();
            return ExitCodes.OK;
        }
    }

    @Command(name = "suspend", description = "Freeze a sandbox in memory (state paused).", mixinStandardHelpOptions = true)
    static final class Suspend extends ApiCommand {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        int run(Porthole porthole, Output out) {
            var s = Wire.sandbox(porthole.sandboxes().get(id).suspend());
            out.done(s, id + " " + Output.text(s, "state"));
            return ExitCodes.OK;
        }
    }

    @Command(name = "resume", description = "Thaw a suspended sandbox.", mixinStandardHelpOptions = true)
    static final class Resume extends ApiCommand {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        int run(Porthole porthole, Output out) {
            var s = Wire.sandbox(porthole.sandboxes().get(id).resume());
            out.done(s, id + " " + Output.text(s, "state"));
            return ExitCodes.OK;
        }
    }

    @Command(name = "contexts", description = "Isolated browsing contexts of a sandbox.", mixinStandardHelpOptions = true,
            subcommands = {Contexts.Ls.class, Contexts.Create.class, Contexts.Rm.class})
    static final class Contexts extends PortholeCommand.Group {
        static final List<Output.Column> COLUMNS = List.of(Output.Column.field("ID", "id"),
                new Output.Column("DEFAULT", n -> n.path("default").asBoolean() ? "default" : "-"),
                new Output.Column("PROXY", n -> n.hasNonNull("proxy") ? "yes" : "-"));

        @Command(name = "ls", aliases = "list", description = "List a sandbox's contexts.", mixinStandardHelpOptions = true)
        static final class Ls extends ApiCommand {
            @Parameters(paramLabel = "ID", description = "The sandbox's id.")
            String id;

            @Override
            int run(Porthole porthole, Output out) {
                var items = Json.MAPPER.createArrayNode();
                porthole.sandboxes().get(id).contexts().list().forEach(c -> items.add(Wire.context(c)));
                out.table(items, COLUMNS);
                return ExitCodes.OK;
            }
        }

        @Command(name = "create", description = "Create a context (own cookies and storage, optional proxy).",
                mixinStandardHelpOptions = true)
        static final class Create extends ApiCommand {
            @Parameters(paramLabel = "ID", description = "The sandbox's id.")
            String id;
            @Option(names = "--proxy", paramLabel = "URL", description = "The context's own proxy.")
            String proxy;
            @Option(names = {"-q", "--quiet"}, description = "Print only the new context's id.")
            boolean quiet;

            @Override
            int run(Porthole porthole, Output out) {
                var contexts = porthole.sandboxes().get(id).contexts();
                var created = Wire.context(proxy == null ? contexts.create() : contexts.create(proxy));
                if (quiet && !out.json()) out.done(created, created.path("id").asText());
                else out.table(Json.MAPPER.createArrayNode().add(created), COLUMNS);
                return ExitCodes.OK;
            }
        }

        @Command(name = "rm", aliases = "delete", description = "Close a context and its tabs.", mixinStandardHelpOptions = true)
        static final class Rm extends ApiCommand {
            @Parameters(index = "0", paramLabel = "ID", description = "The sandbox's id.")
            String id;
            @Parameters(index = "1", paramLabel = "CONTEXT_ID")
            String context;

            @Override
            int run(Porthole porthole, Output out) {
                porthole.sandboxes().get(id).contexts().delete(context);
                out.done(Json.MAPPER.createObjectNode().put("id", context).put("closed", true), "closed context " + context);
                return ExitCodes.OK;
            }
        }
    }

    @Command(name = "artifacts", description = "Files stored for a sandbox: list, capture, download.",
            mixinStandardHelpOptions = true,
            subcommands = {Artifacts.Ls.class, Artifacts.Screenshot.class, Artifacts.Download.class})
    static final class Artifacts extends PortholeCommand.Group {
        static final List<Output.Column> COLUMNS = List.of(Output.Column.field("ID", "id"),
                Output.Column.field("TYPE", "type"), Output.Column.field("NAME", "name"),
                Output.Column.field("SIZE", "size"), Output.Column.field("CONTENT TYPE", "contentType"),
                Output.Column.field("CREATED", "createdAt"));

        @Command(name = "ls", aliases = "list", description = "List a sandbox's artifacts.", mixinStandardHelpOptions = true)
        static final class Ls extends ApiCommand {
            @Parameters(paramLabel = "ID", description = "The sandbox's id.")
            String id;

            @Override
            int run(Porthole porthole, Output out) {
                var items = Json.MAPPER.createArrayNode();
                porthole.sandboxes().get(id).artifacts().list().forEach(a -> items.add(Wire.artifact(a)));
                out.table(items, COLUMNS);
                return ExitCodes.OK;
            }
        }

        @Command(name = "screenshot", description = "Capture a screenshot on the server and store it as an artifact.",
                mixinStandardHelpOptions = true)
        static final class Screenshot extends ApiCommand {
            @Parameters(paramLabel = "ID", description = "The sandbox's id.")
            String id;

            @Override
            int run(Porthole porthole, Output out) {
                var made = porthole.sandboxes().get(id).artifacts().screenshot();
                out.table(Json.MAPPER.createArrayNode().add(Wire.artifact(made)), COLUMNS);
                return ExitCodes.OK;
            }
        }

        @Command(name = "download", description = "Save an artifact's bytes (default: its name, in this directory).",
                mixinStandardHelpOptions = true)
        static final class Download extends ApiCommand {
            @Parameters(index = "0", paramLabel = "ID", description = "The sandbox's id.")
            String id;
            @Parameters(index = "1", paramLabel = "ARTIFACT_ID")
            String artifact;
            @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Where to save it.")
            Path output;

            @Override
            int run(Porthole porthole, Output out) {
                var artifacts = porthole.sandboxes().get(id).artifacts();
                var target = output;
                if (target == null) {
                    // the artifact's name, made safe: never a path the sandbox could have chosen
                    var name = artifacts.list().stream().filter(a -> a.id().equals(artifact)).findFirst()
                            .flatMap(a -> a.name()).orElse(artifact);
                    var safe = name.replaceAll("[^A-Za-z0-9_.-]", "_");
                    if (safe.isEmpty() || safe.startsWith(".")) safe = "_" + safe;
                    target = Path.of(safe);
                }
                artifacts.download(artifact, target);
                out.done(Json.MAPPER.createObjectNode().put("id", artifact).put("path", target.toString()), "saved " + target);
                return ExitCodes.OK;
            }
        }
    }
}
