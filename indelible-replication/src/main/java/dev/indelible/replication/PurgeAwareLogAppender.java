package dev.indelible.replication;

import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcFactory;
import org.apache.ratis.grpc.server.GrpcLogAppender;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.rpc.RpcFactory;
import org.apache.ratis.rpc.RpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LeaderState;
import org.apache.ratis.server.leader.LogAppender;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.raftlog.RaftLogIOException;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's gRPC log appender for one follower, which never sends entries whose previous entry
 * it cannot name (docs/design/replication.md, "Snapshots and Raft log purge").
 *
 * <p>An append request carries the term and index of the entry before its first one, so the
 * follower can check that its log matches (Raft §5.3). Ratis 3.2.2 looks that entry up in the
 * leader's Raft log, then in the state machine's latest snapshot; it tells a follower to install a
 * snapshot only when the follower's next index is <em>below</em> the log's first index. Purging
 * drops whole closed segments, so the log starts at {@code b + 1} after a segment boundary
 * {@code b}, while the latest snapshot is usually later than {@code b}. A follower whose log ends exactly at {@code b}
 * (typically the leader of the term that ended at {@code b}, back after a restart) gets next index
 * {@code b + 1}: neither lookup finds entry {@code b}, Ratis's appender fails an assertion with a
 * {@code NullPointerException} ("Previous TermIndex not found"), its thread ends, and 3.2.2 does not
 * restart it, so that follower never hears from this leader again.
 *
 * <p>This appender checks before each request: if the follower's next index is {@code n > 0}, entry
 * {@code n - 1} is neither in the log nor the latest snapshot, and Ratis would not send the request
 * without a previous entry (it does so when the follower reported a snapshot at {@code n - 1}), it
 * moves the follower's next index to {@code n - 1} and sends nothing. Now {@code n - 1} is below the
 * log's first index ({@code n - 1} is not in the log, and a next index is never past the log's end),
 * so on its next round Ratis notifies the follower to install a snapshot, as for any follower behind
 * the purged log. The follower answers "already installed" with its own snapshot index when that
 * index is at least {@code n - 1} (Ratis then continues from the index after it, naming no previous
 * entry, which is safe because a snapshot holds only committed entries), and otherwise installs the
 * leader's snapshot ({@link LogStateMachine#notifyInstallSnapshotFromLeader}). Either way entry
 * {@code n - 1}'s term is never needed.
 *
 * <p>Runs on the appender's own thread, under the appender's lock, which Ratis also takes when an
 * "inconsistency" reply resets the next index: that reset cannot fall between the check and the
 * request. Depends on Ratis 3.2.2 internals: {@code LogAppenderBase.newAppendEntriesRequest} is the
 * one place requests are made; {@code
 * ClusterTest.formerLeaderWhoseLogEndsWhereTheNewLeaderPurgedCatchesUp} fails if an upgrade moves it.
 */
final class PurgeAwareLogAppender extends GrpcLogAppender {
    private static final Logger LOG = LoggerFactory.getLogger(PurgeAwareLogAppender.class);

    PurgeAwareLogAppender(RaftServer.Division server, LeaderState leaderState, FollowerInfo follower) {
        super(server, leaderState, follower);
    }

    /**
     * The next append request, or null (send nothing this round) when the follower's previous entry
     * cannot be named; see the class comment.
     */
    @Override
    public AppendEntriesRequestProto newAppendEntriesRequest(long callId, boolean heartbeat) throws RaftLogIOException {
        FollowerInfo follower = getFollower();
        long next = follower.getNextIndex();
        if (previousUnnamed(next, follower.getSnapshotIndex())) {
            LOG.info(
                    "{}: the entry before next index {} is purged from the Raft log (first index {}) and is not the"
                            + " latest snapshot; moving next index to {} so that the follower is told to install a snapshot",
                    this,
                    next,
                    getRaftLog().getStartIndex(),
                    next - 1);
            follower.setNextIndex(next - 1);
            return null;
        }
        return super.newAppendEntriesRequest(callId, heartbeat);
    }

    /**
     * Whether a request starting at {@code next} needs a previous entry this leader cannot name:
     * the cases where Ratis's own check would fail.
     */
    private boolean previousUnnamed(long next, long followerSnapshotIndex) {
        if (next <= RaftLog.LEAST_VALID_LOG_INDEX || next == followerSnapshotIndex + 1) {
            return false; // Ratis sends such a request without a previous entry
        }
        long previous = next - 1;
        if (getRaftLog().getTermIndex(previous) != null) {
            return false;
        }
        SnapshotInfo snapshot = getServer().getStateMachine().getLatestSnapshot();
        return snapshot == null || snapshot.getIndex() != previous;
    }

    /**
     * The Raft transport of a node: Ratis's gRPC, with this appender on the leader. Ratis finds it by
     * class name ({@code raft.rpc.type}) and instantiates it reflectively.
     */
    static final class Transport implements RpcType {
        @Override
        public String name() {
            return Transport.class.getName();
        }

        @Override
        public RpcFactory newFactory(Parameters parameters) {
            return new Factory(parameters);
        }
    }

    /** Ratis's gRPC factory, making {@link PurgeAwareLogAppender}s. */
    static final class Factory extends GrpcFactory {
        Factory(Parameters parameters) {
            super(parameters);
        }

        @Override
        public LogAppender newLogAppender(RaftServer.Division server, LeaderState state, FollowerInfo follower) {
            return new PurgeAwareLogAppender(server, state, follower);
        }
    }
}
