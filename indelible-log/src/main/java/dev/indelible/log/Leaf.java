package dev.indelible.log;

import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.merkle.LeafHasher;
import dev.indelible.formats.merkle.Rfc9162;

/**
 * One entry ready to be sequenced: the exact bytes that become a leaf, and their RFC 9162 leaf hash
 * (computed by the caller's thread, off the sequencer's critical path).
 */
public record Leaf(byte[] bytes, Hash leafHash) {
    /** The C2SP entry bundle limit: a leaf entry is at most 65,535 bytes. */
    public static final int MAX_BYTES = 65_535;

    /** Checks the size bound. */
    public Leaf {
        if (bytes.length == 0 || bytes.length > MAX_BYTES) {
            throw new IllegalArgumentException("leaf of " + bytes.length + " bytes, want 1.." + MAX_BYTES);
        }
    }

    /** Hashes {@code bytes} into a leaf. */
    public static Leaf of(byte[] bytes) {
        return new Leaf(bytes, Rfc9162.leafHash(bytes));
    }

    /** Hashes {@code bytes} into a leaf with {@code hasher} (reused across the leaves of a batch). */
    public static Leaf of(byte[] bytes, LeafHasher hasher) {
        return new Leaf(bytes, hasher.leafHash(bytes));
    }
}
