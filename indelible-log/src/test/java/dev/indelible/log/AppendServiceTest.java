package dev.indelible.log;

import static dev.indelible.log.LogFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.merkle.MerkleVerifier;
import dev.indelible.formats.merkle.Rfc9162;
import dev.indelible.log.envelope.EventLimits;
import dev.indelible.log.envelope.EventParser;
import dev.indelible.log.envelope.Source;
import dev.indelible.storage.io.FileIO;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The append use case through {@link AppendService}: all-or-nothing batches, reserved system log
 * names, detached bodies for large events, and pushback when the sequencer's backlog is full.
 */
class AppendServiceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Source CLIENT = Source.http("127.0.0.1");
    private static final LogName APP = LogName.parse("app");

    @TempDir
    Path data;

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void assertCode(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, ErrorCode code) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(
                        IndelibleException.class, e -> assertThat(e.code()).isEqualTo(code));
    }

    @Test
    void aBatchWithOneMalformedLineAppendsNothingAndDoesNotCreateTheLog() throws Exception {
        LogFixture fixture = new LogFixture(data);
        try (AuditLogs logs = fixture.open(FileIO.posix())) {
            AppendService service = new AppendService(logs, EventLimits.DEFAULTS, Clock.systemUTC());
            byte[] body = utf8("{\"n\":1}\n{\"n\":2,}\n{\"n\":3}\n");

            assertCode(() -> service.append(APP, body, EventParser.NDJSON, CLIENT), ErrorCode.MALFORMED_JSON);
            assertThat(logs.find(APP)).isEmpty();
            assertThat(Files.exists(fixture.logDirectory("app"))).isFalse();

            AppendService.Result first =
                    service.append(APP, utf8("{\"n\":1}\n{\"n\":2}\n"), EventParser.NDJSON, CLIENT);
            assertThat(first.entries()).extracting(Appended::leafIndex).containsExactly(0L, 1L);
            assertCode(() -> service.append(APP, body, EventParser.NDJSON, CLIENT), ErrorCode.MALFORMED_JSON);
            assertThat(first.log().head().treeSize())
                    .as("the bad batch added nothing")
                    .isEqualTo(2);
            AppendService.Result next = service.append(APP, utf8("{\"n\":3}"), EventParser.JSON, CLIENT);
            assertThat(next.entries().get(0).leafIndex()).isEqualTo(2);
        }
    }

    @Test
    void aRetriedBatchWithIdsAppendsNothingAndAnswersTheOriginalsAlsoAfterARestart() throws Exception {
        LogFixture fixture = new LogFixture(data);
        String large = "x".repeat(70_000); // a detached body: the id is read back from it
        byte[] batch = utf8("{\"id\":\"a-1\",\"n\":1}\n{\"id\":\"a-2\",\"big\":\"" + large
                + "\"}\n{\"n\":{\"id\":\"nested\"},\"id\":\"a-3\"}\n");
        List<Appended> original;
        try (AuditLogs logs = fixture.open(FileIO.posix())) {
            AppendService service = new AppendService(logs, EventLimits.DEFAULTS, Clock.systemUTC());
            service.append(APP, utf8("{\"id\":\"before\"}"), EventParser.JSON, CLIENT);
            original = service.append(APP, batch, EventParser.NDJSON, CLIENT).entries();
            assertThat(original).extracting(Appended::leafIndex).containsExactly(1L, 2L, 3L);

            AppendService.Result retry = service.append(APP, batch, EventParser.NDJSON, CLIENT);
            assertThat(retry.entries()).as("the originals, hashes included").isEqualTo(original);
            assertThat(retry.log().head().treeSize()).isEqualTo(4);
            assertThat(retry.log().dedupWindow()).isEqualTo(RecentIds.WINDOW_MAX);

            // only partly repeated, or in another order: a new append, in full
            AppendService.Result partly =
                    service.append(APP, utf8("{\"id\":\"before\"}\n{\"id\":\"new\"}\n"), EventParser.NDJSON, CLIENT);
            assertThat(partly.entries()).extracting(Appended::leafIndex).containsExactly(4L, 5L);
            service.append(APP, utf8("{\"id\":\"c-1\"}\n{\"id\":\"c-2\"}\n"), EventParser.NDJSON, CLIENT);
            AppendService.Result reordered =
                    service.append(APP, utf8("{\"id\":\"c-2\"}\n{\"id\":\"c-1\"}\n"), EventParser.NDJSON, CLIENT);
            assertThat(reordered.entries()).extracting(Appended::leafIndex).containsExactly(8L, 9L);
            AppendService.Result withoutIds = service.append(APP, utf8("{\"n\":1}"), EventParser.JSON, CLIENT);
            assertThat(service.append(APP, utf8("{\"n\":1}"), EventParser.JSON, CLIENT)
                            .entries()
                            .get(0)
                            .leafIndex())
                    .as("no id, no deduplication")
                    .isEqualTo(withoutIds.entries().get(0).leafIndex() + 1);
        }
        try (AuditLogs logs = fixture.open(FileIO.posix())) {
            AppendService service = new AppendService(logs, EventLimits.DEFAULTS, Clock.systemUTC());
            // the window is rebuilt from the entries (and the large event's detached body)
            AppendService.Result retry = service.append(APP, batch, EventParser.NDJSON, CLIENT);
            assertThat(retry.entries()).isEqualTo(original);
            assertThat(retry.log().head().treeSize()).isEqualTo(12);
            AppendService.Result latest =
                    service.append(APP, utf8("{\"id\":\"c-2\"}\n{\"id\":\"c-1\"}\n"), EventParser.NDJSON, CLIENT);
            assertThat(latest.entries())
                    .as("an id remembers its latest position")
                    .extracting(Appended::leafIndex)
                    .containsExactly(8L, 9L);
            assertThat(latest.log().head().treeSize()).isEqualTo(12);
        }
    }

    @Test
    void retriesQueuedBehindTheirOriginalInOneGroupCommitAreAnsweredWithIt() throws Exception {
        LogFixture fixture = new LogFixture(data);
        try (AuditLogs logs = fixture.open(FileIO.posix())) {
            AuditLog log = logs.getOrCreate(APP);
            List<Leaf> leaves = List.of(Leaf.of(utf8("{\"v\":1,\"event\":1}")), Leaf.of(utf8("{\"v\":1,\"event\":2}")));
            List<java.util.Optional<String>> ids = List.of(java.util.Optional.of("g-1"), java.util.Optional.of("g-2"));
            List<CompletableFuture<List<Appended>>> sent = new java.util.ArrayList<>();
            for (int i = 0; i < 20; i++) {
                sent.add(log.append(leaves, ids, List.of()));
            }
            for (CompletableFuture<List<Appended>> answer : sent) {
                assertThat(answer.get(10, TimeUnit.SECONDS))
                        .extracting(Appended::leafIndex)
                        .containsExactly(0L, 1L);
            }
            assertThat(log.head().treeSize()).isEqualTo(2);
        }
    }

    @Test
    void systemLogNamesAreRefusedForClientAppends() throws Exception {
        LogFixture fixture = new LogFixture(data);
        try (AuditLogs logs = fixture.open(FileIO.posix())) {
            AppendService service = new AppendService(logs, EventLimits.DEFAULTS, Clock.systemUTC());
            LogName access = LogName.system("_access");

            assertCode(
                    () -> service.append(access, utf8("{\"n\":1}"), EventParser.JSON, CLIENT),
                    ErrorCode.INVALID_LOG_NAME);
            assertCode(() -> LogName.parse("_access"), ErrorCode.INVALID_LOG_NAME);
            assertThat(logs.find(access)).isEmpty();

            ObjectMapper mapper = new ObjectMapper();
            AppendService.Result result = service.appendSystem(
                    access, List.of(mapper.createObjectNode().put("path", "/x")), Source.http("10.0.0.1"));
            assertThat(result.entries()).hasSize(1);
            assertThat(result.log().origin()).isEqualTo(LogFixture.ORIGIN_HOST + "/_access");
        }
    }

    @Test
    void aLargeEventIsStoredAsADetachedBodyRetrievableByItsDigest() throws Exception {
        LogFixture fixture = new LogFixture(data);
        try (AuditLogs logs = fixture.open(FileIO.posix())) {
            AppendService service = new AppendService(logs, EventLimits.DEFAULTS, Clock.systemUTC());
            String event = "{\"message\":\"" + "x".repeat(70_000 - 14) + "\"}";
            assertThat(utf8(event)).hasSize(70_000);

            AppendService.Result result = service.append(APP, utf8(event), EventParser.JSON, CLIENT);
            Appended appended = result.entries().get(0);
            byte[] leaf = result.log().entry(appended.leafIndex());
            assertThat(leaf.length).isLessThanOrEqualTo(Leaf.MAX_BYTES);
            assertThat(Rfc9162.leafHash(leaf)).isEqualTo(appended.leafHash());

            JsonNode envelope = JSON.readTree(leaf);
            assertThat(envelope.has("event")).isFalse();
            String digest = envelope.path("eventDigest").asText();
            assertThat(digest).startsWith("sha256:");
            Hash sha256 = Hash.fromHex(digest.substring("sha256:".length()));
            byte[] body = result.log().body(sha256).orElseThrow();
            assertThat(body).hasSize(envelope.path("eventSize").asInt());
            assertThat(Rfc9162.sha256(body)).isEqualTo(sha256);
            assertThat(JSON.readTree(body)).isEqualTo(JSON.readTree(event));

            PublishedCheckpoint checkpoint = service.awaitCheckpoint(result);
            MerkleVerifier.verifyInclusion(
                    appended.leafIndex(),
                    checkpoint.treeSize(),
                    appended.leafHash(),
                    result.log().inclusionProof(appended.leafIndex(), checkpoint.treeSize()),
                    checkpoint.rootHash());
        }
    }

    @Test
    void aFullBacklogIsRefusedWithRetryableOverloaded() throws Exception {
        // batchMaxSize 1 and at most 2 entries waiting; a signer that blocks holds the sequencer
        // thread (it signs checkpoints), so that requests pile up behind it.
        LogConfig tiny = new LogConfig(1, 2, Duration.ofMillis(10), LogConfig.DEFAULT_SEGMENT_MAX_BYTES, false);
        LogFixture fixture = new LogFixture(data, tiny);
        AtomicBoolean block = new AtomicBoolean();
        CountDownLatch signing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (AuditLogs logs = fixture.open(FileIO.posix(), signer -> text -> {
            if (block.get()) {
                signing.countDown();
                try {
                    release.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return signer.sign(text);
        })) {
            AppendService service = new AppendService(logs, EventLimits.DEFAULTS, Clock.systemUTC());
            AuditLog log = logs.getOrCreate(APP);
            await(log.append(List.of(Leaf.of(utf8("zero")))));
            await(log.awaitCheckpoint(1));
            block.set(true);
            List<Appended> first = await(log.append(List.of(Leaf.of(utf8("first")))));
            assertThat(signing.await(10, TimeUnit.SECONDS))
                    .as("the sequencer is signing")
                    .isTrue();

            CompletableFuture<List<Appended>> queued = log.append(List.of(Leaf.of(utf8("a")), Leaf.of(utf8("b"))));
            try {
                assertCode(
                        () -> service.append(APP, utf8("{\"n\":1}"), EventParser.JSON, CLIENT), ErrorCode.OVERLOADED);
                assertThat(ErrorCode.OVERLOADED.retryable()).isTrue();
                assertThat(queued).isNotDone();
            } finally {
                release.countDown();
            }
            assertThat(await(queued))
                    .extracting(Appended::leafIndex)
                    .containsExactly(first.get(0).leafIndex() + 1, first.get(0).leafIndex() + 2);
            AppendService.Result retried = service.append(APP, utf8("{\"n\":1}"), EventParser.JSON, CLIENT);
            assertThat(retried.entries().get(0).leafIndex()).isEqualTo(4);
        }
    }
}
