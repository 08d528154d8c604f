package io.porthole.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A command on the admin API, which the SDK does not cover (it is for operators, not agents): plain HTTP through
 * {@link Api}.
 */
abstract class AdminCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() {
        var root = (PortholeCommand) spec.root().userObject();
        var target = client.target(root.env());
        return run(new Api(target.baseUrl(), target.requireKey(), target.timeout()),
                new Output(spec.commandLine().getOut(), client.json));
    }

    abstract int run(Api api, Output out);
}
