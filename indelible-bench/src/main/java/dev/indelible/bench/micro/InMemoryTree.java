package dev.indelible.bench.micro;

import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.merkle.NodeSource;
import dev.indelible.formats.merkle.Rfc9162;

/**
 * Every complete subtree hash of a tree of {@code size} leaves, held in flat arrays (32 bytes a
 * node), so that proof benchmarks measure the proof algorithms rather than storage.
 */
final class InMemoryTree implements NodeSource {
    private final byte[][] levels;

    InMemoryTree(int size) {
        int height = 64 - Long.numberOfLeadingZeros(size);
        levels = new byte[height][];
        levels[0] = new byte[size * Hash.SIZE];
        for (int i = 0; i < size; i++) {
            byte[] entry = SampleEvents.event(64, i);
            Rfc9162.leafHash(entry).copyTo(levels[0], i * Hash.SIZE);
        }
        for (int level = 1; level < height; level++) {
            int count = size >>> level;
            levels[level] = new byte[count * Hash.SIZE];
            for (int i = 0; i < count; i++) {
                Hash left = Hash.of(levels[level - 1], 2 * i * Hash.SIZE);
                Hash right = Hash.of(levels[level - 1], (2 * i + 1) * Hash.SIZE);
                Rfc9162.nodeHash(left, right).copyTo(levels[level], i * Hash.SIZE);
            }
        }
    }

    @Override
    public Hash node(int level, long index) {
        return Hash.of(levels[level], Math.toIntExact(index * Hash.SIZE));
    }
}
