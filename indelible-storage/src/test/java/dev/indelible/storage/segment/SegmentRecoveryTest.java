package dev.indelible.storage.segment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.indelible.storage.Corruption;
import dev.indelible.storage.CorruptionException;
import dev.indelible.storage.StorageFailedException;
import dev.indelible.storage.io.FileIO;
import dev.indelible.storage.io.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recovery against real files damaged the way crashes and disks damage them. */
class SegmentRecoveryTest {
    static final SegmentOptions SMALL = SegmentStoreTest.SMALL;

    @TempDir
    Path dir;

    private final List<byte[]> entries = TestFiles.entries(7, 60, 500);

    private Path activeFile(long first) {
        return SegmentFiles.segmentPath(dir, first);
    }

    private void writeSynced(SegmentOptions options, int count) throws Exception {
        try (SegmentStore store = SegmentStore.open(dir, FileIO.posix(), options)) {
            for (int i = 0; i < count; i += 10) {
                store.append(entries.subList(i, Math.min(count, i + 10)));
            }
            store.sync();
        }
    }

    /** Offset of record {@code ordinal} in the single-segment file. */
    private long offsetOf(int ordinal) {
        long offset = SegmentFiles.HEADER_BYTES;
        for (int i = 0; i < ordinal; i++) {
            offset += 8 + entries.get(i).length;
        }
        return offset;
    }

    private void assertAllReadable(SegmentStore store, int count) {
        assertThat(store.size()).isEqualTo(count);
        for (int i = 0; i < count; i++) {
            assertThat(store.read(i)).as("leaf %d", i).isEqualTo(entries.get(i));
        }
    }

    @Test
    void recoverTruncatesTornTail() throws Exception {
        writeSynced(SegmentOptions.defaults(), 30);
        long cut = offsetOf(29) + 8 + entries.get(29).length / 2;
        TestFiles.truncate(activeFile(0), cut);
        try (SegmentStore store = SegmentStore.open(dir, FileIO.posix(), SegmentOptions.defaults())) {
            assertThat(store.recoveryReport().truncatedBytes()).isEqualTo(cut - offsetOf(29));
            assertThat(store.corruption()).isEmpty();
            assertAllReadable(store, 29);
            store.append(List.of(entries.get(29)));
            store.sync();
        }
        assertThat(Files.size(activeFile(0))).isEqualTo(offsetOf(30));
    }

    @Test
    void recoverTruncatesTornRecordHeader() throws Exception {
        writeSynced(SegmentOptions.defaults(), 30);
        TestFiles.truncate(activeFile(0), offsetOf(29) + 5);
        try (SegmentStore store = SegmentStore.open(dir, FileIO.posix(), SegmentOptions.defaults())) {
            assertThat(store.recoveryReport().truncatedBytes()).isEqualTo(5);
            assertAllReadable(store, 29);
        }
    }

    @Test
    void recoverTruncatesZeroFilledTail() throws Exception {
        writeSynced(SegmentOptions.defaults(), 30);
        TestFiles.appendZeros(activeFile(0), 4096);
        try (SegmentStore store = SegmentStore.open(dir, FileIO.posix(), SegmentOptions.defaults())) {
            assertThat(store.recoveryReport().truncatedBytes()).isEqualTo(4096);
            assertThat(store.recoveryReport().truncationReason()).contains("zero-filled");
            assertAllReadable(store, 30);
        }
    }

    @Test
    void recoverTruncatesFinalRecordWithBadCrc() throws Exception {
        writeSynced(SegmentOptions.defaults(), 30);
        TestFiles.flipByte(activeFile(0), offsetOf(29) + 8);
        try (SegmentStore store = SegmentStore.open(dir, FileIO.posix(), SegmentOptions.defaults())) {
            assertThat(store.recoveryReport().truncatedBytes()).isEqualTo(8 + entries.get(29).length);
            assertAllReadable(store, 29);
        }
    }

    @Test
    void flippedByteMidSegmentIsCorruptionAndNothingIsTruncated() throws Exception {
        writeSynced(SegmentOptions.defaults(), 30);
        long before = Files.size(activeFile(0));
        TestFiles.flipByte(activeFile(0), offsetOf(12) + 8 + entries.get(12).length - 1);
        try (SegmentStore store = SegmentStore.open(dir, FileIO.posix(), SegmentOptions.defaults())) {
            Corruption corruption = store.corruption().orElseThrow();
            assertThat(corruption.firstBadLeafIndex()).isEqualTo(12);
            assertThat(corruption.offset()).isEqualTo(offsetOf(12));
            assertThat(corruption.file()).isEqualTo(activeFile(0));
            assertThat(corruption.reason()).contains("CRC32C");
            assertThat(store.recoveryReport().truncatedBytes()).isZero();
            assertThat(store.read(11)).isEqualTo(entries.get(11));
            assertThatThrownBy(() -> store.read(12)).isInstanceOf(CorruptionException.class);
            assertThatThrownBy(() -> store.read(20)).isInstanceOf(CorruptionException.class);
            assertThatThrownBy(() -> store.append(List.of(new byte[] {1}))).isInstanceOf(StorageFailedException.class);
            assertThatThrownBy(store::sync).isInstanceOf(StorageFailedException.class);
        }
        assertThat(Files.size(activeFile(0))).isEqualTo(before);
        assertThat(SegmentStore.verify(dir, FileIO.posix())
                        .corruption()
                        .orElseThrow()
                        .firstBadLeafIndex())
                .isEqualTo(12);
    }

    @Test
    void damageAtOrPastTheUnsyncedPointIsATornTailEvenWithDataAfterIt() throws Exception {
        // A replica writes without fsync from leaf 10 on: the page cache may have written record 20's
        // page to disk but not record 12's. Recovery cuts at 12; the Raft log re-applies 12.. again.
        writeSynced(SegmentOptions.defaults(), 30);
        TestFiles.flipByte(activeFile(0), offsetOf(12) + 8 + entries.get(12).length - 1);
        SegmentOptions replica = SegmentOptions.defaults().withUnsyncedFrom(10);
        try (SegmentStore store = SegmentStore.open(dir, FileIO.posix(), replica)) {
            assertThat(store.corruption()).isEmpty();
            assertThat(store.recoveryReport().truncatedBytes()).isEqualTo(offsetOf(30) - offsetOf(12));
            assertThat(store.recoveryReport().truncationReason())
                    .contains("CRC32C")
                    .contains("not fsync'd");
            assertAllReadable(store, 12);
            store.append(entries.subList(12, 30));
            store.sync();
            assertAllReadable(store, 30);
        }
    }

    @Test
    void damageBeforeTheUnsyncedPointIsStillCorruption() throws Exception {
        writeSynced(SegmentOptions.defaults(), 30);
        long before = Files.size(activeFile(0));
        TestFiles.flipByte(activeFile(0), offsetOf(12) + 8 + entries.get(12).length - 1);
        SegmentOptions replica = SegmentOptions.defaults().withUnsyncedFrom(13);
        try (SegmentStore store = SegmentStore.open(dir, FileIO.posix(), replica)) {
            assertThat(store.corruption().orElseThrow().firstBadLeafIndex()).isEqualTo(12);
            assertThat(store.recoveryReport().truncatedBytes()).isZero();
        }
        assertThat(Files.size(activeFile(0))).isEqualTo(before);
    }

    @Test
    void flippedLengthFieldMidSegmentIsCorruption() throws Exception {
        writeSynced(SegmentOptions.defaults(), 30);
        TestFiles.flipByte(activeFile(0), offsetOf(5));
        try (SegmentStore store = SegmentStore.open(dir, FileIO.posix(), SegmentOptions.defaults())) {
            assertThat(store.corruption().orElseThrow().firstBadLeafIndex()).isEqualTo(5);
            assertThat(store.recoveryReport().truncatedBytes()).isZero();
        }
    }

    @Test
    void corruptSealedSegmentIsReportedByVerifyWithoutModifyingFiles() throws Exception {
        writeSynced(SMALL, 60);
        Path first = activeFile(0);
        long records = 0;
        long offset = SegmentFiles.HEADER_BYTES;
        long size = Files.size(first);
        while (offset < size) {
            offset += 8 + entries.get((int) records).length;
            records++;
        }
        assertThat(records).isLessThan(60);
        TestFiles.flipByte(first, offsetOf(3) + 9);
        byte[] before = TestFiles.read(first);
        SegmentVerification verification = SegmentStore.verify(dir, FileIO.posix());
        assertThat(verification.corruption().orElseThrow().firstBadLeafIndex()).isEqualTo(3);
        assertThat(verification.leafCount()).isEqualTo(3);
        assertThat(TestFiles.read(first)).isEqualTo(before);
        // Open checks sealed segments cheaply; the read finds the bad CRC and refuses to return the bytes.
        try (SegmentStore store = SegmentStore.open(dir, FileIO.posix(), SMALL)) {
            assertThat(store.read(2)).isEqualTo(entries.get(2));
            assertThatThrownBy(() -> store.read(3))
                    .isInstanceOf(CorruptionException.class)
                    .satisfies(e -> assertThat(
                                    ((CorruptionException) e).corruption().firstBadLeafIndex())
                            .isEqualTo(3));
        }
    }

    @Test
    void missingPositionTableIsRebuiltFromItsSegment() throws Exception {
        writeSynced(SMALL, 60);
        Path table = SegmentFiles.positionPath(dir, 0);
        byte[] original = TestFiles.read(table);
        Files.delete(table);
        try (SegmentStore store = SegmentStore.open(dir, FileIO.posix(), SMALL)) {
            assertThat(store.recoveryReport().positionTablesRebuilt()).isEqualTo(1);
            assertAllReadable(store, 60);
        }
        assertThat(TestFiles.read(table)).isEqualTo(original);
        assertThat(TestFiles.hasWritePermission(table)).isFalse();
    }

    @Test
    void wrongSizedPositionTableIsRebuilt() throws Exception {
        writeSynced(SMALL, 60);
        Path table = SegmentFiles.positionPath(dir, 0);
        byte[] original = TestFiles.read(table);
        TestFiles.truncate(table, original.length - 8);
        assertThat(SegmentStore.verify(dir, FileIO.posix()).positionTableProblems())
                .isEqualTo(1);
        try (SegmentStore store = SegmentStore.open(dir, FileIO.posix(), SMALL)) {
            assertThat(store.recoveryReport().positionTablesRebuilt()).isEqualTo(1);
            assertAllReadable(store, 60);
        }
        assertThat(TestFiles.read(table)).isEqualTo(original);
    }

    @Test
    void gapBetweenSegmentsIsCorruption() throws Exception {
        writeSynced(SMALL, 60);
        List<Path> segments;
        try (var files = Files.list(dir)) {
            segments = files.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
        }
        assertThat(segments).hasSizeGreaterThanOrEqualTo(3);
        Path second = segments.get(1);
        long secondFirst = Long.parseLong(second.getFileName().toString().substring(0, 20));
        Files.delete(second);
        try (SegmentStore store = SegmentStore.open(dir, FileIO.posix(), SMALL)) {
            Corruption corruption = store.corruption().orElseThrow();
            assertThat(corruption.firstBadLeafIndex()).isEqualTo(secondFirst);
            assertThat(corruption.reason()).contains("gap");
            assertThat(store.read(secondFirst - 1)).isEqualTo(entries.get((int) secondFirst - 1));
            assertThatThrownBy(() -> store.read(secondFirst)).isInstanceOf(CorruptionException.class);
        }
    }

    @Test
    void badHeaderOfActiveSegmentIsCorruption() throws Exception {
        writeSynced(SegmentOptions.defaults(), 10);
        TestFiles.flipByte(activeFile(0), 2);
        try (SegmentStore store = SegmentStore.open(dir, FileIO.posix(), SegmentOptions.defaults())) {
            assertThat(store.corruption().orElseThrow().reason()).contains("magic");
            assertThat(store.size()).isZero();
        }
    }

    @Test
    void incompleteHeaderOfNewSegmentIsRewritten() throws Exception {
        writeSynced(SegmentOptions.defaults(), 0);
        TestFiles.truncate(activeFile(0), 7);
        try (SegmentStore store = SegmentStore.open(dir, FileIO.posix(), SegmentOptions.defaults())) {
            assertThat(store.corruption()).isEmpty();
            store.append(List.of(entries.get(0)));
            assertThat(store.read(0)).isEqualTo(entries.get(0));
        }
    }

    @Test
    void crashAfterSealingBeforeTheNextSegmentExistsStartsANewSegment() throws Exception {
        List<byte[]> big = dev.indelible.storage.io.TestFiles.entries(8, 40, 900);
        int appended = 0;
        try (SegmentStore store = SegmentStore.open(dir, FileIO.posix(), SMALL)) {
            while (segmentFiles().size() < 2) {
                store.append(big.subList(appended, appended + 1));
                appended++;
            }
        }
        List<Path> segments = segmentFiles();
        Files.delete(segments.get(1));
        try (SegmentStore store = SegmentStore.open(dir, FileIO.posix(), SMALL)) {
            assertThat(store.corruption()).isEmpty();
            assertThat(store.recoveryReport().segmentCount()).isEqualTo(2);
            assertThat(store.size()).isEqualTo(appended);
            assertThat(store.durableSize()).isEqualTo(appended);
            store.append(big.subList(appended, appended + 1));
            assertThat(store.read(appended)).isEqualTo(big.get(appended));
            assertThat(store.read(0)).isEqualTo(big.get(0));
        }
        assertThat(segmentFiles()).hasSize(2);
    }

    private List<Path> segmentFiles() throws Exception {
        try (var files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
        }
    }
}
