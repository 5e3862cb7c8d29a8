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
 */
public record SegmentOptions(long segmentMaxBytes, int recordMaxBytes) {
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
            throw new IllegalArgumentException("segmentMaxBytes " + segmentMaxBytes + ", want ["
                    + MIN_SEGMENT_MAX_BYTES + ", " + MAX_SEGMENT_MAX_BYTES + "]");
        }
        if (recordMaxBytes < 1 || recordMaxBytes > RECORD_MAX_BYTES_LIMIT) {
            throw new IllegalArgumentException(
                    "recordMaxBytes " + recordMaxBytes + ", want [1, " + RECORD_MAX_BYTES_LIMIT + "]");
        }
    }

    /** The defaults. */
    public static SegmentOptions defaults() {
        return new SegmentOptions(DEFAULT_SEGMENT_MAX_BYTES, DEFAULT_RECORD_MAX_BYTES);
    }

    /** A copy with another {@code segmentMaxBytes}. */
    public SegmentOptions withSegmentMaxBytes(long bytes) {
        return new SegmentOptions(bytes, recordMaxBytes);
    }

    /** A copy with another {@code recordMaxBytes}. */
    public SegmentOptions withRecordMaxBytes(int bytes) {
        return new SegmentOptions(segmentMaxBytes, bytes);
    }
}
