package io.porthole.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import io.porthole.sdk.PortholeException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code porthole}: the command line for a Porthole server (ADR 0031). Every subcommand is a {@link Callable} returning
 * its exit code; failures print {@code error: <code>: <message>} on stderr and exit with a code of {@link ExitCodes}.
 */
@Command(name = "porthole", mixinStandardHelpOptions = true, versionProvider = PortholeCommand.Version.class,
        description = "Sandboxed browser and desktop computers for AI agents: drive them, and run the server.",
        subcommands = {ComputersCommand.class, SandboxesCommand.class, KeysCommand.class, ServeCommand.class,
                CompletionCommand.class},
        footerHeading = "%nExit codes:%n",
        footer = {"  0  ok                 4  auth: no key, a wrong key, not an admin's (401/403)",
                "  1  error              5  rate limited (429)",
                "  2  usage              6  server error (5xx)",
                "  3  not found (404)    7  connection error or timeout",
                "  'computers exec' exits with the remote command's own exit code."})
public final class PortholeCommand implements Callable<Integer> {
    private final Map<String, String> env;
    private final Consumer<String[]> server;

    @Spec
    CommandSpec spec;

    /** @param env the environment (defaults for options); @param server runs the server's main with its arguments */
    PortholeCommand(Map<String, String> env, Consumer<String[]> server) {
        this.env = Map.copyOf(env);
        this.server = server;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, System.getenv(), io.porthole.server.Main::main));
    }

    /** Runs one command line in this JVM (tests call this with their own streams and environment). */
    static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env, Consumer<String[]> server) {
        var cl = commandLine(env, server);
        cl.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        return cl.execute(args);
    }

    static CommandLine commandLine(Map<String, String> env, Consumer<String[]> server) {
        var cl = new CommandLine(new PortholeCommand(env, server));
        cl.setExecutionExceptionHandler((e, command, parsed) -> {
            if (e instanceof CliException c) {
                command.getErr().println("error: " + c.code() + ": " + c.getMessage());
                return c.exitCode();
            }
            if (e instanceof PortholeException p) {
                // the SDK's: status 0 is no answer at all (connection, timeout); 200 an action that failed
                command.getErr().println("error: " + (p.code().isEmpty() ? "error" : p.code()) + ": " + p.getMessage());
                return ExitCodes.forStatus(p.status());
            }
            if (e instanceof IllegalArgumentException) {
                // the SDK's check of a value the command line let through (a negative size, a bad URL)
                command.getErr().println("error: invalid_argument: " + e.getMessage());
                return ExitCodes.USAGE;
            }
            // a bug of ours: say what, without a stack trace
            command.getErr().println("error: internal: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()));
            return ExitCodes.ERROR;
        });
        cl.setParameterExceptionHandler((e, args) -> {
            var command = e.getCommandLine();
            command.getErr().println("error: usage: " + e.getMessage());
            command.getErr().println("Try '" + command.getCommandSpec().qualifiedName() + " --help'.");
            return ExitCodes.USAGE;
        });
        return cl;
    }

    Map<String, String> env() {
        return env;
    }

    Consumer<String[]> server() {
        return server;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }

    /** The version in the jar's manifest (the build's), or "development" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            var v = PortholeCommand.class.getPackage().getImplementationVersion();
            return new String[] {"porthole " + (v == null ? "development" : v)};
        }
    }

    /** A command made of subcommands: alone, it shows its usage and exits 2. */
    abstract static class Group implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().usage(spec.commandLine().getErr());
            return ExitCodes.USAGE;
        }
    }
}
