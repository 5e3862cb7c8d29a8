package dev.indelible.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.indelible.formats.merkle.Hash;
import dev.indelible.log.ErrorCode;
import dev.indelible.log.IndelibleException;
import dev.indelible.log.Leaf;
import dev.indelible.log.LogName;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.ratis.util.SizeInBytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Access-control tokens replicated through the Raft log (three Ratis servers in this JVM, each
 * node's token store a {@link MemoryTokens}): a put and a revocation through one node reach every
 * node; the cluster refuses a second token of a name; the tokens come back from snapshots after a
 * whole-cluster restart past the purged Raft log, and reach a follower that installs the leader's
 * snapshot.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TokenReplicationTest {
    private static final LogName LOG = new LogName("audit");
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private LocalCluster cluster;

    @AfterEach
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aTokenPutAndRevokedThroughOneNodeIsAppliedOnEveryNode() throws Exception {
        cluster = new LocalCluster(dir, 3).startAll();
        int leader = cluster.awaitLeader(WAIT);
        int follower = (leader + 1) % 3;
        int other = (leader + 2) % 3;
        ReplicatedTokens.Token ci = token("ci", 1);

        cluster.require(follower).proposeTokenPut(ci).get(30, TimeUnit.SECONDS);

        assertThat(cluster.tokens(follower).all())
                .as("the proposing node has applied the put when it completes")
                .containsExactly(new MemoryTokens.Stored(ci, false));
        awaitOnEveryNode("ci stored", tokens -> tokens.all().equals(List.of(new MemoryTokens.Stored(ci, false))));

        cluster.require(leader).proposeTokenPut(ci).get(30, TimeUnit.SECONDS); // the same token again: nothing changes
        assertRefused(other, token("ci", 2), "a token named \"ci\" exists in the cluster");

        assertThat(cluster.require(other).proposeTokenRevoke("ci").get(30, TimeUnit.SECONDS))
                .isTrue();
        awaitOnEveryNode("ci revoked", tokens -> tokens.all().equals(List.of(new MemoryTokens.Stored(ci, true))));
        assertThat(cluster.require(leader).proposeTokenRevoke("ci").get(30, TimeUnit.SECONDS))
                .as("revoked twice")
                .isFalse();
        assertThat(cluster.require(follower).proposeTokenRevoke("nobody").get(30, TimeUnit.SECONDS))
                .isFalse();
        assertRefused(follower, token("ci", 3), "revoked names are not reused");
        assertRefused(leader, token("nobody", 4), "revoked names are not reused");
        for (int i = 0; i < 3; i++) {
            assertThat(cluster.require(i).failure()).isEmpty();
            assertThat(cluster.tokens(i).all()).containsExactly(new MemoryTokens.Stored(ci, true));
        }
    }

    @Test
    void aNodeVouchesForItsTokensOnlyWhileItHasAppliedWhatAMajorityCommitted() throws Exception {
        cluster = new LocalCluster(dir, 3).startAll();
        int leader = cluster.awaitLeader(WAIT);
        int late = (leader + 1) % 3;
        int other = (leader + 2) % 3;
        ReplicatedTokens.Token ci = token("ci", 1);
        cluster.require(leader).proposeTokenPut(ci).get(30, TimeUnit.SECONDS);
        awaitOnEveryNode("ci stored", tokens -> tokens.find("ci").isPresent());
        for (int i = 0; i < 3; i++) {
            RaftNode node = cluster.require(i);
            LocalCluster.await("node " + i + " vouches", WAIT, node::vouchesForTokens);
            assertThat(node.status().vouchesForTokens()).isTrue();
        }

        // Revoked while one node is down; then the node that proposed it is left alone.
        cluster.stop(late);
        assertThat(cluster.require(other).proposeTokenRevoke("ci").get(30, TimeUnit.SECONDS))
                .isTrue();
        cluster.stop(leader);
        long cut = System.nanoTime();
        LocalCluster.await(
                "the node cut off from the majority stops vouching",
                WAIT,
                () -> !cluster.require(other).vouchesForTokens());
        assertThat(Duration.ofNanos(System.nanoTime() - cut))
                .as("it vouched at most the window after it lost the majority")
                .isLessThan(RaftNode.TOKEN_VOUCH_WINDOW.plus(Duration.ofSeconds(1)));

        // The node that missed the revocation comes back with no majority to learn it from: it holds
        // the token unrevoked, and must not vouch for it.
        cluster.stop(other);
        cluster.start(late);
        assertThat(cluster.tokens(late).find("ci")).hasValue(new MemoryTokens.Stored(ci, false));
        long until =
                System.nanoTime() + RaftNode.TOKEN_VOUCH_WINDOW.multipliedBy(2).toNanos();
        while (System.nanoTime() < until) {
            assertThat(cluster.require(late).vouchesForTokens())
                    .as("a node without a majority behind it")
                    .isFalse();
            LocalCluster.sleep(50);
        }

        // With a majority again it vouches, and by then it has applied the revocation.
        cluster.start(other);
        LocalCluster.await(
                "the late node vouches", WAIT, () -> cluster.require(late).vouchesForTokens());
        assertThat(cluster.tokens(late).find("ci"))
                .as("vouching implies the revocation is applied")
                .hasValue(new MemoryTokens.Stored(ci, true));
    }

    @Test
    void tokensComeBackFromSnapshotsAfterAWholeClusterRestartPastThePurgedRaftLog() throws Exception {
        cluster = new LocalCluster(dir, 3, 10)
                .withSegmentSizeMax(SizeInBytes.valueOf("4KB"))
                .startAll();
        ReplicatedTokens.Token first = token("first", 1);
        ReplicatedTokens.Token second = token("second", 2);
        cluster.require(0).proposeTokenPut(first).get(30, TimeUnit.SECONDS);
        cluster.require(1).proposeTokenPut(second).get(30, TimeUnit.SECONDS);
        assertThat(cluster.require(2).proposeTokenRevoke("first").get(30, TimeUnit.SECONDS))
                .isTrue();
        long tokenIndex = cluster.require(2).status().appliedRaftIndex();
        appendUntilEveryNodePurgedPast(tokenIndex);

        cluster.close();
        for (int i = 0; i < 3; i++) {
            cluster.forgetTokens(i); // so that only the snapshot can bring them back
        }
        cluster.startAll();

        List<MemoryTokens.Stored> want =
                List.of(new MemoryTokens.Stored(first, true), new MemoryTokens.Stored(second, false));
        awaitOnEveryNode(
                "the tokens restored from the snapshot", tokens -> tokens.all().equals(want));
        cluster.awaitLeader(WAIT);
        assertRefused(0, token("first", 3), "revoked names are not reused");
        assertRefused(1, token("second", 4), "a token named \"second\" exists");
    }

    @Test
    void aFollowerThatInstallsTheLeadersSnapshotGetsTheTokensAndRevocations() throws Exception {
        cluster = new LocalCluster(dir, 3, 10)
                .withSegmentSizeMax(SizeInBytes.valueOf("4KB"))
                .startAll();
        ReplicatedTokens.Token early = token("early", 1);
        cluster.require(cluster.awaitLeader(WAIT)).proposeTokenPut(early).get(30, TimeUnit.SECONDS);
        awaitOnEveryNode("early stored", tokens -> tokens.find("early").isPresent());
        int follower = (cluster.awaitLeader(WAIT) + 1) % 3;
        long followerApplied = cluster.require(follower).status().appliedRaftIndex();
        cluster.stop(follower);
        // A token of the follower's own (as its bootstrap admin token is), which the cluster never had.
        ReplicatedTokens.Token own = token("admin", 9);
        cluster.tokens(follower).store(own);

        ReplicatedTokens.Token late = token("late", 2);
        int leader = cluster.awaitLeader(WAIT);
        cluster.require(leader).proposeTokenPut(late).get(30, TimeUnit.SECONDS);
        assertThat(cluster.require((follower + 2) % 3)
                        .proposeTokenRevoke("early")
                        .get(30, TimeUnit.SECONDS))
                .isTrue();
        assertThat(cluster.require(leader).proposeTokenRevoke("admin").get(30, TimeUnit.SECONDS))
                .isFalse();
        appendUntilPurgedPast(cluster.awaitLeader(WAIT), followerApplied + 1);
        cluster.start(follower);

        List<MemoryTokens.Stored> want = List.of(
                new MemoryTokens.Stored(early, true),
                new MemoryTokens.Stored(own, true),
                new MemoryTokens.Stored(late, false));
        LocalCluster.await(
                "the follower's tokens after the snapshot install",
                WAIT,
                () -> cluster.tokens(follower).all().equals(want));
        assertThat(cluster.require(follower).failure()).isEmpty();
    }

    private void assertRefused(int node, ReplicatedTokens.Token token, String reason) {
        assertThatThrownBy(() -> cluster.require(node).proposeTokenPut(token).get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .satisfies(e -> assertThat(e.getCause())
                        .isInstanceOf(IndelibleException.class)
                        .hasMessageContaining(reason)
                        .satisfies(cause -> assertThat(((IndelibleException) cause).code())
                                .isEqualTo(ErrorCode.INVALID_PARAMETER)));
    }

    private void awaitOnEveryNode(String what, Predicate<MemoryTokens> condition) {
        LocalCluster.await(what + " on every node", WAIT, () -> {
            for (int i = 0; i < cluster.size(); i++) {
                if (!condition.test(cluster.tokens(i))) {
                    return false;
                }
            }
            return true;
        });
    }

    /** Appends (snapshots every 10 entries, small Raft segments) until every node's Raft log starts after {@code index}. */
    private void appendUntilEveryNodePurgedPast(long index) throws Exception {
        for (int round = 0; round < 300 && !allPurgedPast(index); round++) {
            appendBatch(cluster.awaitLeader(WAIT), round);
        }
        LocalCluster.await("every Raft log purged past " + index, WAIT, () -> allPurgedPast(index));
    }

    private boolean allPurgedPast(long index) {
        for (int i = 0; i < cluster.size(); i++) {
            if (startIndex(i) <= index) {
                return false;
            }
        }
        return true;
    }

    private void appendUntilPurgedPast(int node, long index) throws Exception {
        for (int round = 0; round < 300 && startIndex(node) <= index; round++) {
            appendBatch(node, round);
        }
        LocalCluster.await("node " + node + "'s Raft log purged past " + index, WAIT, () -> startIndex(node) > index);
    }

    private long startIndex(int node) {
        try {
            return cluster.node(node).isPresent() ? cluster.require(node).raftLogStartIndex() : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    private void appendBatch(int node, int round) throws Exception {
        List<Leaf> leaves = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            leaves.add(Leaf.of(("{\"round\":" + round + ",\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8)));
        }
        cluster.require(node).logs().getOrCreate(LOG).append(leaves).get(30, TimeUnit.SECONDS);
    }

    /** A token record as a node makes it: the hash of a secret the test never needs. */
    private static ReplicatedTokens.Token token(String name, int secret) {
        byte[] sha256 = new byte[32];
        Arrays.fill(sha256, (byte) secret);
        return new ReplicatedTokens.Token(
                name,
                Hash.of(sha256, 0),
                List.of("append:audit", "read:audit"),
                Instant.ofEpochSecond(1_700_000_000L + secret, 250),
                Optional.of(Instant.ofEpochSecond(1_900_000_000L)));
    }
}
