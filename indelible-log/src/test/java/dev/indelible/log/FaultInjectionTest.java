package dev.indelible.log;

import static dev.indelible.log.LogFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.indelible.storage.io.FaultyFileIO;
import dev.indelible.storage.io.FileIO;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Disk faults on the append path, injected through {@link FaultyFileIO}: a failed fsync, a full
 * disk and a write torn by a crash. Each must fail the append that hit it (never acknowledge it),
 * stop the log (fail-stop: a failed fsync is never retried), and leave files from which a restart
 * recovers every acknowledged entry and a tree that matches the entries.
 */
class FaultInjectionTest {
    private static final LogName APP = LogName.parse("app");
    private static final LogConfig SMALL_SEGMENTS = LogConfig.defaults()
            .withCheckpointInterval(LogFixture.CHECKPOINT_INTERVAL)
            .withSegmentMaxBytes(4_096);

    @TempDir
    Path data;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"fsync fails", "disk full at once", "disk full mid-batch"})
    void aFailedWriteFailsItsAppendStopsTheLogAndKeepsEveryEarlierAcknowledgedEntry(String fault) throws Exception {
        LogFixture fixture = new LogFixture(data, SMALL_SEGMENTS);
        FaultyFileIO io = new FaultyFileIO(42);
        Random random = new Random(42);
        AuditLogs logs = fixture.open(io);
        AuditLog log = logs.getOrCreate(APP);
        Map<Long, byte[]> acknowledged = appendAcknowledged(log, random, 30);
        // Let the checkpoint of the acknowledged entries be published, so the fault hits the append.
        await(log.awaitCheckpoint(acknowledged.size()));

        switch (fault) {
            case "fsync fails" -> io.failForceAfter(0);
            case "disk full at once" -> io.diskFullAfter(0);
            case "disk full mid-batch" -> io.diskFullAfter(700);
            default -> throw new IllegalArgumentException(fault);
        }
        List<Leaf> failedLeaves = LogFixture.leaves(random, 500_000, 40);
        CompletableFuture<List<Appended>> failed = log.append(failedLeaves);
        assertStorageFailed(failed);
        assertThat(log.failure()).isPresent();
        assertThatThrownBy(() -> log.append(LogFixture.leaves(random, 600_000, 1)))
                .isInstanceOfSatisfying(
                        IndelibleException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FAILED));
        assertThat(log.head().treeSize())
                .as("readers never see the failed batch")
                .isEqualTo(acknowledged.size());

        LogRecoveryTest.crashAndReboot(logs, io);
        // The failed batch was written (maybe in part) but never synced: a prefix of it may survive.
        assertRecovered(
                fixture, acknowledged, failedLeaves.stream().map(Leaf::bytes).toList());
    }

    @ParameterizedTest(name = "tear seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void aWriteTornByACrashRecoversOnlyWholeEntriesAndEveryAcknowledgedOne(long seed) throws Exception {
        LogFixture fixture = new LogFixture(data, SMALL_SEGMENTS);
        FaultyFileIO io = new FaultyFileIO(seed);
        Random random = new Random(seed);
        AuditLogs logs = fixture.open(io);
        AuditLog log = logs.getOrCreate(APP);
        Map<Long, byte[]> acknowledged = appendAcknowledged(log, random, 10 + random.nextInt(30));

        io.tearWriteAfter(random.nextInt(3_000));
        List<Leaf> torn = new ArrayList<>();
        List<CompletableFuture<List<Appended>>> futures = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            List<Leaf> leaves = LogFixture.leaves(random, 700_000 + i * 100L, 1 + random.nextInt(20));
            try {
                futures.add(log.append(leaves));
            } catch (IndelibleException refused) {
                // the tear already hit (perhaps a checkpoint write) and stopped the log
                assertThat(refused.code()).isEqualTo(ErrorCode.STORAGE_FAILED);
                break;
            }
            torn.addAll(leaves);
        }
        int acknowledgedOfTorn = 0;
        for (CompletableFuture<List<Appended>> future : futures) {
            try {
                for (Appended appended : future.get(20, TimeUnit.SECONDS)) {
                    acknowledged.put(
                            appended.leafIndex(), torn.get(acknowledgedOfTorn++).bytes());
                }
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(IndelibleException.class);
                break;
            }
        }
        List<byte[]> unacknowledged = new ArrayList<>();
        for (Leaf leaf : torn.subList(acknowledgedOfTorn, torn.size())) {
            unacknowledged.add(leaf.bytes());
        }

        LogRecoveryTest.crashAndReboot(logs, io);
        assertRecovered(fixture, acknowledged, unacknowledged);
    }

    /**
     * Reopens on a healthy disk: no failure, every acknowledged entry at its leaf index, and every
     * entry after them a whole one of {@code unacknowledged}, in order (a crash may keep a prefix of
     * what was written but not synced, never anything else); the tree matches the entries.
     */
    private static void assertRecovered(LogFixture fixture, Map<Long, byte[]> acknowledged, List<byte[]> unacknowledged)
            throws Exception {
        try (AuditLogs logs = fixture.open(FileIO.posix())) {
            AuditLog log = logs.require(APP);
            assertThat(log.failure()).isEmpty();
            long size = log.head().treeSize();
            assertThat(size).isBetween((long) acknowledged.size(), (long) acknowledged.size() + unacknowledged.size());
            for (Map.Entry<Long, byte[]> entry : acknowledged.entrySet()) {
                assertThat(log.entry(entry.getKey()))
                        .as("leaf %d", entry.getKey())
                        .isEqualTo(entry.getValue());
            }
            for (long leafIndex = acknowledged.size(); leafIndex < size; leafIndex++) {
                assertThat(log.entry(leafIndex)).isEqualTo(unacknowledged.get((int) (leafIndex - acknowledged.size())));
            }
            LogRecoveryTest.assertTreeMatchesEntries(log);
            PublishedCheckpoint latest = log.latestCheckpoint().orElseThrow();
            assertThat(latest.treeSize()).isLessThanOrEqualTo(size);
            assertThat(log.rootHash(latest.treeSize())).isEqualTo(latest.rootHash());
            fixture.verify(log, latest);
            List<Appended> more = await(log.append(LogFixture.leaves(new Random(9), 800_000, 3)));
            assertThat(more.get(0).leafIndex()).isEqualTo(size);
            LogFixture.verifyConsistent(log, latest, await(log.awaitCheckpoint(size + 3)));
        }
    }

    private static void assertStorageFailed(CompletableFuture<?> future) {
        assertThatThrownBy(() -> future.get(20, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfSatisfying(
                        IndelibleException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FAILED));
    }

    private static Map<Long, byte[]> appendAcknowledged(AuditLog log, Random random, int requests) {
        Map<Long, byte[]> written = new LinkedHashMap<>();
        for (int i = 0; i < requests; i++) {
            List<Leaf> leaves = LogFixture.leaves(random, i * 100L, 1 + random.nextInt(20));
            List<Appended> appended = await(log.append(leaves));
            for (int j = 0; j < leaves.size(); j++) {
                written.put(appended.get(j).leafIndex(), leaves.get(j).bytes());
            }
        }
        return written;
    }
}
