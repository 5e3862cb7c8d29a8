package dev.indelible.formats.merkle;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Test fixtures: an in-memory tree built by {@link CompactRange}, and a naive RFC 9162 MTH. */
final class TestTrees {
    private TestTrees() {}

    /** Every complete node of a tree, as reported by {@link CompactRange}'s sink. */
    static final class MemoryTree implements NodeSource {
        final List<byte[]> entries = new ArrayList<>();
        final List<Hash> leafHashes = new ArrayList<>();
        final Map<Integer, Map<Long, Hash>> nodes = new HashMap<>();
        final CompactRange range = new CompactRange();

        void append(byte[] entry) {
            entries.add(entry);
            Hash leaf = Rfc9162.leafHash(entry);
            leafHashes.add(leaf);
            range.append(leaf, (level, index, hash) -> {
                Hash previous =
                        nodes.computeIfAbsent(level, l -> new HashMap<>()).put(index, hash);
                if (previous != null) {
                    throw new AssertionError("node " + level + "/" + index + " reported twice");
                }
            });
        }

        @Override
        public Hash node(int level, long index) {
            Hash hash = nodes.getOrDefault(level, Map.of()).get(index);
            if (hash == null) {
                throw new AssertionError("incomplete node " + level + "/" + index + " requested");
            }
            return hash;
        }
    }

    /** A tree of {@code size} leaves whose entries are the decimal strings "entry-0", "entry-1", … */
    static MemoryTree tree(int size) {
        MemoryTree tree = new MemoryTree();
        for (int i = 0; i < size; i++) {
            tree.append(("entry-" + i).getBytes(StandardCharsets.UTF_8));
        }
        return tree;
    }

    /** MTH(D[start:end]) straight from RFC 9162 §2.1.1, recursing down to the leaf hashes. */
    static Hash naiveRoot(List<Hash> leafHashes, int start, int end) {
        int n = end - start;
        if (n == 0) {
            return Rfc9162.sha256(new byte[0]);
        }
        if (n == 1) {
            return leafHashes.get(start);
        }
        int k = 1;
        while (k * 2 < n) {
            k *= 2;
        }
        return Rfc9162.nodeHash(naiveRoot(leafHashes, start, start + k), naiveRoot(leafHashes, start + k, end));
    }

    static Hash flipBit(Hash hash, int bit) {
        byte[] bytes = hash.bytes();
        bytes[bit / 8] ^= (byte) (1 << (bit % 8));
        return Hash.of(bytes);
    }
}
