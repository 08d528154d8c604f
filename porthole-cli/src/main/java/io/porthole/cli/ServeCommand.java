package io.porthole.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code porthole serve}: the server in the foreground, exactly as {@code script/server} runs it. The arguments go to
 * the server's own {@code io.porthole.server.Main} unparsed, so flags and environment mean the same in both.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run the Porthole server in the foreground; Ctrl-C stops it and its computers.",
                "Every PORTHOLE_* setting works as a flag, as for script/server",
                "(PORTHOLE_DATA_DIR is --data-dir=DIR):",
                "  porthole serve --port=9000 --data-dir=/tmp/ph",
                "It prints its URL and where its API key is; on this host, the other",
                "commands find that key by themselves (see --api-key)."})
final class ServeCommand implements Callable<Integer> {
    @Unmatched
    List<String> serverArgs = new ArrayList<>();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        var args = new ArrayList<String>();
        args.add("serve");
        args.addAll(serverArgs);
        ((PortholeCommand) spec.root().userObject()).server().accept(args.toArray(String[]::new));
        return ExitCodes.OK;
    }
}
