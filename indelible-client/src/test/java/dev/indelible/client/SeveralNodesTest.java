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
    void baseUrlsMustBeGivenAndOfOneScheme() {
        assertThatThrownBy(() -> IndelibleClient.builder().baseUrls(List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IndelibleClient.builder()
                        .baseUrls(List.of(URI.create("http://127.0.0.1:1"), URI.create("https://127.0.0.1:2"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mix");
    }
}
