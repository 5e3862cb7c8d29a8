package dev.indelible.storage;

/**
 * Stored bytes failed verification (bad CRC, bad header, digest mismatch, a gap in leaf indexes).
 * Never means "try again": the caller must refuse to serve the range and raise an alarm.
 */
public final class CorruptionException extends StorageFailedException {
    private static final long serialVersionUID = 1L;

    private final transient Corruption corruption;

    /** Wraps the evidence. */
    public CorruptionException(Corruption corruption) {
        super(corruption.toString());
        this.corruption = corruption;
    }

    /** Where and what. */
    public Corruption corruption() {
        return corruption;
    }
}
