package dev.indelible.log;

import static dev.indelible.log.LogFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.merkle.MerkleVerifier;
import dev.indelible.storage.io.FaultyFileIO;
import dev.indelible.storage.io.FileIO;
import dev.indelible.storage.io.TestFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Recovery of whole logs through the registry: a clean restart, a power cut after acknowledged
 * appends, damaged derived data (hash rows), and damaged entries (segments). Derived data must be
 * rebuilt to the same root; damaged entries must open the log <em>failed</em> — refusing appends,
 * still serving what lies below the damage — never silently shorter.
 */
class LogRecoveryTest {
    private static final LogName APP = LogName.parse("app");
    /** Small segments, so that a few hundred entries span several sealed segments. */
    private static final LogConfig SMALL_SEGMENTS = LogConfig.defaults()
            .withCheckpointInterval(LogFixture.CHECKPOINT_INTERVAL)
            .withSegmentMaxBytes(4_096);

    @TempDir
    Path data;

    @Test
    void reopenKeepsTreeSizeAndRootAndTheNextCheckpointIsConsistentWithTheLast() throws Exception {
        LogFixture fixture = new LogFixture(data, SMALL_SEGMENTS);
        Map<Long, byte[]> written;
        TreeHead before;
        PublishedCheckpoint lastBefore;
        try (AuditLogs logs = fixture.open(FileIO.posix())) {
            AuditLog log = logs.getOrCreate(APP);
            written = appendAcknowledged(log, new Random(1), 0, 40);
            before = log.head();
        }
        try (AuditLogs logs = fixture.open(FileIO.posix())) {
            AuditLog log = logs.require(APP);
            assertThat(log.failure()).isEmpty();
            assertThat(log.head()).isEqualTo(before);
            assertThat(log.rootHash(before.treeSize())).isEqualTo(before.rootHash());
            lastBefore = log.latestCheckpoint().orElseThrow();
            assertThat(lastBefore.treeSize())
                    .as("close publishes a final checkpoint")
                    .isEqualTo(before.treeSize());
            fixture.verify(log, lastBefore);
            assertAllPresent(log, written);

            written.putAll(appendAcknowledged(log, new Random(2), written.size(), 10));
            PublishedCheckpoint next = await(log.awaitCheckpoint(written.size()));
            fixture.verify(log, next);
            assertThat(next.treeSize()).isGreaterThan(lastBefore.treeSize());
            LogFixture.verifyConsistent(log, lastBefore, next);
            assertAllPresent(log, written);
        }
    }

    @ParameterizedTest(name = "crash seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6})
    void aPowerCutAfterAcknowledgedAppendsLosesNoAcknowledgedEntry(long seed) throws Exception {
        LogFixture fixture = new LogFixture(data, SMALL_SEGMENTS);
        FaultyFileIO io = new FaultyFileIO(seed);
        Random random = new Random(seed);
        Map<Long, byte[]> acknowledged;
        List<CompletableFuture<List<Appended>>> unsure = new ArrayList<>();
        List<List<Leaf>> unsureLeaves = new ArrayList<>();
        AuditLogs logs = fixture.open(io);
        AuditLog log = logs.getOrCreate(APP);
        acknowledged = appendAcknowledged(log, random, 0, 20 + random.nextInt(20));
        for (int i = 0; i < 20; i++) {
            List<Leaf> leaves = LogFixture.leaves(random, 100_000 + i * 100L, 1 + random.nextInt(10));
            unsureLeaves.add(leaves);
            unsure.add(log.append(leaves));
        }
        crashAndReboot(logs, io);
        for (int i = 0; i < unsure.size(); i++) {
            CompletableFuture<List<Appended>> future = unsure.get(i);
            if (future.isDone() && !future.isCompletedExceptionally()) {
                List<Appended> appended = future.join();
                for (int j = 0; j < appended.size(); j++) {
                    acknowledged.put(
                            appended.get(j).leafIndex(),
                            unsureLeaves.get(i).get(j).bytes());
                }
            }
        }

        try (AuditLogs reopened = fixture.open(FileIO.posix())) {
            AuditLog after = reopened.require(APP);
            assertThat(after.failure()).as("seed %d", seed).isEmpty();
            assertAllPresent(after, acknowledged);
            PublishedCheckpoint latest = after.latestCheckpoint().orElseThrow();
            assertThat(after.rootHash(latest.treeSize())).isEqualTo(latest.rootHash());
            assertTreeMatchesEntries(after);
            List<Appended> more = await(after.append(LogFixture.leaves(random, 900_000, 5)));
            assertThat(more.get(0).leafIndex()).isEqualTo(after.head().treeSize() - 5);
            LogFixture.verifyConsistent(
                    after, latest, await(after.awaitCheckpoint(after.head().treeSize())));
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "delete every row",
                "truncate row 0 mid-hash",
                "flip the last leaf hash in row 0",
                "flip a byte in row 1"
            })
    void damagedHashRowsAreRebuiltFromTheSegmentsWithTheSameRoot(String damage) throws Exception {
        LogFixture fixture = new LogFixture(data, SMALL_SEGMENTS);
        TreeHead before;
        byte[] tileBefore;
        try (AuditLogs logs = fixture.open(FileIO.posix())) {
            AuditLog log = logs.getOrCreate(APP);
            appendAcknowledged(log, new Random(7), 0, 60);
            before = log.head();
            assertThat(before.treeSize()).isGreaterThan(600);
            tileBefore = log.tile(0, 1, 256);
        }
        Path hashes = fixture.logDirectory("app").resolve("hashes");
        switch (damage) {
            case "delete every row" -> {
                try (Stream<Path> rows = Files.list(hashes)) {
                    for (Path row : rows.toList()) {
                        Files.delete(row);
                    }
                }
            }
            case "truncate row 0 mid-hash" -> TestFiles.truncate(hashes.resolve("row-0"), 100 * Hash.SIZE + 7);
            case "flip the last leaf hash in row 0" -> {
                assertThat(before.treeSize() % 256)
                        .as("the last leaf lies in a partial tile")
                        .isNotZero();
                TestFiles.flipByte(hashes.resolve("row-0"), (before.treeSize() - 1) * Hash.SIZE + 5);
            }
            case "flip a byte in row 1" -> TestFiles.flipByte(hashes.resolve("row-1"), 1);
            default -> throw new IllegalArgumentException(damage);
        }
        try (AuditLogs logs = fixture.open(FileIO.posix())) {
            AuditLog log = logs.require(APP);
            assertThat(log.failure()).isEmpty();
            assertThat(log.head()).isEqualTo(before);
            assertThat(HexFormat.of().formatHex(log.tile(0, 1, 256)))
                    .isEqualTo(HexFormat.of().formatHex(tileBefore));
            assertTreeMatchesEntries(log);
            PublishedCheckpoint latest = log.latestCheckpoint().orElseThrow();
            assertThat(latest.rootHash()).isEqualTo(before.rootHash());
            long leafIndex = before.treeSize() / 3;
            MerkleVerifier.verifyInclusion(
                    leafIndex,
                    latest.treeSize(),
                    log.leafHash(leafIndex),
                    log.inclusionProof(leafIndex, latest.treeSize()),
                    latest.rootHash());
        }
    }

    @Test
    void aFlippedByteMidwayThroughTheActiveSegmentOpensTheLogFailed() throws Exception {
        LogFixture fixture = new LogFixture(data, SMALL_SEGMENTS);
        Map<Long, byte[]> written = writeAndClose(fixture);
        List<Path> segments = segmentFiles(fixture);
        Path active = segments.get(segments.size() - 1);
        long firstOfActive = firstLeafIndex(active);
        assertThat(written.size() - firstOfActive)
                .as("records in the active segment")
                .isGreaterThan(2);
        TestFiles.flipByte(active, 16 + 8 + 2);

        assertOpensFailed(fixture, firstOfActive, written, "segment corruption");
    }

    @Test
    void aFlippedByteInASealedSegmentIsFoundWhenTheLeavesAreRehashedAndOpensTheLogFailed() throws Exception {
        LogFixture fixture = new LogFixture(data, SMALL_SEGMENTS);
        Map<Long, byte[]> written = writeAndClose(fixture);
        List<Path> segments = segmentFiles(fixture);
        assertThat(segments).hasSizeGreaterThan(3);
        Path sealed = segments.get(1);
        long badLeaf = firstLeafIndex(sealed);
        TestFiles.flipByte(sealed, 16 + 8 + 2);
        // The hash rows are lost too, so recovery must re-hash every leaf from the segments.
        try (Stream<Path> rows = Files.list(fixture.logDirectory("app").resolve("hashes"))) {
            for (Path row : rows.toList()) {
                Files.delete(row);
            }
        }

        assertOpensFailed(fixture, badLeaf, written, "");
    }

    @Test
    void aFlippedByteInASealedSegmentBeyondTheLatestCheckpointOpensTheLogFailed() throws Exception {
        LogConfig rareCheckpoints = SMALL_SEGMENTS.withCheckpointInterval(Duration.ofHours(1));
        LogFixture fixture = new LogFixture(data, rareCheckpoints);
        FaultyFileIO io = new FaultyFileIO(11);
        Map<Long, byte[]> written = new LinkedHashMap<>();
        AuditLogs logs = fixture.open(io);
        AuditLog log = logs.getOrCreate(APP);
        // The sequencer publishes the empty tree's checkpoint at once, then none for an hour.
        written.putAll(appendAcknowledged(log, new Random(12), 0, 50));
        long checkpointed =
                log.latestCheckpoint().map(PublishedCheckpoint::treeSize).orElse(0L);
        assertThat(checkpointed).isLessThan(written.size() / 4);
        crashAndReboot(logs, io);

        List<Path> segments = segmentFiles(fixture);
        assertThat(segments).hasSizeGreaterThan(3);
        Path sealed = segments.get(2);
        long badLeaf = firstLeafIndex(sealed);
        assertThat(badLeaf).isGreaterThan(checkpointed);
        TestFiles.flipByte(sealed, 16 + 8 + 2);

        assertOpensFailed(fixture, badLeaf, written, "");
    }

    @Test
    void aFlippedByteInASealedSegmentCoveredByACheckpointIsNeverServed() throws Exception {
        LogFixture fixture = new LogFixture(data, SMALL_SEGMENTS);
        Map<Long, byte[]> written = writeAndClose(fixture);
        Path sealed = segmentFiles(fixture).get(1);
        long badLeaf = firstLeafIndex(sealed);
        TestFiles.flipByte(sealed, 16 + 8 + 2);

        // Sealed segments are only checked cheaply at open (storage-format.md §Recovery) and the
        // hash rows agree with the checkpoint, so the damage is found when the record is read.
        try (AuditLogs logs = fixture.open(FileIO.posix())) {
            AuditLog log = logs.require(APP);
            assertThatThrownBy(() -> log.entry(badLeaf))
                    .isInstanceOfSatisfying(
                            IndelibleException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FAILED));
            assertThat(log.failure()).as("damage found on read stops appends").isPresent();
            assertThat(log.entry(badLeaf - 1)).isEqualTo(written.get(badLeaf - 1));
            assertThat(log.entry(badLeaf + 1)).isEqualTo(written.get(badLeaf + 1));
        }
    }

    @Test
    void segmentsTruncatedBelowTheLatestCheckpointOpenTheLogFailedSayingEntriesWereLost() throws Exception {
        LogFixture fixture = new LogFixture(data);
        Map<Long, byte[]> written = writeAndClose(fixture);
        List<Path> segments = segmentFiles(fixture);
        Path last = segments.get(segments.size() - 1);
        TestFiles.truncate(last, Files.size(last) - 1);

        try (AuditLogs logs = fixture.open(FileIO.posix())) {
            AuditLog log = logs.require(APP);
            assertThat(log.failure())
                    .hasValueSatisfying(reason -> assertThat(reason)
                            .contains("entries lost")
                            .contains(String.valueOf(written.size() - 1))
                            .contains(String.valueOf(written.size())));
            assertAppendsRefused(log);
            assertThat(log.head().treeSize()).isEqualTo(written.size() - 1);
            assertThat(log.entry(0)).isEqualTo(written.get(0L));
        }
    }

    // ---- helpers ----

    private void assertOpensFailed(LogFixture fixture, long badLeaf, Map<Long, byte[]> written, String reasonPart)
            throws IOException {
        try (AuditLogs logs = fixture.open(FileIO.posix())) {
            AuditLog log = logs.require(APP);
            assertThat(log.failure())
                    .hasValueSatisfying(reason -> assertThat(reason).contains(reasonPart));
            assertAppendsRefused(log);
            assertThat(log.head().treeSize()).isLessThanOrEqualTo(badLeaf);
            for (long leafIndex = 0; leafIndex < log.head().treeSize(); leafIndex++) {
                assertThat(log.entry(leafIndex)).isEqualTo(written.get(leafIndex));
            }
            assertThat(log.head().treeSize())
                    .as("leaves below the damage stay readable")
                    .isPositive();
        }
    }

    private static void assertAppendsRefused(AuditLog log) {
        assertThatThrownBy(() -> log.append(List.of(Leaf.of(new byte[] {1}))))
                .isInstanceOfSatisfying(
                        IndelibleException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FAILED));
    }

    private Map<Long, byte[]> writeAndClose(LogFixture fixture) throws IOException {
        try (AuditLogs logs = fixture.open(FileIO.posix())) {
            return appendAcknowledged(logs.getOrCreate(APP), new Random(3), 0, 40);
        }
    }

    /** Appends {@code requests} requests of 1–20 entries, each awaited; returns leaf index → bytes. */
    private static Map<Long, byte[]> appendAcknowledged(AuditLog log, Random random, long firstSerial, int requests) {
        Map<Long, byte[]> written = new LinkedHashMap<>();
        long serial = firstSerial;
        for (int i = 0; i < requests; i++) {
            List<Leaf> leaves = LogFixture.leaves(random, serial, 1 + random.nextInt(20));
            serial += leaves.size();
            List<Appended> appended = await(log.append(leaves));
            for (int j = 0; j < leaves.size(); j++) {
                written.put(appended.get(j).leafIndex(), leaves.get(j).bytes());
            }
        }
        return written;
    }

    /** Power cut: the process dies (every file operation fails), then the machine reboots. */
    static void crashAndReboot(AuditLogs logs, FaultyFileIO io) throws IOException {
        io.crashNow();
        try {
            logs.close();
        } catch (RuntimeException expected) {
            // closing files of a dead machine may fail; nothing it did is durable anyway
        }
        io.simulateCrash();
    }

    private static void assertAllPresent(AuditLog log, Map<Long, byte[]> written) {
        for (Map.Entry<Long, byte[]> entry : written.entrySet()) {
            assertThat(entry.getKey()).isLessThan(log.head().treeSize());
            assertThat(log.entry(entry.getKey())).as("leaf %d", entry.getKey()).isEqualTo(entry.getValue());
        }
    }

    /** Every leaf hash is the hash of its entry, and the root is recomputed from scratch. */
    static void assertTreeMatchesEntries(AuditLog log) {
        long size = log.head().treeSize();
        dev.indelible.formats.merkle.CompactRange range = new dev.indelible.formats.merkle.CompactRange();
        log.entries(
                0,
                size,
                bytes ->
                        range.append(dev.indelible.formats.merkle.Rfc9162.leafHash(bytes), (level, index, hash) -> {}));
        assertThat(range.rootHash()).isEqualTo(log.head().rootHash());
        assertThat(log.rootHash(size)).isEqualTo(log.head().rootHash());
    }

    private static List<Path> segmentFiles(LogFixture fixture) throws IOException {
        try (Stream<Path> files = Files.list(fixture.logDirectory("app").resolve("segments"))) {
            return files.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
        }
    }

    private static long firstLeafIndex(Path segment) throws IOException {
        byte[] header = Files.readAllBytes(segment);
        return ByteBuffer.wrap(header, 8, 8).getLong();
    }
}
