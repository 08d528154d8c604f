package io.porthole.cli;

import io.porthole.sdk.Porthole;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A command that talks to a server through the SDK: the shared options, the client they make, and where output goes.
 * The SDK's exceptions are turned into exit codes in one place, {@link PortholeCommand#commandLine}.
 */
abstract class ApiCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() {
        var root = (PortholeCommand) spec.root().userObject();
        var target = client.target(root.env());
        try (var porthole = Porthole.builder().environment(root.env()).baseUrl(target.baseUrl())
                .apiKey(target.requireKey()).timeout(target.timeout()).build()) {
            return run(porthole, new Output(spec.commandLine().getOut(), client.json));
        }
    }

    /** Runs the command; returns its exit code; fails with a {@link CliException} or the SDK's exceptions. */
    abstract int run(Porthole porthole, Output out);
}
