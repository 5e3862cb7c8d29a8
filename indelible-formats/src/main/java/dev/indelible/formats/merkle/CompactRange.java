package dev.indelible.formats.merkle;

import java.util.ArrayList;
import java.util.List;

/**
 * The right frontier of an append-only Merkle tree: the roots of the perfect subtrees that cover
 * leaves {@code [0, size)}, largest first (at most 64 of them). Appending a leaf merges equal-sized
 * subtrees, exactly as a binary counter carries; the root hash of the whole tree folds the frontier
 * from the right (RFC 9162 §2.1.1).
 *
 * <p>Every complete subtree created by an append is reported to a {@link NodeSink}, which is how
 * storage learns the interior hashes it keeps for proofs and tiles. Not thread-safe.
 */
public final class CompactRange {
    /** Receives each complete subtree hash the moment it exists. */
    @FunctionalInterface
    public interface NodeSink {
        /** Called once per complete node, children before parents. */
        void completed(int level, long index, Hash hash);
    }

    private final List<Hash> frontier = new ArrayList<>();
    private long size;

    /** An empty range (tree size 0). */
    public CompactRange() {}

    /**
     * Rebuilds the frontier of a tree of {@code size} leaves from stored complete subtrees, with
     * O(log size) reads.
     */
    public static CompactRange restore(long size, NodeSource nodes) {
        CompactRange range = new CompactRange();
        long start = 0;
        for (int level = 63; level >= 0; level--) {
            if ((size & (1L << level)) != 0) {
                range.frontier.add(nodes.node(level, start >>> level));
                start += 1L << level;
            }
        }
        range.size = size;
        return range;
    }

    /** Number of leaves covered. */
    public long size() {
        return size;
    }

    /** Appends one leaf, reporting the leaf and every subtree it completes to {@code sink}. */
    public void append(Hash leafHash, NodeSink sink) {
        long index = size;
        Hash carry = leafHash;
        int level = 0;
        sink.completed(0, index, carry);
        while (((index >>> level) & 1) == 1) {
            Hash left = frontier.remove(frontier.size() - 1);
            carry = Rfc9162.nodeHash(left, carry);
            level++;
            sink.completed(level, index >>> level, carry);
        }
        frontier.add(carry);
        size++;
    }

    /** The root hash of the tree of {@link #size()} leaves. */
    public Hash rootHash() {
        if (frontier.isEmpty()) {
            return Rfc9162.EMPTY_ROOT;
        }
        Hash root = frontier.get(frontier.size() - 1);
        for (int i = frontier.size() - 2; i >= 0; i--) {
            root = Rfc9162.nodeHash(frontier.get(i), root);
        }
        return root;
    }

    /** An independent copy. */
    public CompactRange copy() {
        CompactRange copy = new CompactRange();
        copy.frontier.addAll(frontier);
        copy.size = size;
        return copy;
    }
}
