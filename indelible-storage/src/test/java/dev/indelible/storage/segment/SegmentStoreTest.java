package dev.indelible.storage.segment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.indelible.storage.io.FaultyFileIO;
import dev.indelible.storage.io.FileIO;
import dev.indelible.storage.io.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentStoreTest {
    static final SegmentOptions SMALL =
            SegmentOptions.defaults().withSegmentMaxBytes(SegmentOptions.MIN_SEGMENT_MAX_BYTES);

    @TempDir
    Path dir;

    @Test
    void appendedEntriesAreReadableBeforeAndAfterSync() throws Exception {
        List<byte[]> entries = TestFiles.entries(1, 50, 300);
        try (SegmentStore store = SegmentStore.open(dir, FileIO.posix(), SegmentOptions.defaults())) {
            store.append(entries.subList(0, 20));
            assertThat(store.size()).isEqualTo(20);
            assertThat(store.durableSize()).isZero();
            assertThat(store.read(7)).isEqualTo(entries.get(7));
            store.sync();
            assertThat(store.durableSize()).isEqualTo(20);
            store.append(entries.subList(20, 50));
            for (int i = 0; i < 50; i++) {
                assertThat(store.read(i)).isEqualTo(entries.get(i));
            }
            assertThat(store.recoveryReport().clean()).isTrue();
        }
    }

    @Test
    void reopenKeepsEveryRecordAcrossSegments() throws Exception {
        List<byte[]> entries = TestFiles.entries(2, 400, 200);
        try (SegmentStore store = SegmentStore.open(dir, FileIO.posix(), SMALL)) {
            for (int i = 0; i < 400; i += 25) {
                store.append(entries.subList(i, i + 25));
            }
            store.sync();
        }
        try (SegmentStore store = SegmentStore.open(dir, FileIO.posix(), SMALL)) {
            assertThat(store.recoveryReport().clean()).isTrue();
            assertThat(store.size()).isEqualTo(400);
            assertThat(store.recoveryReport().segmentCount()).isGreaterThan(3);
            for (int i = 0; i < 400; i++) {
                assertThat(store.read(i)).as("leaf %d", i).isEqualTo(entries.get(i));
            }
            store.append(List.of(new byte[] {42}));
            assertThat(store.read(400)).containsExactly(42);
        }
    }

    @Test
    void readRangeStreamsEntriesInOrderAcrossSegments() throws Exception {
        List<byte[]> entries = TestFiles.entries(3, 300, 200);
        try (SegmentStore store = SegmentStore.open(dir, FileIO.posix(), SMALL)) {
            for (int i = 0; i < 300; i += 30) {
                store.append(entries.subList(i, i + 30));
            }
            List<byte[]> seen = new ArrayList<>();
            List<Long> indexes = new ArrayList<>();
            store.readRange(13, 287, (leafIndex, entry) -> {
                indexes.add(leafIndex);
                seen.add(entry);
            });
            assertThat(indexes).hasSize(274).startsWith(13L).endsWith(286L);
            for (int i = 0; i < seen.size(); i++) {
                assertThat(seen.get(i)).isEqualTo(entries.get(13 + i));
            }
            assertThatThrownBy(() -> store.readRange(0, 301, (i, e) -> {}))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void rollingSealsSegmentsReadOnlyWithPositionTables() throws Exception {
        List<byte[]> entries = TestFiles.entries(4, 100, 500);
        try (SegmentStore store = SegmentStore.open(dir, FileIO.posix(), SMALL)) {
            for (int i = 0; i < 100; i += 10) {
                store.append(entries.subList(i, i + 10));
            }
            assertThat(store.durableSize()).isPositive();
        }
        List<Path> segments;
        try (var files = Files.list(dir)) {
            segments = files.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
        }
        assertThat(segments).hasSizeGreaterThan(2);
        for (Path sealed : segments.subList(0, segments.size() - 1)) {
            Path table = Path.of(sealed.toString().replace(".seg", ".pos"));
            assertThat(table).exists();
            assertThat(TestFiles.hasWritePermission(sealed))
                    .as("%s writable", sealed)
                    .isFalse();
            assertThat(TestFiles.hasWritePermission(table)).isFalse();
        }
        Path active = segments.get(segments.size() - 1);
        assertThat(TestFiles.hasWritePermission(active)).isTrue();
        assertThat(Path.of(active.toString().replace(".seg", ".pos"))).doesNotExist();
        assertThat(SegmentStore.verify(dir, FileIO.posix()).intact()).isTrue();
    }

    @Test
    void appendRejectsEmptyAndOversizeEntriesWithoutWritingAnything() throws Exception {
        try (SegmentStore store =
                SegmentStore.open(dir, FileIO.posix(), SegmentOptions.defaults().withRecordMaxBytes(100))) {
            assertThatThrownBy(() -> store.append(List.of(new byte[] {1}, new byte[0])))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("0 bytes");
            assertThatThrownBy(() -> store.append(List.of(new byte[101])))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("101 bytes, want [1, 100]");
            assertThat(store.size()).isZero();
            store.append(List.of(new byte[100]));
            assertThat(store.size()).isOne();
        }
    }

    @Test
    void readersSeeEveryPublishedLeafWhileTheWriterAppendsAndRolls() throws Exception {
        List<byte[]> entries = TestFiles.entries(5, 3000, 100);
        try (SegmentStore store = SegmentStore.open(dir, FileIO.posix(), SMALL)) {
            AtomicReference<Throwable> problem = new AtomicReference<>();
            Thread[] readers = new Thread[2];
            for (int r = 0; r < readers.length; r++) {
                int seed = r;
                readers[r] = new Thread(() -> {
                    java.util.Random random = new java.util.Random(seed);
                    try {
                        while (store.size() < 3000) {
                            long size = store.size();
                            if (size > 0) {
                                long leaf = (long) (random.nextDouble() * size);
                                if (!java.util.Arrays.equals(store.read(leaf), entries.get((int) leaf))) {
                                    throw new AssertionError("leaf " + leaf + " differs");
                                }
                            }
                        }
                    } catch (Throwable t) {
                        problem.compareAndSet(null, t);
                    }
                });
                readers[r].start();
            }
            for (int i = 0; i < 3000; i += 20) {
                store.append(entries.subList(i, i + 20));
            }
            for (Thread reader : readers) {
                reader.join(10_000);
            }
            assertThat(problem.get()).isNull();
        }
    }

    /**
     * A background thread fsyncs while the writer appends and rolls segments, until the power fails
     * under both: whatever durable size a sync reported must survive a power cut that loses every
     * byte not covered by an fsync. (Each fsync is slowed down so that appends race with it: a sync
     * that also counted the records written during its fsync fails this in most runs.)
     */
    @Test
    void syncFromAnotherThreadWhileTheWriterAppendsAndRollsCoversWhatItReports() throws Exception {
        List<byte[]> entries = TestFiles.entries(9, 20_000, 400);
        FaultyFileIO io = new FaultyFileIO(9);
        io.delayForces(2);
        SegmentOptions options = SegmentOptions.defaults().withSegmentMaxBytes(1L << 20);
        AtomicLong reported = new AtomicLong();
        AtomicInteger syncs = new AtomicInteger();
        AtomicInteger appended = new AtomicInteger();
        try (SegmentStore store = SegmentStore.open(dir, io, options)) {
            Thread writer = Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 0; i < entries.size(); i += 10) {
                        store.append(entries.subList(i, i + 10));
                        appended.addAndGet(10);
                    }
                } catch (RuntimeException e) {
                    // the power failed
                }
            });
            Thread syncer = Thread.ofPlatform().start(() -> {
                try {
                    while (true) {
                        store.sync();
                        reported.accumulateAndGet(store.durableSize(), Math::max);
                        syncs.incrementAndGet();
                    }
                } catch (RuntimeException e) {
                    // the power failed
                }
            });
            while (appended.get() < entries.size() / 2 && writer.isAlive()) {
                Thread.onSpinWait();
            }
            io.crashNow();
            writer.join();
            syncer.join();
        }
        assertThat(syncs.get()).as("syncs before the power cut").isPositive();
        assertThat(appended.get()).isLessThan(entries.size());
        io.simulateCrashLosingUnsynced();
        try (SegmentStore store = SegmentStore.open(dir, io, options)) {
            assertThat(store.size()).as("records after the power cut").isGreaterThanOrEqualTo(reported.get());
            assertThat(store.recoveryReport().segmentCount())
                    .as("segments rolled")
                    .isGreaterThan(1);
            for (int i = 0; i < store.size(); i++) {
                assertThat(store.read(i)).as("leaf %d", i).isEqualTo(entries.get(i));
            }
        }
    }
}
