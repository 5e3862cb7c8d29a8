package dev.indelible.replication;

import static dev.indelible.replication.LocalCluster.batch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.indelible.formats.merkle.MerkleVerifier;
import dev.indelible.formats.note.NoteKeys;
import dev.indelible.formats.note.NoteSigner;
import dev.indelible.formats.note.Notes;
import dev.indelible.log.AuditLog;
import dev.indelible.log.AuditLogs;
import dev.indelible.log.Leaf;
import dev.indelible.log.LogConfig;
import dev.indelible.log.LogName;
import dev.indelible.log.PublishedCheckpoint;
import dev.indelible.log.envelope.PreparedEntry;
import dev.indelible.storage.io.FileIO;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A single-node data directory (written by {@link AuditLogs} with its local sequencer) becomes the
 * first node of a cluster; two nodes join and install its snapshot. The single node's entries stay
 * at their leaf indexes on every node, its checkpoints are served unchanged, and the cluster's
 * checkpoints extend the same tree (consistency proof from the last single-node checkpoint).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SingleNodeToClusterTest {
    private static final LogName LOG = new LogName("audit");
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @AutoClose
    private LocalCluster cluster;

    @Test
    void singleNodeDataDirectoryBecomesTheFirstNodeOfACluster() throws Exception {
        cluster = new LocalCluster(dir, 1, 2, ClusterConfig.DEFAULT_SNAPSHOT_EVERY_ENTRIES);
        List<byte[]> sent = new ArrayList<>();
        Map<Long, byte[]> oldCheckpoints = new LinkedHashMap<>();
        PublishedCheckpoint lastSingle;
        PreparedEntry large = LocalCluster.largeEvent("single-large", 's', 90_000);
        PreparedEntry.DetachedBody largeBody = large.detachedBody().orElseThrow();
        // envelopes whose events carry ids: a retry of them must still be recognized by the cluster
        List<Leaf> identified = List.of(
                Leaf.of("{\"event\":{\"id\":\"single-id-1\"},\"v\":1}".getBytes(StandardCharsets.UTF_8)),
                Leaf.of("{\"event\":{\"id\":\"single-id-2\"},\"v\":1}".getBytes(StandardCharsets.UTF_8)));
        List<Optional<String>> identifiedIds = List.of(Optional.of("single-id-1"), Optional.of("single-id-2"));
        try (AuditLogs single = AuditLogs.open(singleNodeSettings(cluster.dataDirectory(0)), FileIO.posix())) {
            AuditLog log = single.getOrCreate(LOG);
            for (int round = 0; round < 3; round++) {
                for (int b = 0; b < 10; b++) {
                    List<Leaf> leaves = batch("single-" + round + "-" + b, 10);
                    long first =
                            log.append(leaves).get(30, TimeUnit.SECONDS).get(0).leafIndex();
                    assertThat(first).isEqualTo(sent.size());
                    leaves.forEach(leaf -> sent.add(leaf.bytes()));
                }
                if (round == 1) {
                    // A large event, as the single node's ingestion stores it: body first, then its leaf.
                    log.putBody(largeBody.bytes());
                    long at = log.append(
                                    List.of(Leaf.of(large.leafBytes())),
                                    List.of(Optional.empty()),
                                    List.of(largeBody.bytes()))
                            .get(30, TimeUnit.SECONDS)
                            .get(0)
                            .leafIndex();
                    assertThat(at).isEqualTo(sent.size());
                    sent.add(large.leafBytes());
                    long withIds = log.append(identified, identifiedIds, List.of())
                            .get(30, TimeUnit.SECONDS)
                            .get(0)
                            .leafIndex();
                    assertThat(withIds).isEqualTo(sent.size());
                    identified.forEach(leaf -> sent.add(leaf.bytes()));
                }
                PublishedCheckpoint checkpoint =
                        log.awaitCheckpoint(sent.size()).get(30, TimeUnit.SECONDS);
                oldCheckpoints.put(checkpoint.treeSize(), checkpoint.signedNote());
            }
            lastSingle = log.latestCheckpoint().orElseThrow();
            assertThat(lastSingle.treeSize()).isEqualTo(303);
            assertThat(log.head().treeSize()).isEqualTo(303);
        }

        RaftNode first = cluster.start(0);
        cluster.awaitLeader(WAIT);
        assertThat(first.failure()).isEmpty();
        cluster.appendRecording(LOG, 0, batch("cluster-n1", 7), sent);

        cluster.start(1);
        first.addMember("n2", cluster.peer(1).address());
        cluster.start(2);
        cluster.require(1).addMember("n3", cluster.peer(2).address());
        cluster.appendRecording(LOG, 1, batch("cluster-n2", 5), sent);
        cluster.appendRecording(LOG, 2, batch("cluster-n3", 5), sent);
        cluster.awaitAllAt(LOG, sent.size(), WAIT);
        // The single node's client ids were carried over (adopted from its entries): a retry
        // through a joiner appends nothing and answers the original positions.
        assertThat(cluster.require(2)
                        .logs()
                        .require(LOG)
                        .append(identified, identifiedIds, List.of())
                        .get(30, TimeUnit.SECONDS))
                .extracting(dev.indelible.log.Appended::leafIndex)
                .containsExactly(201L, 202L);
        cluster.awaitAllAt(LOG, sent.size(), WAIT);

        List<AuditLog> replicas = cluster.replicas(LOG);
        assertThat(replicas).hasSize(3);
        for (AuditLog replica : replicas) {
            assertThat(replica.failure()).isEmpty();
            assertThat(replica.origin()).isEqualTo(LocalCluster.ORIGIN_HOST + "/" + LOG.value());
            for (int i = 0; i < sent.size(); i++) {
                assertThat(replica.entry(i)).as("entry %d", i).isEqualTo(sent.get(i));
            }
            for (Map.Entry<Long, byte[]> old : oldCheckpoints.entrySet()) {
                assertThat(replica.checkpoint(old.getKey()).orElseThrow().signedNote())
                        .as("single-node checkpoint at %d, unchanged", old.getKey())
                        .isEqualTo(old.getValue());
            }
            PublishedCheckpoint latest = replica.latestCheckpoint().orElseThrow();
            assertThat(latest.treeSize()).isEqualTo(sent.size());
            assertThat(latest.signedNote())
                    .isEqualTo(replicas.get(0).latestCheckpoint().orElseThrow().signedNote());
            MerkleVerifier.verifyConsistency(
                    lastSingle.treeSize(),
                    latest.treeSize(),
                    lastSingle.rootHash(),
                    latest.rootHash(),
                    replica.consistencyProof(lastSingle.treeSize(), latest.treeSize()));
            // The cluster checkpoint is signed by the same log key under the same origin as before.
            String oldFirstLine = new String(lastSingle.signedNote(), StandardCharsets.UTF_8)
                    .lines()
                    .findFirst()
                    .orElseThrow();
            assertThat(latest.noteText()).startsWith(oldFirstLine);
        }

        // The joiners fetched the single node's large event body with its leaf (snapshot install).
        for (int i = 0; i < 3; i++) {
            assertThat(cluster.require(i).logs().require(LOG).body(largeBody.sha256()))
                    .as(
                            "the single node's large event body on %s",
                            cluster.require(i).nodeId())
                    .hasValueSatisfying(bytes -> assertThat(bytes).isEqualTo(largeBody.bytes()));
        }

        // A restart of the founder recovers its Raft storage (no adoption again) and keeps appending.
        cluster.stop(0);
        cluster.awaitLeader(WAIT);
        cluster.appendRecording(LOG, 1, batch("n1-down", 3), sent);
        cluster.start(0);
        cluster.awaitAllAt(LOG, sent.size(), WAIT);
        for (AuditLog replica : cluster.replicas(LOG)) {
            assertThat(replica.failure()).isEmpty();
            assertThat(replica.entry(sent.size() - 1)).isEqualTo(sent.getLast());
        }
    }

    @Test
    void aSingleNodeDataDirectoryIsAdoptedOnlyBySoleFounderWithTheSameKeyAndOrigin() throws Exception {
        cluster = new LocalCluster(dir, 3, 1, ClusterConfig.DEFAULT_SNAPSHOT_EVERY_ENTRIES);
        writeSingleNode(cluster.dataDirectory(0), singleNodeSettings(cluster.dataDirectory(0)));
        assertThatThrownBy(() -> cluster.start(0)).hasMessageContaining("--cluster naming itself alone");
        writeSingleNode(cluster.dataDirectory(3), singleNodeSettings(cluster.dataDirectory(3)));
        assertThatThrownBy(() -> cluster.start(3)).hasMessageContaining("a joining node starts empty");

        LocalCluster sole = new LocalCluster(dir.resolve("sole"), 1, 0, ClusterConfig.DEFAULT_SNAPSHOT_EVERY_ENTRIES);
        Path data = sole.dataDirectory(0);
        byte[] otherSeed = new byte[32];
        otherSeed[0] = 1;
        writeSingleNode(
                data,
                new AuditLogs.Settings(
                        data,
                        LocalCluster.ORIGIN_HOST,
                        origin -> {
                            NoteSigner signer = NoteSigner.ed25519(
                                    NoteKeys.ed25519FromSeed(origin, otherSeed).signerKey());
                            return text -> Notes.sign(text, List.of(signer));
                        },
                        LogConfig.defaults().withCheckpointInterval(Duration.ofMillis(50)),
                        Clock.systemUTC()));
        assertThatThrownBy(() -> sole.start(0)).hasMessageContaining("signed with another key");

        LocalCluster other = new LocalCluster(dir.resolve("other"), 1, 0, ClusterConfig.DEFAULT_SNAPSHOT_EVERY_ENTRIES);
        Path otherData = other.dataDirectory(0);
        writeSingleNode(
                otherData,
                new AuditLogs.Settings(
                        otherData,
                        "elsewhere.test",
                        LocalCluster::signer,
                        LogConfig.defaults().withCheckpointInterval(Duration.ofMillis(50)),
                        Clock.systemUTC()));
        assertThatThrownBy(() -> other.start(0)).hasMessageContaining("--origin-host elsewhere.test");

        // Refused before Ratis formatted anything: the directories are as the single node left them.
        for (Path refused : List.of(cluster.dataDirectory(0), cluster.dataDirectory(3), data, otherData)) {
            assertThat(refused.resolve("raft")
                            .resolve(RaftNode.GROUP_ID.getUuid().toString()))
                    .doesNotExist();
        }
    }

    private static void writeSingleNode(Path data, AuditLogs.Settings settings) throws Exception {
        try (AuditLogs single = AuditLogs.open(settings, FileIO.posix())) {
            AuditLog log = single.getOrCreate(LOG);
            log.append(batch("single", 3)).get(30, TimeUnit.SECONDS);
            log.awaitCheckpoint(3).get(30, TimeUnit.SECONDS);
        }
    }

    private static AuditLogs.Settings singleNodeSettings(Path data) {
        return LocalCluster.settings(data, Duration.ofMillis(50));
    }
}
