package dev.indelible.storage.segment;

/**
 * Tunables of a {@link SegmentStore}.
 *
 * @param segmentMaxBytes the active segment is sealed and a new one started once a batch leaves it
 *     larger than this; default {@value #DEFAULT_SEGMENT_MAX_BYTES}, bounds
 *     [{@value #MIN_SEGMENT_MAX_BYTES}, {@value #MAX_SEGMENT_MAX_BYTES}] (the low bound lets tests
 *     roll often)
 * @param recordMaxBytes the largest entry {@link SegmentStore#append} accepts; default
 *     {@value #DEFAULT_RECORD_MAX_BYTES}, bounds [1, {@value #RECORD_MAX_BYTES_LIMIT}]
 * @param unsyncedFrom the first leaf index whose record the owner may not have fsync'd before a
 *     crash ({@link #NEVER_UNSYNCED}: every record past the durable size was written under an
 *     fsync-before-acknowledge rule). Writes that were never fsync'd can reach the disk out of
 *     order, so recovery treats damage in the active segment at or past this index as a torn tail
 *     (truncated) rather than corruption; the owner must be able to write those records again
 *     (a replica re-applies them from its Raft log)
 */
public record SegmentOptions(long segmentMaxBytes, int recordMaxBytes, long unsyncedFrom) {
    /** {@link #unsyncedFrom} of a store whose every record is fsync'd before it is acknowledged. */
    public static final long NEVER_UNSYNCED = Long.MAX_VALUE;

    /** 64 MiB. */
    public static final long DEFAULT_SEGMENT_MAX_BYTES = 64L << 20;
    /** 4 KiB: small enough for tests that roll every few records. */
    public static final long MIN_SEGMENT_MAX_BYTES = 4L << 10;
    /** 1 GiB. */
    public static final long MAX_SEGMENT_MAX_BYTES = 1L << 30;
    /** 128 KiB: room for a 65,535-byte entry plus its envelope. */
    public static final int DEFAULT_RECORD_MAX_BYTES = 128 << 10;
    /**
     * 1 MiB: the format limit. Recovery judges record lengths against this, not against the
     * configured {@code recordMaxBytes}, so that lowering the setting never turns old records into
     * "corruption".
     */
    public static final int RECORD_MAX_BYTES_LIMIT = 1 << 20;

    /** Validates the bounds. */
    public SegmentOptions {
        if (segmentMaxBytes < MIN_SEGMENT_MAX_BYTES || segmentMaxBytes > MAX_SEGMENT_MAX_BYTES) {
            throw new IllegalArgumentException("segmentMaxBytes " + segmentMaxBytes + ", want [" + MIN_SEGMENT_MAX_BYTES
                    + ", " + MAX_SEGMENT_MAX_BYTES + "]");
        }
        if (recordMaxBytes < 1 || recordMaxBytes > RECORD_MAX_BYTES_LIMIT) {
            throw new IllegalArgumentException(
                    "recordMaxBytes " + recordMaxBytes + ", want [1, " + RECORD_MAX_BYTES_LIMIT + "]");
        }
        if (unsyncedFrom < 0) {
            throw new IllegalArgumentException("unsyncedFrom " + unsyncedFrom + ", want >= 0");
        }
    }

    /** The defaults. */
    public static SegmentOptions defaults() {
        return new SegmentOptions(DEFAULT_SEGMENT_MAX_BYTES, DEFAULT_RECORD_MAX_BYTES, NEVER_UNSYNCED);
    }

    /** A copy with another {@code segmentMaxBytes}. */
    public SegmentOptions withSegmentMaxBytes(long bytes) {
        return new SegmentOptions(bytes, recordMaxBytes, unsyncedFrom);
    }

    /** A copy with another {@code recordMaxBytes}. */
    public SegmentOptions withRecordMaxBytes(int bytes) {
        return new SegmentOptions(segmentMaxBytes, bytes, unsyncedFrom);
    }

    /** A copy whose records from leaf index {@code leafIndex} on may not have been fsync'd before a crash. */
    public SegmentOptions withUnsyncedFrom(long leafIndex) {
        return new SegmentOptions(segmentMaxBytes, recordMaxBytes, leafIndex);
    }
}
