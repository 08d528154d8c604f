package io.porthole.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command that talks to a server: the shared options, the client they make, and where output goes. */
abstract class ApiCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() {
        var root = (Porthole) spec.root().userObject();
        return run(client.api(root.env()), new Output(spec.commandLine().getOut(), client.json));
    }

    /** Runs the command; returns its exit code; fails with a {@link CliException}. */
    abstract int run(Api api, Output out);

    /** The error an ActionResult carries when its status is "error", else nothing. */
    static void requireSuccess(com.fasterxml.jackson.databind.JsonNode result) {
        if ("error".equals(result.path("status").asText())) {
            var code = result.path("error_code").asText("action_failed");
            throw CliException.error(code.isEmpty() ? "action_failed" : code,
                    result.path("error_message").asText("the action failed"));
        }
    }
}
