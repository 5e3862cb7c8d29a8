package dev.indelible.client;

import dev.indelible.formats.merkle.Hash;
import java.util.List;

/**
 * A complete receipt for one appended entry, returned by appends that wait for a checkpoint: the
 * entry's position and hash, its RFC 9162 inclusion proof into the signed checkpoint of {@code
 * treeSize} leaves, and the same bundled as C2SP {@code tlog-proof@v1} text that anyone can verify
 * offline (see {@link dev.indelible.client.verify.ReceiptVerifier}).
 *
 * @param leafIndex the entry's 0-based position
 * @param leafHash {@code SHA-256(0x00 || entry bytes)}
 * @param treeSize the size of the checkpoint the proof leads to
 * @param inclusionProof RFC 9162 §2.1.3 audit path from the leaf to that checkpoint's root
 * @param checkpoint the signed checkpoint note, as text
 * @param tlogProof the C2SP tlog-proof@v1 text
 */
public record Receipt(
        long leafIndex, Hash leafHash, long treeSize, List<Hash> inclusionProof, String checkpoint, String tlogProof) {
    /** Copies the proof list. */
    public Receipt {
        inclusionProof = List.copyOf(inclusionProof);
    }
}
