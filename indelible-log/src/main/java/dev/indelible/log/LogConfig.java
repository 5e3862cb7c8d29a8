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
 * @param tailReplayable whether something else durably holds every entry past the latest checkpoint
 *     and will apply it again after a crash — a cluster replica's Raft log, replayed from its last
 *     snapshot. Then {@link LogApplier#append} does not fsync (the Raft quorum made the entry
 *     durable), entries are fsync'd before each checkpoint and each snapshot ({@link
 *     LogApplier#sync}), and recovery truncates damage past the latest checkpoint as a torn tail
 *     instead of refusing to open. False for a single node, which fsyncs before it acknowledges.
 */
public record LogConfig(
        int batchMaxSize,
        int pushbackMaxOutstanding,
        Duration checkpointInterval,
        long segmentMaxBytes,
        boolean tailReplayable) {
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
                DEFAULT_SEGMENT_MAX_BYTES,
                false);
    }

    /** A copy with another checkpoint interval. */
    public LogConfig withCheckpointInterval(Duration interval) {
        return new LogConfig(batchMaxSize, pushbackMaxOutstanding, interval, segmentMaxBytes, tailReplayable);
    }

    /** A copy with another segment size. */
    public LogConfig withSegmentMaxBytes(long bytes) {
        return new LogConfig(batchMaxSize, pushbackMaxOutstanding, checkpointInterval, bytes, tailReplayable);
    }

    /** A copy for a log whose entries past the latest checkpoint a Raft log replays (see {@link #tailReplayable}). */
    public LogConfig withTailReplayable(boolean replayable) {
        return new LogConfig(batchMaxSize, pushbackMaxOutstanding, checkpointInterval, segmentMaxBytes, replayable);
    }

    private static void requireWithin(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " " + value + " outside [" + min + ", " + max + "]");
        }
    }
}
