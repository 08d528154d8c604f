package io.porthole.runtime.local;

import io.porthole.core.PortholeException;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** Suspending a sandbox: the cgroup freezer where there is one, SIGSTOP/SIGCONT of every process otherwise. */
final class Signals {
    private Signals() {}

    static void freeze(Optional<Cgroups.Group> group, Supplier<List<ProcessHandle>> processes, boolean frozen) {
        try {
            if (group.isPresent() && Cgroups.freeze(group.get(), frozen)) return;
            var pids = processes.get().stream().map(h -> Long.toString(h.pid())).toList();
            if (pids.isEmpty()) return;
            var cmd = new java.util.ArrayList<String>(List.of("/bin/kill", frozen ? "-STOP" : "-CONT", "--"));
            cmd.addAll(pids);
            var p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            p.waitFor();
        } catch (IOException e) {
            throw new PortholeException.Unavailable("the computer could not be " + (frozen ? "suspended" : "resumed")
                    + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PortholeException.Unavailable("interrupted");
        }
    }
}
