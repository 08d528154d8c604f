package io.porthole.cli;

import io.porthole.sdk.Porthole;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code porthole keys ...}: API keys through the admin API (an admin key only). */
@Command(name = "keys", description = "Create, list and revoke API keys (needs an admin key).", mixinStandardHelpOptions = true,
        subcommands = {KeysCommand.Create.class, KeysCommand.Ls.class, KeysCommand.Rm.class})
final class KeysCommand extends PortholeCommand.Group {
    static final List<Output.Column> COLUMNS = List.of(Output.Column.field("ID", "id"),
            Output.Column.field("TENANT", "tenant"), new Output.Column("PREFIX", n -> Output.text(n, "prefix") + "…"),
            new Output.Column("ADMIN", n -> n.path("admin").asBoolean() ? "admin" : "-"),
            Output.Column.field("CREATED", "created_at"),
            new Output.Column("STATE", n -> n.hasNonNull("revoked_at") ? "revoked" : "active"),
            Output.Column.field("NAME", "name"));

    @Command(name = "create", description = "Create a key; the key itself is shown this once.", mixinStandardHelpOptions = true)
    static final class Create extends ApiCommand {
        @Option(names = "--tenant", required = true, description = "The tenant the key acts for.")
        String tenant;
        @Option(names = "--name", defaultValue = "", description = "A name to know it by.")
        String name;
        @Option(names = "--admin", description = "An admin key (may manage keys).")
        boolean admin;

        @Override
        int run(Porthole porthole, Output out) {
            var created = Wire.key(porthole.keys().create(tenant, name, admin));
            out.object(created, List.of(Output.Column.field("id", "id"), Output.Column.field("tenant", "tenant"),
                    Output.Column.field("name", "name"), Output.Column.field("admin", "admin"),
                    new Output.Column("key", n -> Output.text(n, "key") + "   (shown once; only its hash is stored)")));
            return ExitCodes.OK;
        }
    }

    @Command(name = "ls", aliases = "list", description = "List keys (never their secrets).", mixinStandardHelpOptions = true)
    static final class Ls extends ApiCommand {
        @Override
        int run(Porthole porthole, Output out) {
            var items = Json.MAPPER.createArrayNode();
            porthole.keys().list().forEach(k -> items.add(Wire.key(k)));
            out.table(items, COLUMNS);
            return ExitCodes.OK;
        }
    }

    @Command(name = "rm", aliases = "revoke", description = "Revoke keys.", mixinStandardHelpOptions = true)
    static final class Rm extends ApiCommand {
        @Parameters(paramLabel = "KEY_ID", arity = "1..*", description = "The keys' ids (not the keys).")
        List<String> ids;

        @Override
        int run(Porthole porthole, Output out) {
            var results = Json.MAPPER.createArrayNode();
            for (var id : ids) {
                porthole.keys().revoke(id);
                results.addObject().put("id", id).put("revoked", true);
                if (!out.json()) out.writer().println("revoked " + id);
            }
            if (out.json()) out.print(results);
            out.writer().flush();
            return ExitCodes.OK;
        }
    }
}
