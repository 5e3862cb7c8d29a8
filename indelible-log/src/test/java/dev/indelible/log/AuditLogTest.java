package dev.indelible.log;

import static dev.indelible.log.LogFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.merkle.MerkleVerifier;
import dev.indelible.formats.merkle.Rfc9162;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The append pipeline end to end on the real file system: 8 threads append concurrently (bounded:
 * 2,000 requests of 1–20 entries), then every property a client relies on is checked against the
 * resulting log — positions, bytes, leaf hashes, proofs, checkpoints, tiles and group commit.
 * The load runs once; each test checks one property of it. Seeds are fixed, so the entries (not
 * the interleaving) are reproducible.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditLogTest {
    private static final int THREADS = 8;
    private static final int REQUESTS_PER_THREAD = 250;
    private static final int IN_FLIGHT_PER_THREAD = 4;
    private static final long SEED = 0x1DE1_1B1EL;

    private record Request(List<Leaf> leaves, List<Appended> appended) {}

    @TempDir
    static Path data;

    private LogFixture fixture;
    private AuditLogs logs;
    private AuditLog log;
    private CountingFileIO io;
    private final List<Request> requests = new ArrayList<>();
    private final List<PublishedCheckpoint> observed = new ArrayList<>();
    private long forcesBefore;
    private long totalEntries;
    private long treeSizeAfterLoad;

    @BeforeAll
    void appendConcurrently() throws Exception {
        fixture = new LogFixture(data);
        io = new CountingFileIO();
        logs = fixture.open(io);
        log = logs.getOrCreate(LogName.parse("app"));
        forcesBefore = io.segmentForces();
        ConcurrentLinkedQueue<Request> done = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                workers.add(pool.submit(() -> appendFrom(thread, done)));
            }
            for (Future<?> worker : workers) {
                while (!worker.isDone()) {
                    log.latestCheckpoint().ifPresent(this::observe);
                    Thread.sleep(5);
                }
                worker.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        requests.addAll(done);
        totalEntries = requests.stream().mapToLong(r -> r.leaves().size()).sum();
        treeSizeAfterLoad = log.head().treeSize();
    }

    private void observe(PublishedCheckpoint checkpoint) {
        if (observed.isEmpty() || observed.get(observed.size() - 1).treeSize() < checkpoint.treeSize()) {
            observed.add(checkpoint);
        }
    }

    /** One client thread: keeps up to 4 requests in flight, so that the sequencer sees a queue. */
    private void appendFrom(int thread, ConcurrentLinkedQueue<Request> done) {
        Random random = new Random(SEED + thread);
        ArrayDeque<CompletableFuture<Request>> inFlight = new ArrayDeque<>();
        long serial = thread * 1_000_000L;
        for (int i = 0; i < REQUESTS_PER_THREAD; i++) {
            List<Leaf> leaves = LogFixture.leaves(random, serial, 1 + random.nextInt(20));
            serial += leaves.size();
            inFlight.add(log.append(leaves).thenApply(appended -> new Request(leaves, appended)));
            if (inFlight.size() >= IN_FLIGHT_PER_THREAD) {
                done.add(await(inFlight.poll()));
            }
        }
        while (!inFlight.isEmpty()) {
            done.add(await(inFlight.poll()));
        }
    }

    @Test
    void concurrentAppendsGetDistinctGapFreeLeafIndexesWithEachRequestConsecutive() {
        assertThat(requests).hasSize(THREADS * REQUESTS_PER_THREAD);
        boolean[] seen = new boolean[(int) totalEntries];
        for (Request request : requests) {
            assertThat(request.appended()).hasSameSizeAs(request.leaves());
            long first = request.appended().get(0).leafIndex();
            for (int i = 0; i < request.appended().size(); i++) {
                long leafIndex = request.appended().get(i).leafIndex();
                assertThat(leafIndex).as("entry %d of a request", i).isEqualTo(first + i);
                assertThat(leafIndex).isBetween(0L, totalEntries - 1);
                assertThat(seen[(int) leafIndex])
                        .as("leaf index %d given twice", leafIndex)
                        .isFalse();
                seen[(int) leafIndex] = true;
            }
        }
        assertThat(treeSizeAfterLoad).isEqualTo(totalEntries);
    }

    @Test
    void everyEntryReadsBackByteIdenticalWithItsRfc9162LeafHash() {
        for (Request request : requests) {
            for (int i = 0; i < request.leaves().size(); i++) {
                Leaf leaf = request.leaves().get(i);
                Appended appended = request.appended().get(i);
                assertThat(log.entry(appended.leafIndex())).isEqualTo(leaf.bytes());
                assertThat(appended.leafHash()).isEqualTo(Rfc9162.leafHash(leaf.bytes()));
                assertThat(log.leafHash(appended.leafIndex())).isEqualTo(appended.leafHash());
            }
        }
        List<byte[]> streamed = new ArrayList<>();
        log.entries(0, totalEntries, streamed::add);
        assertThat(streamed).hasSize((int) totalEntries);
        for (long leafIndex : new long[] {0, totalEntries / 2, totalEntries - 1}) {
            assertThat(streamed.get((int) leafIndex)).isEqualTo(log.entry(leafIndex));
        }
    }

    @Test
    void inclusionProofsOfRandomLeavesVerifyAgainstTheRootOfTheirTreeSize() {
        Random random = new Random(SEED);
        for (int i = 0; i < 300; i++) {
            long treeSize = 1 + random.nextLong(totalEntries);
            long leafIndex = random.nextLong(treeSize);
            Hash root = log.rootHash(treeSize);
            List<Hash> proof = log.inclusionProof(leafIndex, treeSize);
            MerkleVerifier.verifyInclusion(leafIndex, treeSize, log.leafHash(leafIndex), proof, root);
        }
    }

    @Test
    void consistencyProofsBetweenRandomSizesVerify() {
        Random random = new Random(SEED + 1);
        for (int i = 0; i < 300; i++) {
            long to = 1 + random.nextLong(totalEntries);
            long from = 1 + random.nextLong(to);
            MerkleVerifier.verifyConsistency(
                    from, to, log.rootHash(from), log.rootHash(to), log.consistencyProof(from, to));
        }
    }

    @Test
    void publishedCheckpointsVerifyWithTheLogKeyAndMatchTheTree() {
        PublishedCheckpoint last = await(log.awaitCheckpoint(totalEntries));
        observe(last);
        assertThat(observed.size()).as("checkpoints seen during the load").isGreaterThan(1);
        PublishedCheckpoint previous = null;
        for (PublishedCheckpoint checkpoint : observed) {
            fixture.verify(log, checkpoint);
            assertThat(checkpoint.rootHash()).isEqualTo(log.rootHash(checkpoint.treeSize()));
            assertThat(log.checkpoint(checkpoint.treeSize()))
                    .hasValueSatisfying(
                            stored -> assertThat(stored.signedNote()).isEqualTo(checkpoint.signedNote()));
            if (previous != null) {
                LogFixture.verifyConsistent(log, previous, checkpoint);
            }
            previous = checkpoint;
        }
    }

    @Test
    void awaitCheckpointCompletesWithACheckpointCoveringTheRequestedSize() {
        List<Appended> appended = await(log.append(LogFixture.leaves(new Random(SEED + 2), 9_000_000, 3)));
        long covering = appended.get(2).leafIndex() + 1;
        PublishedCheckpoint checkpoint = await(log.awaitCheckpoint(covering));
        assertThat(checkpoint.treeSize()).isGreaterThanOrEqualTo(covering);
        fixture.verify(log, checkpoint);
        assertThat(await(log.awaitCheckpoint(1)).treeSize())
                .as("already covered")
                .isGreaterThanOrEqualTo(covering);
        MerkleVerifier.verifyInclusion(
                appended.get(2).leafIndex(),
                checkpoint.treeSize(),
                appended.get(2).leafHash(),
                log.inclusionProof(appended.get(2).leafIndex(), checkpoint.treeSize()),
                checkpoint.rootHash());
    }

    @Test
    void proofRequestsBeyondTheTreeSizeAreOutOfRange() {
        long size = log.head().treeSize();
        assertOutOfRange(() -> log.inclusionProof(0, size + 1));
        assertOutOfRange(() -> log.inclusionProof(size, size));
        assertOutOfRange(() -> log.inclusionProof(0, 0));
        assertOutOfRange(() -> log.consistencyProof(1, size + 1));
        assertOutOfRange(() -> log.consistencyProof(5, 4));
        assertOutOfRange(() -> log.rootHash(size + 1));
        assertOutOfRange(() -> log.entries(0, size + 1, bytes -> {}));
        assertThatThrownBy(() -> log.entry(size))
                .isInstanceOfSatisfying(
                        IndelibleException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ENTRY_NOT_FOUND));
    }

    private static void assertOutOfRange(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(
                        IndelibleException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.OUT_OF_RANGE));
    }

    @Test
    void theFirstLevelZeroTileIsTheConcatenatedLeafHashes() {
        assertThat(totalEntries).isGreaterThanOrEqualTo(256);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (long leafIndex = 0; leafIndex < 256; leafIndex++) {
            expected.writeBytes(Rfc9162.leafHash(log.entry(leafIndex)).bytes());
        }
        assertThat(log.tile(0, 0, 256)).isEqualTo(expected.toByteArray());
        assertThat(Arrays.copyOf(log.tile(0, 0, 3), 3 * Hash.SIZE))
                .isEqualTo(Arrays.copyOf(expected.toByteArray(), 3 * Hash.SIZE));
        assertThatThrownBy(() -> log.tile(0, totalEntries / 256 + 1, 256))
                .isInstanceOfSatisfying(
                        IndelibleException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    }

    @Test
    void findLeafFindsALeafByItsHash() {
        Random random = new Random(SEED + 3);
        long size = log.head().treeSize();
        for (int i = 0; i < 20; i++) {
            long leafIndex = random.nextLong(size);
            assertThat(log.findLeaf(log.leafHash(leafIndex), size)).contains(leafIndex);
        }
        assertThat(log.findLeaf(log.leafHash(size - 1), size - 1))
                .as("outside the tree size")
                .isEmpty();
        assertThat(log.findLeaf(Rfc9162.leafHash(new byte[] {1, 2, 3}), size)).isEmpty();
    }

    @Test
    void groupCommitSharesOneFsyncAmongManyRequests() {
        long forces = io.segmentForces() - forcesBefore;
        assertThat(forces)
                .as("segment fsyncs during %d requests", requests.size())
                .isPositive();
        assertThat(forces).isLessThan(requests.size() / 2);
    }
}
