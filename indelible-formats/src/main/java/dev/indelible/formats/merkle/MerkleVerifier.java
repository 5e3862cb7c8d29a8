package dev.indelible.formats.merkle;

import java.util.ArrayList;
import java.util.List;

/**
 * Verifies RFC 9162 inclusion proofs (§2.1.3.2) and consistency proofs (§2.1.4.2), following the
 * RFC's bit-shifting algorithms step by step. Every method either returns normally or throws {@link
 * ProofVerificationException}; there is no boolean to forget to check.
 */
public final class MerkleVerifier {
    private MerkleVerifier() {}

    /**
     * Checks that {@code leafHash} is the leaf at {@code leafIndex} of the tree of {@code treeSize}
     * leaves whose root is {@code rootHash}.
     *
     * @throws ProofVerificationException if the proof does not verify
     */
    public static void verifyInclusion(long leafIndex, long treeSize, Hash leafHash, List<Hash> proof, Hash rootHash) {
        Hash computed = rootFromInclusionProof(leafIndex, treeSize, leafHash, proof);
        if (!computed.equals(rootHash)) {
            throw new ProofVerificationException("inclusion proof for leaf " + leafIndex + " in tree size " + treeSize
                    + " computes root " + computed.base64() + ", want " + rootHash.base64());
        }
    }

    /**
     * The root hash that an inclusion proof implies (RFC 9162 §2.1.3.2 steps 1–5, without the final
     * comparison).
     *
     * @throws ProofVerificationException if the proof has the wrong shape for the index and size
     */
    public static Hash rootFromInclusionProof(long leafIndex, long treeSize, Hash leafHash, List<Hash> proof) {
        if (leafIndex < 0 || leafIndex >= treeSize) {
            throw new ProofVerificationException("leaf index " + leafIndex + " outside tree size " + treeSize);
        }
        long fn = leafIndex;
        long sn = treeSize - 1;
        Hash r = leafHash;
        for (Hash p : proof) {
            if (sn == 0) {
                throw new ProofVerificationException("inclusion proof too long: " + proof.size() + " hashes for leaf "
                        + leafIndex + " in " + treeSize);
            }
            if ((fn & 1) == 1 || fn == sn) {
                r = Rfc9162.nodeHash(p, r);
                if ((fn & 1) == 0) {
                    while ((fn & 1) == 0 && fn != 0) {
                        fn >>>= 1;
                        sn >>>= 1;
                    }
                }
            } else {
                r = Rfc9162.nodeHash(r, p);
            }
            fn >>>= 1;
            sn >>>= 1;
        }
        if (sn != 0) {
            throw new ProofVerificationException(
                    "inclusion proof too short: " + proof.size() + " hashes for leaf " + leafIndex + " in " + treeSize);
        }
        return r;
    }

    /**
     * Checks that the tree of {@code toSize} leaves with root {@code toRoot} extends the tree of
     * {@code fromSize} leaves with root {@code fromRoot} (nothing rewritten or removed).
     *
     * @throws ProofVerificationException if the proof does not verify
     */
    public static void verifyConsistency(long fromSize, long toSize, Hash fromRoot, Hash toRoot, List<Hash> proof) {
        if (fromSize < 0 || fromSize > toSize) {
            throw new ProofVerificationException("consistency from size " + fromSize + " to smaller size " + toSize);
        }
        if (fromSize == toSize) {
            requireEmpty(proof, fromSize, toSize);
            if (!fromRoot.equals(toRoot)) {
                throw new ProofVerificationException("two different roots for tree size " + toSize + ": "
                        + fromRoot.base64() + " and " + toRoot.base64());
            }
            return;
        }
        if (fromSize == 0) {
            requireEmpty(proof, fromSize, toSize);
            return;
        }
        if (proof.isEmpty()) {
            throw new ProofVerificationException("empty consistency proof from " + fromSize + " to " + toSize);
        }
        List<Hash> path = new ArrayList<>(proof.size() + 1);
        if (Long.bitCount(fromSize) == 1) {
            path.add(fromRoot);
        }
        path.addAll(proof);
        long fn = fromSize - 1;
        long sn = toSize - 1;
        while ((fn & 1) == 1) {
            fn >>>= 1;
            sn >>>= 1;
        }
        Hash fr = path.get(0);
        Hash sr = path.get(0);
        for (Hash c : path.subList(1, path.size())) {
            if (sn == 0) {
                throw new ProofVerificationException(
                        "consistency proof too long: " + proof.size() + " hashes from " + fromSize + " to " + toSize);
            }
            if ((fn & 1) == 1 || fn == sn) {
                fr = Rfc9162.nodeHash(c, fr);
                sr = Rfc9162.nodeHash(c, sr);
                if ((fn & 1) == 0) {
                    while ((fn & 1) == 0 && fn != 0) {
                        fn >>>= 1;
                        sn >>>= 1;
                    }
                }
            } else {
                sr = Rfc9162.nodeHash(sr, c);
            }
            fn >>>= 1;
            sn >>>= 1;
        }
        if (sn != 0) {
            throw new ProofVerificationException(
                    "consistency proof too short: " + proof.size() + " hashes from " + fromSize + " to " + toSize);
        }
        if (!fr.equals(fromRoot)) {
            throw new ProofVerificationException("consistency proof computes old root " + fr.base64() + " for size "
                    + fromSize + ", want " + fromRoot.base64());
        }
        if (!sr.equals(toRoot)) {
            throw new ProofVerificationException("consistency proof computes new root " + sr.base64() + " for size "
                    + toSize + ", want " + toRoot.base64());
        }
    }

    private static void requireEmpty(List<Hash> proof, long fromSize, long toSize) {
        if (!proof.isEmpty()) {
            throw new ProofVerificationException("consistency proof from " + fromSize + " to " + toSize
                    + " must be empty, has " + proof.size() + " hashes");
        }
    }
}
