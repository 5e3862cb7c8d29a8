package dev.indelible.replication;

import static dev.indelible.replication.LocalCluster.batch;
import static org.assertj.core.api.Assertions.assertThat;

import dev.indelible.log.AuditLog;
import dev.indelible.log.LogName;
import dev.indelible.log.PublishedCheckpoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Raft traffic between nodes over mutual TLS with the peer CA's certificates. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PeerTlsTest {
    private static final LogName LOG = new LogName("audit");
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @AutoClose
    private LocalCluster cluster;

    @Test
    void tlsClusterElectsAndReplicatesByteIdentical() throws Exception {
        PeerCertificates.Issued ca = PeerCertificates.ca("peer CA");
        PeerTls[] tls = new PeerTls[3];
        for (int i = 0; i < 3; i++) {
            tls[i] = PeerCertificates.node(ca, "n" + (i + 1), dir.resolve("certs"));
        }
        cluster = new LocalCluster(dir.resolve("nodes"), 3)
                .withPeerTls(i -> tls[i])
                .startAll();
        cluster.awaitLeader(WAIT);
        List<byte[]> sent = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < 3; i++) {
                // Through every node: a follower's Raft client forwards the append over TLS too.
                cluster.appendRecording(LOG, i, batch("r" + round + "n" + i, 4), sent);
            }
        }
        awaitAt(sent.size(), 3);
        List<AuditLog> replicas = cluster.replicas(LOG);
        assertThat(replicas).hasSize(3);
        byte[] note = replicas.get(0).latestCheckpoint().orElseThrow().signedNote();
        for (AuditLog replica : replicas) {
            for (int i = 0; i < sent.size(); i++) {
                assertThat(replica.entry(i)).as("entry %d", i).isEqualTo(sent.get(i));
            }
            assertThat(Arrays.equals(replica.latestCheckpoint().orElseThrow().signedNote(), note))
                    .as("byte-identical checkpoints")
                    .isTrue();
        }
    }

    @Test
    void nodeWithACertificateFromAnotherCaGetsNoEntries() throws Exception {
        PeerCertificates.Issued ca = PeerCertificates.ca("peer CA");
        PeerCertificates.Issued rogueCa = PeerCertificates.ca("rogue CA");
        PeerTls[] tls = {
            PeerCertificates.node(ca, "n1", dir.resolve("certs")),
            PeerCertificates.node(ca, "n2", dir.resolve("certs")),
            PeerCertificates.node(rogueCa, "n3", dir.resolve("rogue")),
        };
        assertThirdNodeIsolated(tls);
    }

    @Test
    void nodeWhoseCertificateNamesANonMemberGetsNoEntries() throws Exception {
        PeerCertificates.Issued ca = PeerCertificates.ca("peer CA");
        PeerTls[] tls = {
            PeerCertificates.node(ca, "n1", dir.resolve("certs")),
            PeerCertificates.node(ca, "n2", dir.resolve("certs")),
            // The right CA, but the certificate names node n9, which is not in the cluster.
            PeerCertificates.node(ca, "n3", "n9", dir.resolve("certs")),
        };
        assertThirdNodeIsolated(tls);
    }

    @Test
    void nodeAddedAtRunTimeIsAcceptedByTheIdItsCertificateNames() throws Exception {
        PeerCertificates.Issued ca = PeerCertificates.ca("peer CA");
        PeerTls[] tls = new PeerTls[4];
        for (int i = 0; i < 4; i++) {
            tls[i] = PeerCertificates.node(ca, "n" + (i + 1), dir.resolve("certs"));
        }
        // n4 is in no founder's --cluster list: the leader accepts it once it replicates to it.
        cluster = new LocalCluster(dir.resolve("nodes"), 3, 1, ClusterConfig.DEFAULT_SNAPSHOT_EVERY_ENTRIES)
                .withPeerTls(i -> tls[i])
                .startAll();
        cluster.awaitLeader(WAIT);
        List<byte[]> sent = new ArrayList<>();
        cluster.appendRecording(LOG, 0, batch("before", 4), sent);
        awaitAt(sent.size(), 3);
        cluster.start(3);
        cluster.require(1).addMember("n4", cluster.peer(3).address());
        cluster.appendRecording(LOG, 3, batch("via-n4", 4), sent);
        awaitAt(sent.size(), 4);
    }

    /** Nodes 0 and 1 elect and append; node 2 (n3) never leads and gets no entries. */
    private void assertThirdNodeIsolated(PeerTls[] tls) throws Exception {
        cluster = new LocalCluster(dir.resolve("nodes"), 3)
                .withPeerTls(i -> tls[i])
                .startAll();
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            int leader = cluster.awaitLeader(WAIT);
            assertThat(leader).as("the rogue node never leads").isNotEqualTo(2);
            cluster.appendRecording(LOG, i, batch("majority-" + i, 5), sent);
        }
        LocalCluster.await(
                "the majority at tree size " + sent.size(), WAIT, () -> at(0, sent.size()) && at(1, sent.size()));
        // Give the leader several heartbeats' worth of time to (fail to) reach the rogue node.
        LocalCluster.sleep(2_000);
        assertThat(cluster.require(2)
                        .logs()
                        .find(LOG)
                        .map(log -> log.head().treeSize())
                        .orElse(0L))
                .as("entries on the rogue node")
                .isZero();
        assertThat(cluster.require(2).isLeader()).isFalse();
        assertThat(cluster.require(cluster.awaitLeader(WAIT)).status().nodes().stream()
                        .filter(node -> node.id().equals("n3"))
                        .findFirst()
                        .orElseThrow()
                        .commitIndex())
                .as("the leader's view of the rogue node's commit index")
                .isLessThanOrEqualTo(0);
    }

    private boolean at(int node, long size) {
        return cluster.require(node)
                .logs()
                .find(LOG)
                .filter(log -> log.head().treeSize() == size
                        && log.latestCheckpoint()
                                        .map(PublishedCheckpoint::treeSize)
                                        .orElse(0L)
                                == size)
                .isPresent();
    }

    private void awaitAt(long size, int nodes) {
        LocalCluster.await("every node at tree size " + size, WAIT, () -> {
            for (int i = 0; i < nodes; i++) {
                if (!at(i, size)) {
                    return false;
                }
            }
            return true;
        });
    }
}
