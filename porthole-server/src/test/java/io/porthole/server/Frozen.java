package io.porthole.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What the kernel says of a computer's processes: stopped by a signal, frozen by the cgroup freezer (v1's
 * {@code freezer.state}, v2's {@code cgroup.events}), running, or gone. For suspend and standby tests.
 */
final class Frozen {
    private Frozen() {}

    /** A process's State letter, or {@code stopped}, {@code frozen} or {@code gone}. */
    static String stateOf(ProcessHandle h) {
        var proc = Path.of("/proc", Long.toString(h.pid()));
        try {
            var state = Files.readAllLines(proc.resolve("status")).stream().filter(l -> l.startsWith("State:"))
                    .map(l -> l.substring(6).trim()).findFirst().orElse("?");
            if (state.startsWith("T")) return "stopped";
            for (var line : Files.readAllLines(proc.resolve("cgroup"))) {
                var p = line.split(":", 3);
                if (p[1].equals("freezer")) {
                    var f = Path.of("/sys/fs/cgroup/freezer", p[2], "freezer.state");
                    if (Files.exists(f) && Files.readString(f).trim().equals("FROZEN")) return "frozen";
                } else if (p[0].equals("0") && p[1].isEmpty() && !p[2].equals("/")) {
                    var events = Path.of("/sys/fs/cgroup", p[2], "cgroup.events");
                    if (Files.exists(events) && Files.readAllLines(events).contains("frozen 1")) return "frozen";
                }
            }
            return state;
        } catch (IOException e) {
            return "gone";
        }
    }

    static String describe(List<ProcessHandle> processes) {
        var sb = new StringBuilder();
        for (var h : processes) {
            var cmd = h.info().commandLine().orElse("?");
            sb.append(h.pid()).append(' ').append(stateOf(h)).append(' ').append(cmd, 0, Math.min(100, cmd.length()))
                    .append('\n');
        }
        return sb.toString();
    }

    /** Every process is stopped, frozen or gone, and at least one process of {@code program} is still there. */
    static boolean allStopped(List<ProcessHandle> processes, String program) {
        return processes.stream().allMatch(h -> List.of("stopped", "frozen", "gone").contains(stateOf(h)))
                && processes.stream().filter(h -> h.info().commandLine().orElse("").contains(program))
                        .anyMatch(h -> !stateOf(h).equals("gone"));
    }

    static boolean noneStopped(List<ProcessHandle> processes) {
        return processes.stream().noneMatch(h -> List.of("stopped", "frozen").contains(stateOf(h)));
    }
}
