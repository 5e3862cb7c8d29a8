package dev.indelible.formats.tiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.indelible.formats.encoding.FormatException;
import dev.indelible.formats.merkle.CompactRange;
import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.merkle.MerkleProofs;
import dev.indelible.formats.merkle.MerkleVerifier;
import dev.indelible.formats.merkle.NodeSource;
import dev.indelible.formats.merkle.Rfc9162;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** A client recomputing the tree from tiles gets the same roots and proofs as the server. */
class TileHashesTest {
    static final int MAX_SIZE = 70_000;
    static final Map<Long, Hash> NODES = new HashMap<>();
    static final List<Hash> ROOTS = new ArrayList<>();
    static final NodeSource SERVER = (level, index) -> NODES.get(((long) level << 56) | index);

    static {
        CompactRange range = new CompactRange();
        ROOTS.add(range.rootHash());
        for (int i = 0; i < MAX_SIZE; i++) {
            range.append(
                    Rfc9162.leafHash(("entry " + i).getBytes(StandardCharsets.UTF_8)),
                    (level, index, hash) -> NODES.put(((long) level << 56) | index, hash));
            ROOTS.add(range.rootHash());
        }
    }

    static NodeSource client(long treeSize, List<TilePath> fetched) {
        return TileHashes.nodeSource(treeSize, path -> {
            fetched.add(path);
            return TileHashes.tileBytes(SERVER, path);
        });
    }

    @Test
    void rootsComputedFromTilesMatchAtTileBoundaries() {
        for (long size : new long[] {1, 2, 255, 256, 257, 511, 512, 65_535, 65_536, 65_537, MAX_SIZE}) {
            List<TilePath> fetched = new ArrayList<>();
            assertThat(new MerkleProofs(client(size, fetched)).rootHash(size))
                    .as("size %d", size)
                    .isEqualTo(ROOTS.get((int) size));
            assertThat(fetched)
                    .allMatch(p -> p.width() == TilePath.FULL_WIDTH
                            || TilePath.partialTiles(size).contains(p));
        }
    }

    @Property(tries = 200)
    void inclusionAndConsistencyProofsFromTilesVerify(
            @ForAll @IntRange(min = 1, max = MAX_SIZE) int size,
            @ForAll @IntRange(min = 0, max = MAX_SIZE - 1) int rawIndex,
            @ForAll @IntRange(min = 0, max = MAX_SIZE) int rawFrom) {
        int index = rawIndex % size;
        int from = rawFrom % (size + 1);
        MerkleProofs proofs = new MerkleProofs(client(size, new ArrayList<>()));
        Hash leaf = NODES.get((long) index);
        MerkleVerifier.verifyInclusion(index, size, leaf, proofs.inclusionProof(index, size), ROOTS.get(size));
        MerkleVerifier.verifyConsistency(
                from, size, ROOTS.get(from), ROOTS.get(size), proofs.consistencyProof(from, size));
    }

    @Test
    void aTileOfTheWrongLengthIsRejected() {
        NodeSource client = TileHashes.nodeSource(10, path -> new byte[9 * Hash.SIZE]);
        assertThatThrownBy(() -> client.node(0, 3))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("288 bytes, want 320");
    }

    @Test
    void aTamperedTileChangesTheRoot() {
        NodeSource client = TileHashes.nodeSource(300, path -> {
            byte[] tile = TileHashes.tileBytes(SERVER, path);
            if (path.level() == 0 && path.index() == 1) {
                tile[5] ^= 1;
            }
            return tile;
        });
        assertThat(new MerkleProofs(client).rootHash(300)).isNotEqualTo(ROOTS.get(300));
    }
}
