package dev.indelible.storage.hashes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.indelible.formats.merkle.CompactRange;
import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.merkle.Rfc9162;
import dev.indelible.storage.StorageFailedException;
import dev.indelible.storage.io.FaultyFileIO;
import dev.indelible.storage.io.FileIO;
import dev.indelible.storage.io.TestFiles;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HashStoreTest {
    @TempDir
    Path dir;

    /** levels.get(L).get(i) = hash of the perfect subtree at level L, index i, computed naively. */
    private static List<List<Hash>> reference(int leaves) {
        List<List<Hash>> levels = new ArrayList<>();
        List<Hash> level = new ArrayList<>();
        for (int i = 0; i < leaves; i++) {
            level.add(leafHash(i));
        }
        levels.add(level);
        while (level.size() > 1) {
            List<Hash> up = new ArrayList<>();
            for (int i = 0; i + 1 < level.size(); i += 2) {
                up.add(Rfc9162.nodeHash(level.get(i), level.get(i + 1)));
            }
            levels.add(up);
            level = up;
        }
        return levels;
    }

    private static Hash leafHash(long i) {
        return Rfc9162.leafHash(ByteBuffer.allocate(8).putLong(i).array());
    }

    private static CompactRange append(HashStore store, CompactRange range, long from, long to) {
        for (long i = from; i < to; i++) {
            range.append(leafHash(i), store.sink());
        }
        store.flush();
        return range;
    }

    @Test
    void nodesMatchANaiveTreeAtEveryLevel() throws Exception {
        int leaves = 70_000;
        List<List<Hash>> expected = reference(leaves);
        try (HashStore store = HashStore.open(dir, FileIO.posix())) {
            CompactRange range = new CompactRange();
            for (int from = 0; from < leaves; from += 1000) {
                append(store, range, from, Math.min(leaves, from + 1000));
            }
            store.sync();
            assertThat(store.leafCount()).isEqualTo(leaves);
            assertThat(store.rowSize(1)).isEqualTo(leaves / 256);
            assertThat(store.rowSize(2)).isEqualTo(1);
            Random random = new Random(5);
            for (int level = 0; level < expected.size(); level++) {
                List<Hash> nodes = expected.get(level);
                for (int probe = 0; probe < 20 && !nodes.isEmpty(); probe++) {
                    int index = probe == 0 ? nodes.size() - 1 : random.nextInt(nodes.size());
                    assertThat(store.node(level, index))
                            .as("level %d index %d", level, index)
                            .isEqualTo(nodes.get(index));
                }
            }
            assertThatThrownBy(() -> store.node(3, leaves / 8)).isInstanceOf(IllegalArgumentException.class);
            assertThat(CompactRange.restore(leaves, store).rootHash()).isEqualTo(range.rootHash());
        }
    }

    @Test
    void tilesAreSlicesOfRows() throws Exception {
        int leaves = 256 * 3 + 77;
        List<List<Hash>> expected = reference(leaves);
        try (HashStore store = HashStore.open(dir, FileIO.posix())) {
            append(store, new CompactRange(), 0, leaves);
            assertThat(store.tile(0, 1, 256)).isEqualTo(concat(expected.get(0).subList(256, 512)));
            assertThat(store.tile(0, 3, 77)).isEqualTo(concat(expected.get(0).subList(768, 845)));
            assertThat(store.tile(1, 0, 3)).isEqualTo(concat(expected.get(8).subList(0, 3)));
            assertThatThrownBy(() -> store.tile(0, 3, 78)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.tile(0, 0, 257)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    private static byte[] concat(List<Hash> hashes) {
        ByteBuffer out = ByteBuffer.allocate(hashes.size() * Hash.SIZE);
        hashes.forEach(h -> out.put(h.bytes()));
        return out.array();
    }

    @Test
    void recoveryCutsTornHashesAndRebuildsHigherRows() throws Exception {
        int leaves = 1000;
        List<List<Hash>> expected = reference(leaves);
        try (HashStore store = HashStore.open(dir, FileIO.posix())) {
            append(store, new CompactRange(), 0, leaves);
            store.sync();
        }
        TestFiles.truncate(dir.resolve("row-0"), leaves * 32L - 5);
        Files.delete(dir.resolve("row-1"));
        try (HashStore store = HashStore.open(dir, FileIO.posix())) {
            assertThat(store.leafCount()).isEqualTo(leaves - 1);
            assertThat(store.rowSize(1)).isEqualTo(3);
            assertThat(store.node(8, 2)).isEqualTo(expected.get(8).get(2));
            assertThat(store.node(9, 0)).isEqualTo(expected.get(9).get(0));
        }
        // Higher-row entries that the row below cannot back are dropped.
        TestFiles.truncate(dir.resolve("row-0"), 600 * 32L);
        try (HashStore store = HashStore.open(dir, FileIO.posix())) {
            assertThat(store.rowSize(1)).isEqualTo(2);
            assertThat(Files.size(dir.resolve("row-1"))).isEqualTo(64);
        }
    }

    @Test
    void truncateDropsDependentNodesAndAppendingResumes() throws Exception {
        try (HashStore store = HashStore.open(dir, FileIO.posix())) {
            append(store, new CompactRange(), 0, 1000);
            store.truncate(600);
            assertThat(store.leafCount()).isEqualTo(600);
            assertThat(store.rowSize(1)).isEqualTo(2);
            CompactRange resumed = CompactRange.restore(600, store);
            append(store, resumed, 600, 1100);
            assertThat(resumed.rootHash())
                    .isEqualTo(append(HashStore.open(dir.resolve("fresh"), FileIO.posix()), new CompactRange(), 0, 1100)
                            .rootHash());
            assertThat(store.node(10, 0)).isEqualTo(reference(1100).get(10).get(0));
        }
    }

    @Test
    void sinkRejectsNodesOutOfOrder() throws Exception {
        try (HashStore store = HashStore.open(dir, FileIO.posix())) {
            store.sink().completed(0, 0, leafHash(0));
            store.sink().completed(3, 5, leafHash(1)); // not a row level: ignored
            assertThatThrownBy(() -> store.sink().completed(0, 2, leafHash(2)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("want index 1");
        }
    }

    @Test
    void failedForceMovesStoreToFailedState() throws Exception {
        FaultyFileIO io = new FaultyFileIO(9);
        try (HashStore store = HashStore.open(dir, io)) {
            append(store, new CompactRange(), 0, 10);
            io.failForceAfter(0);
            assertThatThrownBy(store::sync).isInstanceOf(StorageFailedException.class);
            assertThatThrownBy(store::flush).isInstanceOf(StorageFailedException.class);
            assertThat(store.node(0, 3)).isEqualTo(leafHash(3));
        }
    }

    @Test
    void backgroundSyncMakesFlushedRowsDurableAndItsFailureFailsTheStore() throws Exception {
        FaultyFileIO io = new FaultyFileIO(3);
        try (HashStore store = HashStore.open(dir, io)) {
            append(store, new CompactRange(), 0, 1000);
            store.flush();
            store.syncFlushedInBackground();
            io.crashNow();
        }
        io.simulateCrashLosingUnsynced();
        try (HashStore store = HashStore.open(dir, io)) {
            assertThat(store.leafCount()).isEqualTo(1000);
            assertThat(store.node(8, 2)).isEqualTo(reference(1000).get(8).get(2));
            io.failForceAfter(0);
            assertThatThrownBy(store::syncFlushedInBackground).isInstanceOf(StorageFailedException.class);
            assertThatThrownBy(store::sync).isInstanceOf(StorageFailedException.class);
        }
    }
}
