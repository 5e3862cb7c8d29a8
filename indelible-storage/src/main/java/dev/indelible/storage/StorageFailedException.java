package dev.indelible.storage;

/**
 * A store is in the <em>failed</em> state and refuses writes: an fsync failed (the page-cache
 * state is unknown, so it is never retried), the disk is full, a write failed half-way, or stored
 * bytes are corrupt.
 *
 * <p>What the caller must do: stop accepting writes for this log, report health as down, and
 * restart (recovery then decides what survived) or repair from a replica. Retrying the operation
 * on the same store instance is pointless: it fails again with the same cause.
 */
public class StorageFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** A failure caused by {@code cause}. */
    public StorageFailedException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A failure without an underlying exception. */
    public StorageFailedException(String message) {
        super(message);
    }
}
