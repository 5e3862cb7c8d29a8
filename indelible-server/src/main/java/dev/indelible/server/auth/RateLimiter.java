package dev.indelible.server.auth;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Token buckets by key (a principal name, or an address for anonymous requests and failed
 * attempts). A bucket holds at most {@code burst} permits and refills at {@code perSecond}.
 *
 * <p>Bounded: at most {@link #KEYS_MAX} buckets; when full, buckets that have refilled completely
 * (idle keys, which carry no state worth keeping) are dropped, and if none can be dropped a new key
 * shares the refusal of an over-full table rather than growing it.
 */
final class RateLimiter {
    /** The most keys tracked at once. */
    static final int KEYS_MAX = 100_000;

    private final double perSecond;
    private final int burst;
    private final LongSupplier nanoTime;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    RateLimiter(double perSecond, int burst, LongSupplier nanoTime) {
        this.perSecond = perSecond;
        this.burst = burst;
        this.nanoTime = nanoTime;
    }

    /**
     * Takes one permit for {@code key}.
     *
     * @return 0 if granted, else how many whole seconds (at least 1) until one is available
     */
    long acquire(String key) {
        if (perSecond <= 0) {
            return 0;
        }
        long now = nanoTime.getAsLong();
        Bucket bucket = buckets.get(key);
        if (bucket == null) {
            if (buckets.size() >= KEYS_MAX) {
                evictIdle(now);
                if (buckets.size() >= KEYS_MAX) {
                    return 1;
                }
            }
            bucket = buckets.computeIfAbsent(key, k -> new Bucket(burst, now));
        }
        return bucket.take(now, perSecond, burst);
    }

    private void evictIdle(long now) {
        buckets.entrySet().removeIf(e -> e.getValue().full(now, perSecond, burst));
    }

    int size() {
        return buckets.size();
    }

    private static final class Bucket {
        private double permits;
        private long updatedNanos;

        Bucket(double permits, long now) {
            this.permits = permits;
            this.updatedNanos = now;
        }

        synchronized long take(long now, double perSecond, int burst) {
            refill(now, perSecond, burst);
            if (permits >= 1) {
                permits -= 1;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - permits) / perSecond));
        }

        synchronized boolean full(long now, double perSecond, int burst) {
            refill(now, perSecond, burst);
            return permits >= burst;
        }

        private void refill(long now, double perSecond, int burst) {
            double elapsedSeconds = (now - updatedNanos) / 1e9;
            if (elapsedSeconds > 0) {
                permits = Math.min(burst, permits + elapsedSeconds * perSecond);
                updatedNanos = now;
            }
        }
    }
}
