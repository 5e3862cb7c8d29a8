package dev.indelible.client;

import dev.indelible.formats.merkle.Hash;
import java.util.List;

/**
 * An RFC 9162 §2.1.4 consistency proof, as served; unverified until checked with {@link
 * dev.indelible.formats.merkle.MerkleVerifier#verifyConsistency}.
 *
 * @param from the older tree size
 * @param to the newer tree size
 * @param hashes the proof nodes
 */
public record ConsistencyProof(long from, long to, List<Hash> hashes) {
    /** Copies the hash list. */
    public ConsistencyProof {
        hashes = List.copyOf(hashes);
    }
}
