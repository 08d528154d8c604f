package io.porthole.core;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What this node's live computers are doing at one moment, counted for the metrics (ADR 0033): no ids, no tenants.
 * Immutable.
 *
 * @param computers how many computers there are by {@code [state, kind, engine]}: state as on the wire
 *     ({@code starting}, {@code running}, {@code paused}), or {@code ending} while one is torn down
 * @param standby how many of the running ones are in standby (frozen until something reaches into them)
 * @param eventSubscribers how many {@code /events} streams are open
 * @param screencastViewers how many watch a screen (live view, console, {@code /screencast})
 * @param holds how many hold a computer awake now, by what for ({@code connection}: a CDP or BiDi client;
 *     {@code viewer}, {@code rpc}, {@code action}, {@code command}, …)
 */
public record Census(Map<List<String>, Integer> computers, int standby, int eventSubscribers, int screencastViewers,
                     Map<String, Integer> holds) {
    public Census {
        computers = Map.copyOf(computers);
        holds = Map.copyOf(holds);
    }

    static Census of(Collection<Computer> live, Map<String, Integer> holds) {
        var counts = new HashMap<List<String>, Integer>();
        int standby = 0;
        int subscribers = 0;
        int viewers = 0;
        for (var c : live) {
            var r = c.record();
            // one that is ending is counted as such until its teardown is over (its record says terminated at once)
            var state = c.isEnding() ? "ending" : r.status().wireName();
            counts.merge(List.of(state, r.kind(), r.engine()), 1, Integer::sum);
            if (c.inStandby()) standby++;
            subscribers += c.events().subscribers();
            viewers += c.viewers();
        }
        return new Census(counts, standby, subscribers, viewers, holds);
    }
}
