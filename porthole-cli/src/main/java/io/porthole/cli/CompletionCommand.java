package io.porthole.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code porthole completion bash}: the shell completion script, made by picocli from the command tree. */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Print the shell completion script (bash, zsh).", "Load it now, or from ~/.bashrc:",
                "  source <(porthole completion bash)"})
final class CompletionCommand implements Callable<Integer> {
    @Parameters(paramLabel = "SHELL", defaultValue = "bash", description = "bash (default) or zsh (the same script,"
            + " through zsh's bashcompinit).")
    String shell;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (!shell.equals("bash") && !shell.equals("zsh")) {
            throw new CliException("invalid_argument", "completion is made for bash or zsh, not '" + shell + "'",
                    ExitCodes.USAGE);
        }
        var out = spec.commandLine().getOut();
        out.print(AutoComplete.bash("porthole", spec.root().commandLine()));
        out.flush();
        return ExitCodes.OK;
    }
}
