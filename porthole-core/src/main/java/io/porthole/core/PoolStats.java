package io.porthole.core;

/**
 * One warm pool shape's counts (the admin route's {@code GET /admin/pool}).
 *
 * @param shape the shape as {@code PORTHOLE_POOL} spells it
 * @param target how many of it the pool keeps ready
 * @param ready how many are ready now
 * @param starting how many are being started now
 * @param standby how many of the ready ones are frozen (in standby) while they wait
 * @param claims creates it served since the server started
 * @param misses creates of this shape that found none ready (and started cold)
 * @param started computers started for it
 * @param failed starts that failed
 */
public record PoolStats(String shape, String kind, String engine, String templateId, int width, int height,
                        double scale, int target, int ready, int starting, int standby, long claims, long misses, long started,
                        long failed) {}
