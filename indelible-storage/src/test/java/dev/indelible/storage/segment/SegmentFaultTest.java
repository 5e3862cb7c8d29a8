package dev.indelible.storage.segment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.indelible.storage.StorageFailedException;
import dev.indelible.storage.io.FaultyFileIO;
import dev.indelible.storage.io.FileIO;
import dev.indelible.storage.io.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fault injection through {@link FaultyFileIO}: after each fault, recovery keeps every synced record. */
class SegmentFaultTest {
    @TempDir
    Path root;

    private final List<byte[]> entries = TestFiles.entries(11, 10, 40);

    private static void assertPrefix(SegmentStore store, List<byte[]> entries, long atLeast) {
        assertThat(store.corruption()).isEmpty();
        assertThat(store.size()).isBetween(atLeast, (long) entries.size());
        for (int i = 0; i < store.size(); i++) {
            assertThat(store.read(i)).as("leaf %d", i).isEqualTo(entries.get(i));
        }
    }

    @Test
    void tornWriteAtEveryByteOffsetKeepsEverySyncedRecord() throws Exception {
        int batchBytes =
                entries.subList(5, 10).stream().mapToInt(e -> e.length + 8).sum();
        for (int tearAt = 0; tearAt <= batchBytes; tearAt++) {
            Path dir = root.resolve("tear-" + tearAt);
            FaultyFileIO io = new FaultyFileIO(tearAt);
            try (SegmentStore store = SegmentStore.open(dir, io, SegmentOptions.defaults())) {
                store.append(entries.subList(0, 5));
                store.sync();
                io.tearWriteAfter(tearAt);
                if (tearAt < batchBytes) {
                    assertThatThrownBy(() -> store.append(entries.subList(5, 10)))
                            .isInstanceOf(StorageFailedException.class);
                    assertThatThrownBy(() -> store.append(entries.subList(5, 6)))
                            .isInstanceOf(StorageFailedException.class);
                } else {
                    store.append(entries.subList(5, 10));
                }
            }
            io.simulateCrash();
            try (SegmentStore store = SegmentStore.open(dir, io, SegmentOptions.defaults())) {
                assertPrefix(store, entries, 5);
                store.append(List.of(new byte[] {7}));
                store.sync();
            }
            assertThat(SegmentStore.verify(dir, FileIO.posix()).intact())
                    .as("tear at %d", tearAt)
                    .isTrue();
        }
    }

    @Test
    void failedForceMovesStoreToFailedStateAndIsNeverRetried() throws Exception {
        FaultyFileIO io = new FaultyFileIO(1);
        Path dir = root.resolve("force");
        try (SegmentStore store = SegmentStore.open(dir, io, SegmentOptions.defaults())) {
            store.append(entries.subList(0, 3));
            store.sync();
            io.failForceAfter(0);
            store.append(entries.subList(3, 6));
            assertThatThrownBy(store::sync)
                    .isInstanceOf(StorageFailedException.class)
                    .hasMessageContaining("fsync");
            assertThat(store.durableSize()).isEqualTo(3);
            assertThatThrownBy(store::sync).isInstanceOf(StorageFailedException.class);
            assertThatThrownBy(() -> store.append(entries.subList(6, 7))).isInstanceOf(StorageFailedException.class);
            assertThat(store.read(4)).isEqualTo(entries.get(4));
        }
        io.simulateCrashLosingUnsynced();
        try (SegmentStore store = SegmentStore.open(dir, io, SegmentOptions.defaults())) {
            assertPrefix(store, entries, 3);
            assertThat(store.size()).isEqualTo(3);
        }
    }

    @Test
    void fullDiskMovesStoreToFailedState() throws Exception {
        FaultyFileIO io = new FaultyFileIO(2);
        Path dir = root.resolve("full");
        try (SegmentStore store = SegmentStore.open(dir, io, SegmentOptions.defaults())) {
            store.append(entries.subList(0, 4));
            store.sync();
            io.diskFullAfter(30);
            assertThatThrownBy(() -> store.append(entries.subList(4, 10)))
                    .isInstanceOf(StorageFailedException.class)
                    .hasRootCauseMessage("No space left on device");
            assertThatThrownBy(store::sync).isInstanceOf(StorageFailedException.class);
        }
        io.simulateCrash();
        try (SegmentStore store = SegmentStore.open(dir, io, SegmentOptions.defaults())) {
            assertPrefix(store, entries, 4);
        }
    }

    @Test
    void failedRenameWhileSealingFailsTheStoreAndReopenKeepsEverything() throws Exception {
        FaultyFileIO io = new FaultyFileIO(3);
        Path dir = root.resolve("rename");
        List<byte[]> big = TestFiles.entries(12, 40, 400);
        SegmentOptions small = SegmentStoreTest.SMALL;
        int appended = 0;
        try (SegmentStore store = SegmentStore.open(dir, io, small)) {
            io.failNextMove();
            try {
                while (appended < big.size()) {
                    store.append(big.subList(appended, appended + 1));
                    appended++;
                }
            } catch (StorageFailedException expected) {
                appended++;
            }
            assertThat(appended).isLessThan(big.size());
            assertThatThrownBy(() -> store.append(big.subList(0, 1))).isInstanceOf(StorageFailedException.class);
        }
        io.simulateCrash();
        try (SegmentStore store = SegmentStore.open(dir, io, small)) {
            assertPrefix(store, big.subList(0, appended), appended);
            store.append(big.subList(appended, big.size()));
            store.sync();
        }
        try (var files = Files.list(dir)) {
            assertThat(files.filter(p -> p.toString().endsWith(".tmp")).toList())
                    .isEmpty();
        }
        assertThat(SegmentStore.verify(dir, FileIO.posix()).intact()).isTrue();
    }
}
