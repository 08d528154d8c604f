package io.porthole.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Latencies of one operation, in milliseconds, with nearest-rank percentiles. Not thread-safe. */
final class Samples {
    private final List<Double> millis = new ArrayList<>();
    private int errors;

    void add(long nanos) {
        millis.add(nanos / 1e6);
    }

    void error() {
        errors++;
    }

    int count() {
        return millis.size();
    }

    int errors() {
        return errors;
    }

    /** Nearest-rank percentile: the smallest sample with at least {@code p}% of samples at or below it. */
    double percentile(double p) {
        if (millis.isEmpty()) return Double.NaN;
        var sorted = new ArrayList<>(millis);
        Collections.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    double p50() {
        return percentile(50);
    }

    double p99() {
        return percentile(99);
    }
}
