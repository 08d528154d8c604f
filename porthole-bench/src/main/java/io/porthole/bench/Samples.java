package io.porthole.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Values of one operation with nearest-rank percentiles: latencies in milliseconds ({@link #add}), or any other
 * quantity ({@link #addValue}, e.g. a throughput). Not thread-safe.
 */
final class Samples {
    private final List<Double> millis = new ArrayList<>();
    private int errors;

    void add(long nanos) {
        millis.add(nanos / 1e6);
    }

    /** Adds a value as it is (not a duration). */
    void addValue(double value) {
        millis.add(value);
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

    /** The smallest value. */
    double min() {
        return millis.isEmpty() ? Double.NaN : Collections.min(millis);
    }

    double p50() {
        return percentile(50);
    }

    double p99() {
        return percentile(99);
    }
}
