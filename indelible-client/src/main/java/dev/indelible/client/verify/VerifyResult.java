package dev.indelible.client.verify;

import dev.indelible.formats.merkle.Hash;

/**
 * What a {@link LogVerifier} run established. Every field describes something that was checked;
 * a run that fails a check throws instead of returning.
 *
 * @param origin the log's origin
 * @param treeSize the size of the verified checkpoint
 * @param rootHash its root hash
 * @param previousTreeSize the size proven consistent with, from the state file; -1 if none
 * @param entriesChecked entries re-hashed and tiles compared ({@code treeSize} after a full run,
 *     else 0)
 */
public record VerifyResult(String origin, long treeSize, Hash rootHash, long previousTreeSize, long entriesChecked) {
    /** Whether a consistency proof from an earlier verified checkpoint was checked. */
    public boolean consistencyChecked() {
        return previousTreeSize >= 0;
    }

    /** Whether every entry and level-0 tile was recomputed. */
    public boolean fullChecked() {
        return entriesChecked == treeSize && treeSize > 0;
    }

    /** One line for humans. */
    public String summary() {
        StringBuilder out = new StringBuilder("verified ")
                .append(origin)
                .append(" at tree size ")
                .append(treeSize)
                .append(", root ")
                .append(rootHash.base64())
                .append(": signature ok");
        if (consistencyChecked()) {
            out.append(", consistent with tree size ").append(previousTreeSize);
        }
        if (entriesChecked > 0) {
            out.append(", ").append(entriesChecked).append(" entries and tiles recomputed");
        }
        return out.toString();
    }
}
