package dev.indelible.storage.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.indelible.storage.Corruption;
import dev.indelible.storage.StorageFailedException;
import dev.indelible.storage.io.FaultyFileIO;
import dev.indelible.storage.io.FileIO;
import dev.indelible.storage.io.TestFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStoreTest {
    @TempDir
    Path dir;

    private static byte[] note(long treeSize) {
        return ("example.com/log\n" + treeSize + "\nroot-hash-base64\n\n— example.com/log sig\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    private Path file() {
        return dir.resolve("log").resolve("checkpoints");
    }

    private void store(long... treeSizes) throws Exception {
        try (CheckpointStore store = CheckpointStore.open(file(), FileIO.posix())) {
            for (long treeSize : treeSizes) {
                store.append(treeSize, note(treeSize));
            }
        }
    }

    @Test
    void latestAndFirstAtLeastFindStoredCheckpoints() throws Exception {
        store(0, 10, 20, 35);
        try (CheckpointStore store = CheckpointStore.open(file(), FileIO.posix())) {
            assertThat(store.count()).isEqualTo(4);
            assertThat(store.latest().orElseThrow()).isEqualTo(new StoredCheckpoint(35, note(35)));
            assertThat(store.firstAtLeast(11).orElseThrow().treeSize()).isEqualTo(20);
            assertThat(store.firstAtLeast(20).orElseThrow().treeSize()).isEqualTo(20);
            assertThat(store.firstAtLeast(0).orElseThrow().treeSize()).isZero();
            assertThat(store.firstAtLeast(36)).isEmpty();
            assertThat(store.stream().map(StoredCheckpoint::treeSize)).containsExactly(0L, 10L, 20L, 35L);
            store.append(40, note(40));
            assertThat(store.latest().orElseThrow().signedNote()).isEqualTo(note(40));
        }
    }

    @Test
    void emptyHistoryHasNoLatest() throws Exception {
        try (CheckpointStore store = CheckpointStore.open(file(), FileIO.posix())) {
            assertThat(store.latest()).isEmpty();
            assertThat(store.firstAtLeast(0)).isEmpty();
            assertThat(store.stream()).isEmpty();
        }
    }

    @Test
    void appendRejectsTreeSizesThatDoNotIncrease() throws Exception {
        try (CheckpointStore store = CheckpointStore.open(file(), FileIO.posix())) {
            store.append(5, note(5));
            assertThatThrownBy(() -> store.append(5, note(5)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("tree size 5, want > 5");
            assertThatThrownBy(() -> store.append(4, note(4))).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.append(6, new byte[0])).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void recoverTruncatesTornTail() throws Exception {
        store(1, 2, 3);
        long size = Files.size(file());
        TestFiles.truncate(file(), size - 7);
        try (CheckpointStore store = CheckpointStore.open(file(), FileIO.posix())) {
            assertThat(store.corruption()).isEmpty();
            assertThat(store.truncatedBytes()).isEqualTo(size - 7 - (size - (8 + 8 + note(3).length)));
            assertThat(store.latest().orElseThrow().treeSize()).isEqualTo(2);
            store.append(3, note(3));
        }
        assertThat(Files.size(file())).isEqualTo(size);
    }

    @Test
    void flippedByteMidFileIsCorruptionAndNothingIsTruncated() throws Exception {
        store(1, 2, 3);
        long size = Files.size(file());
        long secondRecord = 8 + 16 + note(1).length;
        TestFiles.flipByte(file(), secondRecord + 20);
        try (CheckpointStore store = CheckpointStore.open(file(), FileIO.posix())) {
            Corruption corruption = store.corruption().orElseThrow();
            assertThat(corruption.offset()).isEqualTo(secondRecord);
            assertThat(corruption.firstBadLeafIndex()).isEqualTo(Corruption.NOT_A_LEAF);
            assertThat(store.count()).isOne();
            assertThat(store.latest().orElseThrow().treeSize()).isOne();
            assertThatThrownBy(() -> store.append(9, note(9))).isInstanceOf(StorageFailedException.class);
        }
        assertThat(Files.size(file())).isEqualTo(size);
    }

    @Test
    void failedForceMovesHistoryToFailedState() throws Exception {
        FaultyFileIO io = new FaultyFileIO(4);
        try (CheckpointStore store = CheckpointStore.open(file(), io)) {
            store.append(1, note(1));
            io.failForceAfter(0);
            assertThatThrownBy(() -> store.append(2, note(2))).isInstanceOf(StorageFailedException.class);
            assertThatThrownBy(() -> store.append(3, note(3))).isInstanceOf(StorageFailedException.class);
            assertThat(store.latest().orElseThrow().treeSize()).isOne();
        }
        io.simulateCrash();
        try (CheckpointStore store = CheckpointStore.open(file(), io)) {
            assertThat(store.corruption()).isEmpty();
            assertThat(store.latest().orElseThrow().treeSize()).isIn(1L, 2L);
        }
    }

    @Test
    void tornWriteAtEveryByteOffsetKeepsEveryStoredCheckpoint() throws Exception {
        int recordBytes = 16 + note(3).length;
        for (int tearAt = 0; tearAt < recordBytes; tearAt++) {
            Path path = dir.resolve("tear-" + tearAt).resolve("checkpoints");
            FaultyFileIO io = new FaultyFileIO(tearAt);
            try (CheckpointStore store = CheckpointStore.open(path, io)) {
                store.append(1, note(1));
                store.append(2, note(2));
                io.tearWriteAfter(tearAt);
                assertThatThrownBy(() -> store.append(3, note(3))).isInstanceOf(StorageFailedException.class);
            }
            io.simulateCrash();
            try (CheckpointStore store = CheckpointStore.open(path, io)) {
                assertThat(store.corruption()).as("tear at %d", tearAt).isEmpty();
                assertThat(store.stream().map(StoredCheckpoint::treeSize)).containsExactly(1L, 2L);
                store.append(3, note(3));
            }
        }
    }
}
