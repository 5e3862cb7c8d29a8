package dev.indelible.client.verify;

import dev.indelible.formats.merkle.ProofVerificationException;

/**
 * A full verification found an entry whose bytes do not hash to the leaf hash the log committed
 * to, or a tile that disagrees with the entries. {@link #leafIndex()} names the first bad leaf.
 */
public final class LeafMismatchException extends ProofVerificationException {
    private static final long serialVersionUID = 1L;

    private final long leafIndex;

    /** A mismatch at {@code leafIndex}, described by {@code message}. */
    public LeafMismatchException(long leafIndex, String message) {
        super(message);
        this.leafIndex = leafIndex;
    }

    /** The first leaf index that failed. */
    public long leafIndex() {
        return leafIndex;
    }
}
