package dev.indelible.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.indelible.client.FakeLogServer.ScriptedAnswer;
import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.merkle.MerkleVerifier;
import dev.indelible.formats.merkle.Rfc9162;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class IndelibleClientTest {
    private static final String LOG = FakeLogServer.LOG;
    private static final RetryPolicy FAST_RETRIES =
            new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(20));

    private FakeLogServer server;
    private IndelibleClient client;

    @BeforeEach
    void start() throws Exception {
        server = new FakeLogServer();
        client = clientBuilder().build();
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    private IndelibleClient.Builder clientBuilder() {
        return IndelibleClient.builder()
                .baseUrl(server.url())
                .retryPolicy(FAST_RETRIES)
                .random(new SplittableRandom(42));
    }

    /** {@code count} small JSON events numbered from 0 (shared with the other client tests). */
    static List<byte[]> events(int count) {
        return IntStream.range(0, count)
                .mapToObj(i -> ("{\"event\":" + i + "}").getBytes(StandardCharsets.UTF_8))
                .toList();
    }

    @Test
    void appendSplitsEventsIntoBatchesOfBatchMaxEvents() {
        try (IndelibleClient batching = clientBuilder().batchMaxEvents(3).build()) {
            List<AppendedEntry> entries = batching.append(LOG, events(7));

            assertThat(server.appendBatchSizes()).containsExactly(3, 3, 1);
            assertThat(entries).extracting(AppendedEntry::leafIndex).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
            assertThat(entries.get(4).leafHash())
                    .isEqualTo(Rfc9162.leafHash(events(7).get(4)));
        }
    }

    @Test
    void appendSplitsBatchesByBytesToo() {
        try (IndelibleClient batching = clientBuilder().batchMaxBytes(25).build()) {
            batching.append(LOG, events(5));

            // Each event is 11 bytes plus a newline: two fit in 25 bytes.
            assertThat(server.appendBatchSizes()).containsExactly(2, 2, 1);
        }
    }

    @Test
    void appendSendsNewlinesInsideAnEventAsSpaces() {
        client.append(LOG, List.of("{\n  \"a\": 1\n}".getBytes(StandardCharsets.UTF_8)));

        assertThat(new String(server.entry(0), StandardCharsets.UTF_8)).isEqualTo("{   \"a\": 1 }");
    }

    @Test
    void appendRetriesARetryable503AndHonoursRetryAfter() {
        server.script(new ScriptedAnswer(503, "overloaded", "0", 0));

        List<AppendedEntry> entries = client.append(LOG, events(2));

        assertThat(server.appendRequests()).isEqualTo(2);
        assertThat(entries).hasSize(2);
    }

    @Test
    void appendGivesUpAfterMaxAttempts() {
        for (int i = 0; i < 5; i++) {
            server.script(new ScriptedAnswer(503, "overloaded", "0", 0));
        }

        assertThatThrownBy(() -> client.append(LOG, events(1))).isInstanceOfSatisfying(ProblemException.class, e -> {
            assertThat(e.status()).isEqualTo(503);
            assertThat(e.retryable()).isTrue();
        });
        assertThat(server.appendRequests()).isEqualTo(FAST_RETRIES.maxAttempts());
    }

    @Test
    void appendDoesNotRetryABadRequest() {
        server.script(new ScriptedAnswer(400, "malformed-json", null, 0));

        assertThatThrownBy(() -> client.append(LOG, events(1))).isInstanceOfSatisfying(ProblemException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.code()).isEqualTo("malformed-json");
            assertThat(e.detail()).isEqualTo("scripted");
            assertThat(e.retryable()).isFalse();
        });
        assertThat(server.appendRequests()).isEqualTo(1);
    }

    @Test
    void appendDoesNotRetryA503ThatIsNotRetryable() {
        server.script(new ScriptedAnswer(503, "storage-failed", null, 0));

        assertThatThrownBy(() -> client.append(LOG, events(1))).isInstanceOf(ProblemException.class);
        assertThat(server.appendRequests()).isEqualTo(1);
    }

    @Test
    void appendIsNotRetriedAfterATimeoutBecauseItMayHaveHappened() throws Exception {
        server.script(new ScriptedAnswer(200, null, null, 600));
        try (IndelibleClient impatient =
                clientBuilder().requestTimeout(Duration.ofMillis(150)).build()) {
            assertThatThrownBy(() -> impatient.append(LOG, events(1)))
                    .isInstanceOfSatisfying(ProblemException.class, e -> {
                        assertThat(e.status()).isEqualTo(ProblemException.NO_RESPONSE);
                        assertThat(e.getMessage()).contains("HttpTimeoutException");
                    });
        }
        Thread.sleep(700);
        assertThat(server.appendRequests()).isEqualTo(1);
        assertThat(server.appendBatchSizes()).containsExactly(1);
    }

    @Test
    void readsRetryOnServerErrors() {
        server.seed(1);
        server.scriptReads(
                new ScriptedAnswer(500, "internal", null, 0), new ScriptedAnswer(502, "bad-gateway", null, 0));

        assertThat(client.entry(LOG, 0)).isEqualTo(server.entry(0));
        assertThat(server.readRequests()).isEqualTo(3);
    }

    @Test
    void readsDoNotRetryClientErrors() {
        server.seed(1);

        assertThatThrownBy(() -> client.entry(LOG, 5)).isInstanceOfSatisfying(ProblemException.class, e -> {
            assertThat(e.status()).isEqualTo(404);
            assertThat(e.code()).isEqualTo("entry-not-found");
            assertThat(e.getMessage()).isEqualTo("HTTP 404 entry-not-found: no entry 5");
        });
        assertThat(server.readRequests()).isEqualTo(1);
    }

    @Test
    void readsRetryConnectionErrorsThenReportNoResponse() {
        IndelibleClient nowhere = clientBuilder().baseUrl("http://127.0.0.1:1").build();

        assertThatThrownBy(() -> nowhere.checkpoint(LOG))
                .isInstanceOfSatisfying(
                        ProblemException.class, e -> assertThat(e.status()).isEqualTo(ProblemException.NO_RESPONSE));
        nowhere.close();
    }

    @Test
    void logInfoDecodesTheLogDescription() {
        server.seed(3);

        LogInfo info = client.logInfo(LOG);

        assertThat(info.origin()).isEqualTo(FakeLogServer.ORIGIN);
        assertThat(info.treeSize()).isEqualTo(3);
        assertThat(info.verifierKey()).isEqualTo(server.verifierKey());
        assertThat(info.dedupWindow()).as("a server that does not deduplicate").isZero();
        server.dedupWindow(100_000);
        assertThat(client.logInfo(LOG).dedupWindow()).isEqualTo(100_000);
    }

    @Test
    void appendWithReceiptsReturnsInclusionProofsIntoTheCheckpoint() {
        server.seed(5);

        List<Receipt> receipts = client.appendWithReceipts(LOG, events(3));

        assertThat(receipts).hasSize(3);
        Receipt receipt = receipts.get(1);
        assertThat(receipt.treeSize()).isEqualTo(8);
        assertThat(receipt.tlogProof()).startsWith("c2sp.org/tlog-proof@v1\nindex 6\n");
        Hash root = Hash.fromBase64(receipt.checkpoint().split("\n")[2]);
        MerkleVerifier.verifyInclusion(6, 8, receipt.leafHash(), receipt.inclusionProof(), root);
    }

    @Test
    void entriesStreamsARangeWithLeafIndices() {
        server.seed(12);
        List<String> seen = new ArrayList<>();

        long count =
                client.entries(LOG, 3, 7, (entry, i) -> seen.add(i + "=" + new String(entry, StandardCharsets.UTF_8)));

        assertThat(count).isEqualTo(4);
        assertThat(seen).containsExactly("3={\"n\":3}", "4={\"n\":4}", "5={\"n\":5}", "6={\"n\":6}");
    }

    @Test
    void appendNdjsonSkipsBlankLinesAndReportsEachBatch() {
        byte[] input = "{\"a\":1}\n\n  \n{\"a\":2}\r\n{\"a\":3}".getBytes(StandardCharsets.UTF_8);
        List<Integer> batches = new ArrayList<>();
        try (IndelibleClient batching = clientBuilder().batchMaxEvents(2).build()) {
            long count = batching.appendNdjson(LOG, new ByteArrayInputStream(input), b -> batches.add(b.size()));

            assertThat(count).isEqualTo(3);
        }
        assertThat(batches).containsExactly(2, 1);
        assertThat(server.entry(1)).isEqualTo("{\"a\":2}".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void proofsFromTheServerVerifyAgainstItsRoots() {
        server.seed(10);
        Hash root10 = client.logInfo(LOG).rootHash();
        byte[] entry = client.entry(LOG, 7);

        InclusionProof byIndex = client.inclusionProof(LOG, 7, 10);
        InclusionProof byHash = client.inclusionProof(LOG, Rfc9162.leafHash(entry), 10);
        server.seed(5);
        ConsistencyProof consistency = client.consistencyProof(LOG, 10, 15);

        MerkleVerifier.verifyInclusion(7, 10, Rfc9162.leafHash(entry), byIndex.hashes(), root10);
        assertThat(byHash).isEqualTo(byIndex);
        MerkleVerifier.verifyConsistency(10, 15, root10, client.logInfo(LOG).rootHash(), consistency.hashes());
    }

    @Test
    void entryBundlesAndTilesAreFetched() {
        server.seed(300);

        byte[] bundle = client.entryBundle(LOG, 1, 44);
        byte[] tile = client.tile(LOG, 0, 0, 256);

        assertThat(bundle).hasSize(44 * 2 + 44 * "{\"n\":256}".length());
        assertThat(tile).hasSize(256 * Hash.SIZE);
        assertThat(Hash.of(tile, 5 * Hash.SIZE)).isEqualTo(Rfc9162.leafHash(server.entry(5)));
    }

    @Test
    void retryAfterAcceptsSecondsAndHttpDates() {
        Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
        RetryingTransport transport =
                new RetryingTransport(null, null, FAST_RETRIES, clock, new SplittableRandom(1), null);

        assertThat(transport.retryAfter("7")).contains(Duration.ofSeconds(7));
        assertThat(transport.retryAfter("Thu, 01 Jan 2026 00:00:30 GMT")).contains(Duration.ofSeconds(30));
        assertThat(transport.retryAfter("soon")).isEmpty();
    }

    @Test
    void backoffGrowsExponentiallyWithJitterAndIsCapped() {
        RetryPolicy policy = new RetryPolicy(10, Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(2));
        SplittableRandom random = new SplittableRandom(7);

        for (int attempt = 1; attempt <= 8; attempt++) {
            long want = Math.min(100L << (attempt - 1), 1000);
            assertThat(policy.delay(attempt, Optional.empty(), random).toMillis())
                    .isBetween(want / 2, want);
        }
        assertThat(policy.delay(1, Optional.of(Duration.ofMinutes(5)), random)).isEqualTo(Duration.ofSeconds(2));
    }
}
