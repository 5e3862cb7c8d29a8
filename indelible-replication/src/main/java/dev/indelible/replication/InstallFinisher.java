package dev.indelible.replication;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotReplyProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotRequestProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.util.ProtoUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completes a snapshot install that Ratis would leave pending for ever.
 *
 * <p>Ratis (3.3.0, {@code SnapshotInstallationHandler}) completes a follower's install — reloads the
 * state machine, moves its Raft log past the snapshot, accepts appends again — only when a leader's
 * next install notification arrives after the state machine reported the install done. If the
 * leader that notified stops before that, the next leader notifies the node only if it has purged
 * the node's next index; otherwise it sends appends, which the node refuses while the install is
 * pending. In a three-node cluster with the old leader down, nothing commits any more.
 *
 * <p>So once an install is reported done, this polls the node's Raft state: when a leader of a later
 * term than the notifying one is known and the install is still pending, it hands the node's Raft
 * server the notification that leader would send — from it, in its term, naming the first log index
 * the install was started for (Ratis accepts no earlier one) — through Ratis's public server
 * protocol ({@link RaftServer#installSnapshot}). Ratis then completes the install by its own code,
 * as for a real notification. The installed snapshot is committed data the install checked (roots,
 * this node's signature), so completing it is safe whichever leader leads; the next appends start
 * after it. A notification that crosses a real one is harmless: Ratis answers the later of the two
 * with "already installed". Only the term test is needed: a leader of the notifying term that is
 * alive sends the notification itself, and one that stopped is replaced in a later term.
 */
final class InstallFinisher {
    private static final Logger LOG = LoggerFactory.getLogger(InstallFinisher.class);

    /** How often a pending install is looked at. */
    static final Duration POLL = Duration.ofMillis(50);

    private final Supplier<RaftServer> server;
    private final Supplier<RaftGroupId> group;
    private final ScheduledExecutorService timer;

    /**
     * @param server this node's Raft server, or null before it is known
     * @param group the Raft group
     * @param timer where the polls run (shut down when the node closes)
     */
    InstallFinisher(Supplier<RaftServer> server, Supplier<RaftGroupId> group, ScheduledExecutorService timer) {
        this.server = server;
        this.group = group;
        this.timer = timer;
    }

    /**
     * Watches an install this node's state machine reported done: {@code installed} is the snapshot
     * it stored, {@code firstInLog} the leader's first log index the notification named, {@code
     * notifiedTerm} the term the notification came in.
     */
    void watch(long notifiedTerm, TermIndex firstInLog, TermIndex installed) {
        try {
            timer.schedule(() -> poll(notifiedTerm, firstInLog, installed), POLL.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the node is closing
        }
    }

    private void poll(long notifiedTerm, TermIndex firstInLog, TermIndex installed) {
        RaftServer current = server.get();
        if (current == null) {
            return;
        }
        RaftServer.Division division;
        try {
            division = current.getDivision(group.get());
        } catch (IOException e) {
            return; // the group is gone: nothing to complete
        }
        DivisionInfo info = division.getInfo();
        if (!info.isAlive() || division.getRaftLog().getSnapshotIndex() >= installed.getIndex()) {
            return; // closed, or Ratis completed the install
        }
        if (info.isLeader()) {
            // Elected with the install pending: no notification will come, and none can be made up.
            LOG.warn(
                    "snapshot install at raft index {} still pending as this node leads: left to Ratis",
                    installed.getIndex());
            return;
        }
        RaftPeerId leader = info.getLeaderId();
        long term = info.getCurrentTerm();
        if (term > notifiedTerm && leader != null && info.isFollower()) {
            LOG.warn(
                    "snapshot install at raft index {} reported done under the leader of term {}, which no longer"
                            + " leads: completing it with the notification {}, the leader of term {}, would send",
                    installed.getIndex(),
                    notifiedTerm,
                    leader,
                    term);
            try {
                InstallSnapshotReplyProto reply =
                        current.installSnapshot(notification(leader, current.getId(), group.get(), term, firstInLog));
                LOG.info("snapshot install at raft index {}: {}", installed.getIndex(), reply.getResult());
            } catch (IOException | RuntimeException e) {
                LOG.warn("completing the snapshot install at raft index {} failed: {}", installed.getIndex(), e);
            }
        }
        watch(notifiedTerm, firstInLog, installed);
    }

    /**
     * The install notification the leader {@code from} of {@code term} sends {@code to}, naming
     * {@code firstInLog} as the first index of its Raft log.
     */
    static InstallSnapshotRequestProto notification(
            RaftPeerId from, RaftPeerId to, RaftGroupId group, long term, TermIndex firstInLog) {
        return InstallSnapshotRequestProto.newBuilder()
                .setServerRequest(RaftRpcRequestProto.newBuilder()
                        .setRequestorId(from.toByteString())
                        .setReplyId(to.toByteString())
                        .setRaftGroupId(ProtoUtils.toRaftGroupIdProtoBuilder(group)))
                .setLeaderTerm(term)
                .setNotification(InstallSnapshotRequestProto.NotificationProto.newBuilder()
                        .setFirstAvailableTermIndex(firstInLog.toProto()))
                .build();
    }
}
