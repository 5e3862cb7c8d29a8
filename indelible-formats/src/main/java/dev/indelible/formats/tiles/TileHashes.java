package dev.indelible.formats.tiles;

import dev.indelible.formats.encoding.FormatException;
import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.merkle.NodeSource;
import dev.indelible.formats.merkle.Rfc9162;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Converts between Merkle nodes and hash tiles (c2sp.org/tlog-tiles §Merkle Tree).
 *
 * <p>A server writes tiles with {@link #tileBytes}; a client that fetched tiles answers node
 * queries with {@link #nodeSource}, hashing up to 7 levels inside a tile (the levels a tile does
 * not store). A client MUST compare a root computed this way with a verified checkpoint before
 * trusting any tile: the tiles themselves are unauthenticated.
 */
public final class TileHashes {
    /** Most tiles a node source built by {@link #nodeSource} keeps in memory. */
    public static final int MAX_CACHED_TILES = 128;

    private TileHashes() {}

    /** Fetches the bytes of a hash tile, e.g. over HTTP or from a directory. */
    @FunctionalInterface
    public interface TileFetcher {
        /**
         * The bytes at {@code path}.
         *
         * @throws java.io.UncheckedIOException if the tile cannot be read
         */
        byte[] fetch(TilePath path);
    }

    /** The bytes of hash tile {@code path}: its {@code width} node hashes read from {@code nodes}. */
    public static byte[] tileBytes(NodeSource nodes, TilePath path) {
        if (path.isEntryBundle()) {
            throw new IllegalArgumentException("entry bundle " + path.format() + " is not a hash tile");
        }
        byte[] tile = new byte[path.width() * Hash.SIZE];
        int merkleLevel = TilePath.HEIGHT * path.level();
        for (int i = 0; i < path.width(); i++) {
            nodes.node(merkleLevel, path.index() * TilePath.FULL_WIDTH + i).copyTo(tile, i * Hash.SIZE);
        }
        return tile;
    }

    /**
     * A node source for a tree of {@code treeSize} leaves that reads tiles through {@code fetcher},
     * keeping up to {@link #MAX_CACHED_TILES} of them. Thread-safe if the fetcher is.
     *
     * <p>Its {@code node} throws {@link FormatException} if a fetched tile has the wrong length.
     */
    public static NodeSource nodeSource(long treeSize, TileFetcher fetcher) {
        return new TileNodeSource(treeSize, fetcher);
    }

    /** Answers node queries from fetched tiles. */
    private static final class TileNodeSource implements NodeSource {
        private final long treeSize;
        private final TileFetcher fetcher;
        private final Map<TilePath, byte[]> cache = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<TilePath, byte[]> eldest) {
                return size() > MAX_CACHED_TILES;
            }
        };

        TileNodeSource(long treeSize, TileFetcher fetcher) {
            if (treeSize < 0) {
                throw new IllegalArgumentException("tree size " + treeSize + " is negative");
            }
            this.treeSize = treeSize;
            this.fetcher = fetcher;
        }

        @Override
        public Hash node(int level, long index) {
            TilePath path = TilePath.forNode(level, index, treeSize);
            byte[] tile = tile(path);
            int below = level % TilePath.HEIGHT;
            int first = (int) ((index << below) - path.index() * TilePath.FULL_WIDTH);
            return subtree(tile, first, 1 << below);
        }

        private synchronized byte[] tile(TilePath path) {
            byte[] tile = cache.get(path);
            if (tile == null) {
                tile = fetcher.fetch(path);
                if (tile.length != path.width() * Hash.SIZE) {
                    throw new FormatException("tile " + path.format() + " has " + tile.length + " bytes, want "
                            + path.width() * Hash.SIZE);
                }
                tile = tile.clone();
                cache.put(path, tile);
            }
            return tile;
        }

        private static Hash subtree(byte[] tile, int first, int count) {
            if (count == 1) {
                return Hash.of(tile, first * Hash.SIZE);
            }
            int half = count / 2;
            return Rfc9162.nodeHash(subtree(tile, first, half), subtree(tile, first + half, half));
        }
    }
}
