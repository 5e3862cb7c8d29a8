package dev.indelible.storage.checkpoint;

import java.util.Arrays;

/**
 * One published checkpoint as stored: the tree size it commits to and the exact bytes of the
 * signed note (C2SP signed-note wrapping a tlog-checkpoint). The note is copied in and out, so a
 * {@code StoredCheckpoint} never changes.
 *
 * @param treeSize the tree size the checkpoint commits to
 * @param signedNote the signed note, byte for byte as published
 */
public record StoredCheckpoint(long treeSize, byte[] signedNote) {
    /** Validates and copies. */
    public StoredCheckpoint {
        if (treeSize < 0) {
            throw new IllegalArgumentException("treeSize " + treeSize + " < 0");
        }
        signedNote = signedNote.clone();
    }

    /** A copy of the note bytes. */
    @Override
    public byte[] signedNote() {
        return signedNote.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof StoredCheckpoint c && c.treeSize == treeSize && Arrays.equals(c.signedNote, signedNote);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(treeSize) * 31 + Arrays.hashCode(signedNote);
    }

    @Override
    public String toString() {
        return "StoredCheckpoint[treeSize=" + treeSize + ", signedNote=" + signedNote.length + " bytes]";
    }
}
