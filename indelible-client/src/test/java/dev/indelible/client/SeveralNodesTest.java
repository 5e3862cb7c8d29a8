package dev.indelible.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.indelible.client.FakeLogServer.ScriptedAnswer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A client given the base URLs of several nodes: appends to the leader, failover to the next node. */
class SeveralNodesTest {
    private static final String LOG = FakeLogServer.LOG;
    private static final RetryPolicy FAST_RETRIES =
            new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(20));
    /** Nothing listens on port 1 of 127.0.0.1: connections are refused. */
    private static final URI UNREACHABLE = URI.create("http://127.0.0.1:1");

    private FakeLogServer first;
    private FakeLogServer second;

    @BeforeEach
    void start() throws Exception {
        first = new FakeLogServer();
        second = new FakeLogServer();
    }

    @AfterEach
    void stop() {
        first.close();
        second.close();
    }

    private static IndelibleClient client(URI... urls) {
        return IndelibleClient.builder()
                .baseUrls(List.of(urls))
                .retryPolicy(FAST_RETRIES)
                .random(new SplittableRandom(7))
                .build();
    }

    @Test
    void appendsGoToTheNodeThatSaysItLeadsAndItIsAskedOnlyOnce() {
        first.clusterRole("FOLLOWER");
        second.clusterRole("LEADER");
        try (IndelibleClient client = client(first.url(), second.url())) {
            client.append(LOG, IndelibleClientTest.events(2));
            client.append(LOG, IndelibleClientTest.events(3));
        }
        assertThat(second.appendRequests()).isEqualTo(2);
        assertThat(first.appendRequests()).isZero();
        assertThat(first.clusterRequests() + second.clusterRequests())
                .as("one lookup: the first node, then the leader")
                .isEqualTo(2);
    }

    @Test
    void leaderNamesTheNodeThatSaysItLeadsOrNone() {
        try (IndelibleClient client = client(UNREACHABLE, first.url(), second.url())) {
            assertThat(client.leader()).isEmpty();
            second.clusterRole("LEADER");
            assertThat(client.leader()).contains(second.url());
        }
    }

    @Test
    void withoutALeaderAppendsGoToTheFirstNode() {
        try (IndelibleClient client = client(first.url(), second.url())) {
            assertThat(client.append(LOG, IndelibleClientTest.events(2))).hasSize(2);
        }
        assertThat(first.appendRequests()).isEqualTo(1);
        assertThat(second.appendRequests()).isZero();
    }

    @Test
    void anUnreachableNodeIsSkippedEvenByAnAppendSinceNothingWasSent() {
        try (IndelibleClient client = client(UNREACHABLE, second.url())) {
            List<AppendedEntry> appended = client.append(LOG, IndelibleClientTest.events(2));
            assertThat(appended).hasSize(2);
            // Later requests stay on the node that answered.
            assertThat(client.logInfo(LOG).treeSize()).isEqualTo(2);
        }
        assertThat(second.appendRequests()).isEqualTo(1);
        assertThat(second.readRequests()).isEqualTo(1);
    }

    @Test
    void aRetryable503IsRetriedOnTheNextNode() {
        first.script(new ScriptedAnswer(503, "overloaded", "0", 0));
        try (IndelibleClient client = client(first.url(), second.url())) {
            assertThat(client.append(LOG, IndelibleClientTest.events(4))).hasSize(4);
        }
        assertThat(first.appendRequests()).isEqualTo(1);
        assertThat(second.appendRequests()).isEqualTo(1);
        assertThat(second.appendBatchSizes()).containsExactly(4);
    }

    @Test
    void readsFailOverToo() {
        second.seed(5);
        try (IndelibleClient client = client(UNREACHABLE, second.url())) {
            assertThat(client.logInfo(LOG).treeSize()).isEqualTo(5);
        }
    }

    @Test
    void anAppendThatTimedOutIsStillNotRetriedAnywhere() {
        first.script(new ScriptedAnswer(200, null, null, 600));
        try (IndelibleClient client = IndelibleClient.builder()
                .baseUrls(List.of(first.url(), second.url()))
                .retryPolicy(FAST_RETRIES)
                .requestTimeout(Duration.ofMillis(300))
                .build()) {
            assertThatThrownBy(() -> client.append(LOG, IndelibleClientTest.events(1)))
                    .isInstanceOf(ProblemException.class);
        }
        assertThat(first.appendRequests()).isEqualTo(1);
        assertThat(second.appendRequests())
                .as("it may have happened on the first node")
                .isZero();
    }

    @Test
    void anAppendWhoseEventsAllHaveIdsIsResentAfterATimeoutWhenTheLogDeduplicates() {
        first.dedupWindow(100_000);
        second.dedupWindow(100_000);
        first.script(new ScriptedAnswer(200, null, null, 600));
        try (IndelibleClient client = timingOutClient()) {
            assertThat(client.append(LOG, identifiedEvents(3))).hasSize(3);
        }
        assertThat(first.appendRequests()).isEqualTo(1);
        assertThat(second.appendRequests())
                .as("resent: a cluster answers a resent request with the original positions")
                .isEqualTo(1);
        assertThat(second.appendBatchSizes()).containsExactly(3);
    }

    @Test
    void anIdentifiedAppendIsResentAfterAServerErrorToo() {
        first.dedupWindow(100_000);
        first.script(new ScriptedAnswer(500, "internal", null, 0));
        try (IndelibleClient client = client(first.url())) {
            assertThat(client.append(LOG, identifiedEvents(2))).hasSize(2);
        }
        assertThat(first.appendRequests()).isEqualTo(2);
    }

    @Test
    void anAppendWithAnUnknownOutcomeIsNotResentUnlessEveryEventHasAnIdTheLogDeduplicates() {
        byte[] tooLongId = ("{\"id\":\"" + "x".repeat(EventBatches.CLIENT_ID_MAX_CHARS + 1) + "\"}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] numericId = "{\"id\":7}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] nestedId = "{\"actor\":{\"id\":\"a\"}}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        List<List<byte[]>> notSafe = List.of(
                List.of(
                        identifiedEvents(1).getFirst(),
                        IndelibleClientTest.events(1).getFirst()),
                List.of(tooLongId),
                List.of(numericId),
                List.of(nestedId));
        for (List<byte[]> events : notSafe) {
            first.dedupWindow(100_000);
            first.script(new ScriptedAnswer(200, null, null, 600));
            int before = second.appendRequests();
            try (IndelibleClient client = timingOutClient()) {
                assertThatThrownBy(() -> client.append(LOG, events)).isInstanceOf(ProblemException.class);
            }
            assertThat(second.appendRequests()).as("not resent").isEqualTo(before);
        }
        first.dedupWindow(0); // a single node: ids are not deduplicated
        second.dedupWindow(0);
        first.script(new ScriptedAnswer(200, null, null, 600));
        try (IndelibleClient client = timingOutClient()) {
            assertThatThrownBy(() -> client.append(LOG, identifiedEvents(2))).isInstanceOf(ProblemException.class);
        }
        assertThat(second.appendRequests())
                .as("not resent to a log that does not deduplicate")
                .isZero();
    }

    private IndelibleClient timingOutClient() {
        return IndelibleClient.builder()
                .baseUrls(List.of(first.url(), second.url()))
                .retryPolicy(FAST_RETRIES)
                .requestTimeout(Duration.ofMillis(300))
                .build();
    }

    private static List<byte[]> identifiedEvents(int count) {
        return java.util.stream.IntStream.range(0, count)
                .mapToObj(i -> ("{\"actor\":{\"id\":1},\"id\":\"e-" + i + "\",\"n\":[1,{\"id\":2}]}")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .toList();
    }

    @Test
    void baseUrlsMustBeGivenAndOfOneScheme() {
        assertThatThrownBy(() -> IndelibleClient.builder().baseUrls(List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IndelibleClient.builder()
                        .baseUrls(List.of(URI.create("http://127.0.0.1:1"), URI.create("https://127.0.0.1:2"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mix");
    }
}
