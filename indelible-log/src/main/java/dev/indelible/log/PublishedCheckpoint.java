package dev.indelible.log;

import dev.indelible.formats.merkle.Hash;
import java.nio.charset.StandardCharsets;

/**
 * A checkpoint the log has signed, stored durably and exposed: its tree size, root hash and the
 * complete C2SP signed note.
 */
public record PublishedCheckpoint(long treeSize, Hash rootHash, byte[] signedNote) {
    /** The signed note as text. */
    public String noteText() {
        return new String(signedNote, StandardCharsets.UTF_8);
    }
}
