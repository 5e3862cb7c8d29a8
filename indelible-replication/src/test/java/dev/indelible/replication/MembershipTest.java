package dev.indelible.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.indelible.formats.cosignature.CosignatureV1;
import dev.indelible.formats.note.NoteSignature;
import dev.indelible.formats.note.NoteVerifier;
import dev.indelible.formats.note.Notes;
import dev.indelible.formats.note.SignedNote;
import dev.indelible.log.AuditLog;
import dev.indelible.log.ErrorCode;
import dev.indelible.log.IndelibleException;
import dev.indelible.log.Leaf;
import dev.indelible.log.LogName;
import dev.indelible.log.PublishedCheckpoint;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Membership change at run time, in this JVM on 127.0.0.1: a node started with {@code join} is
 * added, catches up from the leader's Raft log (the default snapshot interval is far above the
 * entries written, so nothing is purged) and holds byte-identical entries and checkpoints; a removed
 * node leaves the configuration and the rest keeps appending with its own majority.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MembershipTest {
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
    void addedNodeCatchesUpAndRemovedNodeLeavesTheCluster() throws Exception {
        cluster = new LocalCluster(dir, 3, 1, ClusterConfig.DEFAULT_SNAPSHOT_EVERY_ENTRIES).startAll();
        cluster.awaitLeader(WAIT);
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            appendRecording(i, batch("before" + i, 5), sent);
        }
        awaitAllAt(sent.size());

        RaftNode joining = cluster.start(3);
        assertThat(joining.status().nodes()).as("a joining node is in no configuration yet").isEmpty();
        // Added through a node that is not necessarily the leader: the change goes through Raft.
        ClusterStatus afterAdd = cluster.require(1).addMember("n4", cluster.peer(3).address());
        assertThat(afterAdd.nodes()).extracting(ClusterStatus.Node::id).containsExactly("n1", "n2", "n3", "n4");
        // Adding it again with the same address is a no-op; with another address it is refused.
        cluster.require(0).addMember("n4", cluster.peer(3).address());
        assertThatThrownBy(() -> cluster.require(0).addMember("n4", "127.0.0.1:1"))
                .isInstanceOf(IndelibleException.class)
                .satisfies(e -> assertThat(((IndelibleException) e).code()).isEqualTo(ErrorCode.INVALID_PARAMETER));

        appendRecording(3, batch("via-n4", 4), sent);
        appendRecording(0, batch("after-add", 4), sent);
        awaitAllAt(sent.size());
        assertReplicasIdentical(sent, 4);
        LocalCluster.await("n4 sees four members", WAIT, () -> joining.status().nodes().size() == 4);

        // Remove n3 through the new node; then stop it. Three of four remain: still a majority.
        ClusterStatus afterRemove = cluster.require(3).removeMember("n3");
        assertThat(afterRemove.nodes()).extracting(ClusterStatus.Node::id).containsExactly("n1", "n2", "n4");
        cluster.stop(2);
        assertThatThrownBy(() -> cluster.require(0).removeMember("n3"))
                .isInstanceOf(IndelibleException.class)
                .satisfies(e -> assertThat(((IndelibleException) e).code()).isEqualTo(ErrorCode.NOT_FOUND));
        for (int i : new int[] {0, 1, 3}) {
            appendRecording(i, batch("after-remove" + i, 3), sent);
        }
        awaitAllAt(sent.size());
        assertReplicasIdentical(sent, 3);
        for (int i : new int[] {0, 1, 3}) {
            RaftNode node = cluster.require(i);
            LocalCluster.await(node.nodeId() + " no longer lists n3", WAIT,
                    () -> node.status().nodes().stream().map(ClusterStatus.Node::id).toList().equals(List.of("n1", "n2", "n4")));
        }

        // The new node survives a restart (it recovers its Raft storage; it does not join again).
        cluster.stop(3);
        appendRecording(0, batch("n4-down", 2), sent);
        cluster.start(3);
        awaitAllAt(sent.size());
        assertReplicasIdentical(sent, 3);
    }

    private long append(int node, List<Leaf> leaves) throws Exception {
        AuditLog log = cluster.require(node).logs().getOrCreate(LOG);
        return log.append(leaves).get(30, TimeUnit.SECONDS).get(0).leafIndex();
    }

    private void appendRecording(int node, List<Leaf> leaves, List<byte[]> sent) throws Exception {
        long first = append(node, leaves);
        assertThat(first).as("first leaf index").isEqualTo(sent.size());
        leaves.forEach(leaf -> sent.add(leaf.bytes()));
    }

    private static List<Leaf> batch(String tag, int count) {
        List<Leaf> leaves = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            leaves.add(Leaf.of(("{\"tag\":\"" + tag + "\",\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8)));
        }
        return leaves;
    }

    private int runningNodes() {
        int running = 0;
        for (int i = 0; i < cluster.size(); i++) {
            running += cluster.node(i).isPresent() ? 1 : 0;
        }
        return running;
    }

    private void awaitAllAt(long size) {
        LocalCluster.await("every node at tree size " + size + " with a checkpoint", WAIT, () -> {
            List<AuditLog> replicas = cluster.replicas(LOG);
            if (replicas.size() < runningNodes()) {
                return false;
            }
            for (AuditLog log : replicas) {
                if (log.head().treeSize() != size
                        || log.latestCheckpoint().map(PublishedCheckpoint::treeSize).orElse(0L) != size) {
                    return false;
                }
            }
            return true;
        });
    }

    /** Every running replica: the same entries, roots and checkpoint bytes, cosigned by a majority of {@code members}. */
    private void assertReplicasIdentical(List<byte[]> sent, int members) {
        List<AuditLog> replicas = cluster.replicas(LOG);
        assertThat(replicas).hasSize(runningNodes());
        AuditLog first = replicas.get(0);
        for (AuditLog replica : replicas) {
            assertThat(replica.head()).isEqualTo(first.head());
            assertThat(replica.failure()).isEmpty();
            for (int i = 0; i < sent.size(); i++) {
                assertThat(replica.entry(i)).as("entry %d", i).isEqualTo(sent.get(i));
            }
            for (long size = 1; size <= sent.size(); size++) {
                assertThat(replica.rootHash(size)).isEqualTo(first.rootHash(size));
            }
            byte[] note = replica.latestCheckpoint().orElseThrow().signedNote();
            assertThat(Arrays.equals(note, first.latestCheckpoint().orElseThrow().signedNote()))
                    .as("byte-identical checkpoints")
                    .isTrue();
            assertThat(cosigners(note)).as("cosigners").isGreaterThanOrEqualTo(members / 2 + 1);
        }
    }

    private int cosigners(byte[] note) {
        SignedNote parsed = Notes.parse(note);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < cluster.size(); i++) {
            String key = cluster.cosignerKey(i);
            if (key == null) {
                continue;
            }
            NoteVerifier verifier = CosignatureV1.verifier(key);
            for (NoteSignature signature : parsed.signatures()) {
                if (signature.name().equals(verifier.name()) && signature.keyId() == verifier.keyId()) {
                    verifier.verify(parsed.text().getBytes(StandardCharsets.UTF_8), signature.signature());
                    names.add(verifier.name());
                }
            }
        }
        return names.size();
    }
}
