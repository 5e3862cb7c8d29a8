package dev.indelible.formats.merkle;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds RFC 9162 inclusion proofs (§2.1.3.1) and consistency proofs (§2.1.4.1) over a {@link
 * NodeSource}, and computes the root of any tree size (§2.1.1).
 *
 * <p>The recursion follows the RFC's definitions, reading the hash of every complete subtree from
 * the node source instead of recomputing it from leaves, so the cost is O(log n) node reads for a
 * source that stores every level.
 */
public final class MerkleProofs {
    private final NodeSource nodes;

    /** A proof builder reading complete subtrees from {@code nodes}. */
    public MerkleProofs(NodeSource nodes) {
        this.nodes = nodes;
    }

    /** MTH(D[0:treeSize]): the root hash of the tree of the first {@code treeSize} leaves. */
    public Hash rootHash(long treeSize) {
        if (treeSize < 0) {
            throw new IllegalArgumentException("tree size " + treeSize);
        }
        return treeSize == 0 ? Rfc9162.EMPTY_ROOT : subtreeHash(0, treeSize);
    }

    /**
     * PATH(leafIndex, D[0:treeSize]) of RFC 9162 §2.1.3.1.
     *
     * @throws IllegalArgumentException unless {@code 0 <= leafIndex < treeSize}
     */
    public List<Hash> inclusionProof(long leafIndex, long treeSize) {
        if (leafIndex < 0 || leafIndex >= treeSize) {
            throw new IllegalArgumentException("leaf index " + leafIndex + " outside tree size " + treeSize);
        }
        List<Hash> path = new ArrayList<>();
        inclusionPath(leafIndex, 0, treeSize, path);
        return path;
    }

    /**
     * PROOF(from, D[0:to]) of RFC 9162 §2.1.4.1. Empty when {@code from == 0} or {@code from == to}.
     *
     * @throws IllegalArgumentException unless {@code 0 <= from <= to}
     */
    public List<Hash> consistencyProof(long from, long to) {
        if (from < 0 || from > to) {
            throw new IllegalArgumentException("consistency from " + from + " to " + to);
        }
        List<Hash> proof = new ArrayList<>();
        if (from > 0 && from < to) {
            subProof(from, 0, to, true, proof);
        }
        return proof;
    }

    /** MTH(D[start:end]) where {@code start} is a multiple of the split sizes the RFC recursion uses. */
    Hash subtreeHash(long start, long end) {
        long size = end - start;
        if (Long.bitCount(size) == 1 && start % size == 0) {
            int level = Long.numberOfTrailingZeros(size);
            return nodes.node(level, start >>> level);
        }
        long k = Rfc9162.splitPoint(size);
        return Rfc9162.nodeHash(subtreeHash(start, start + k), subtreeHash(start + k, end));
    }

    private void inclusionPath(long leafIndex, long start, long end, List<Hash> path) {
        long size = end - start;
        if (size == 1) {
            return;
        }
        long k = Rfc9162.splitPoint(size);
        if (leafIndex < start + k) {
            inclusionPath(leafIndex, start, start + k, path);
            path.add(subtreeHash(start + k, end));
        } else {
            inclusionPath(leafIndex, start + k, end, path);
            path.add(subtreeHash(start, start + k));
        }
    }

    private void subProof(long m, long start, long end, boolean startFromOldRoot, List<Hash> proof) {
        long size = end - start;
        if (m == size) {
            if (!startFromOldRoot) {
                proof.add(subtreeHash(start, end));
            }
            return;
        }
        long k = Rfc9162.splitPoint(size);
        if (m <= k) {
            subProof(m, start, start + k, startFromOldRoot, proof);
            proof.add(subtreeHash(start + k, end));
        } else {
            subProof(m - k, start + k, end, false, proof);
            proof.add(subtreeHash(start, start + k));
        }
    }
}
