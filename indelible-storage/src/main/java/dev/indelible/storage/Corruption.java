package dev.indelible.storage;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Evidence that stored bytes are damaged: where, and from which leaf on nothing can be trusted.
 *
 * <p>Corruption is never repaired by truncation or skipping: a store that finds it keeps serving
 * what lies before {@link #firstBadLeafIndex()} and refuses everything at or after it, so that an
 * operator (or a replica) can repair the range.
 *
 * @param file the damaged file
 * @param offset byte offset in {@code file} of the first bad record or header
 * @param firstBadLeafIndex the first leaf index that cannot be served, or {@link #NOT_A_LEAF} for
 *     files that do not hold leaves (checkpoint history, blobs)
 * @param reason what is wrong, with the values that failed ("CRC 0x1a2b3c4d, want 0x…")
 */
public record Corruption(Path file, long offset, long firstBadLeafIndex, String reason) {
    /** {@link #firstBadLeafIndex()} of corruption in a file that holds no leaves. */
    public static final long NOT_A_LEAF = -1;

    /** Validates the fields. */
    public Corruption {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(reason, "reason");
        if (offset < 0) {
            throw new IllegalArgumentException("offset " + offset + " < 0");
        }
        if (firstBadLeafIndex < NOT_A_LEAF) {
            throw new IllegalArgumentException("firstBadLeafIndex " + firstBadLeafIndex);
        }
    }

    @Override
    public String toString() {
        String leaf = firstBadLeafIndex == NOT_A_LEAF ? "" : "leaf " + firstBadLeafIndex + ", ";
        return "corruption at " + leaf + file + " offset " + offset + ": " + reason;
    }
}
