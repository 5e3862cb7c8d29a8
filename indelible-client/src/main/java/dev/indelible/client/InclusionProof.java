package dev.indelible.client;

import dev.indelible.formats.merkle.Hash;
import java.util.List;

/**
 * An RFC 9162 §2.1.3 inclusion proof, as served; unverified until checked with {@link
 * dev.indelible.formats.merkle.MerkleVerifier#verifyInclusion}.
 *
 * @param leafIndex the leaf proven
 * @param treeSize the tree it is proven into
 * @param hashes the audit path, leaf side first
 */
public record InclusionProof(long leafIndex, long treeSize, List<Hash> hashes) {
    /** Copies the hash list. */
    public InclusionProof {
        hashes = List.copyOf(hashes);
    }
}
