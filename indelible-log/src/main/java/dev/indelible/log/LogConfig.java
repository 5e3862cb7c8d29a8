package dev.indelible.log;

import java.time.Duration;

/**
 * The tunables of one log's append pipeline. Every value has a named default and a bound, checked
 * here so that a bad configuration fails at start-up with the value that is wrong.
 *
 * @param batchMaxSize entries sequenced under one fsync (a soft target: one request is never split)
 * @param pushbackMaxOutstanding entries waiting to be sequenced before appends are refused with
 *     {@link ErrorCode#OVERLOADED}
 * @param checkpointInterval the shortest time between two published checkpoints
 * @param segmentMaxBytes the size at which the active segment is sealed and a new one started
 */
public record LogConfig(
        int batchMaxSize, int pushbackMaxOutstanding, Duration checkpointInterval, long segmentMaxBytes) {
    public static final int DEFAULT_BATCH_MAX_SIZE = 8_192;
    public static final int DEFAULT_PUSHBACK_MAX_OUTSTANDING = 200_000;
    public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(1);
    public static final long DEFAULT_SEGMENT_MAX_BYTES = 64L << 20;

    /** Checks bounds. */
    public LogConfig {
        requireWithin("batchMaxSize", batchMaxSize, 1, 1_000_000);
        requireWithin("pushbackMaxOutstanding", pushbackMaxOutstanding, batchMaxSize, 10_000_000);
        requireWithin("checkpointIntervalMillis", checkpointInterval.toMillis(), 10, 3_600_000);
        requireWithin("segmentMaxBytes", segmentMaxBytes, 4_096, 1L << 30);
    }

    /** The defaults. */
    public static LogConfig defaults() {
        return new LogConfig(
                DEFAULT_BATCH_MAX_SIZE,
                DEFAULT_PUSHBACK_MAX_OUTSTANDING,
                DEFAULT_CHECKPOINT_INTERVAL,
                DEFAULT_SEGMENT_MAX_BYTES);
    }

    /** A copy with another checkpoint interval. */
    public LogConfig withCheckpointInterval(Duration interval) {
        return new LogConfig(batchMaxSize, pushbackMaxOutstanding, interval, segmentMaxBytes);
    }

    /** A copy with another segment size. */
    public LogConfig withSegmentMaxBytes(long bytes) {
        return new LogConfig(batchMaxSize, pushbackMaxOutstanding, checkpointInterval, bytes);
    }

    private static void requireWithin(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " " + value + " outside [" + min + ", " + max + "]");
        }
    }
}
