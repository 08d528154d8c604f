package io.porthole.runtime.local;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/** The processes a sandbox started and that still run, so that closing it can end and await them. */
final class StartedProcesses {
    private final ConcurrentHashMap<Long, Process> live = new ConcurrentHashMap<>();

    void add(Process p) {
        live.put(p.pid(), p);
        p.onExit().thenRun(() -> live.remove(p.pid()));
    }

    List<Process> processes() {
        return List.copyOf(live.values());
    }

    /** Every started process that still runs, and everything below it. */
    List<ProcessHandle> snapshot() {
        var out = new ArrayList<ProcessHandle>();
        for (var p : live.values()) {
            out.add(p.toHandle());
            p.descendants().forEach(out::add);
        }
        return out;
    }
}
