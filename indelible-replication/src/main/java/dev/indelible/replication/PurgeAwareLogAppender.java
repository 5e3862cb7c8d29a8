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

/**
 * The leader's gRPC log appender for one follower, which does not tell a follower to install a
 * snapshot it already has (docs/design/replication.md, "The entry before a follower's next index").
 *
 * <p>An append request carries the term and index of the entry before its first one, so the
 * follower can check that its log matches (Raft §5.3). Purging drops whole closed segments, so the
 * leader's Raft log starts at {@code b + 1} after a segment boundary {@code b}, while its latest
 * snapshot is usually later than {@code b}. For a follower whose next index is {@code b + 1}
 * (typically the leader of the term that ended at {@code b}, back after a restart) the leader can
 * name entry {@code b} from neither, so Ratis 3.3.0 notifies the follower to install a snapshot
 * ({@link LogAppender#shouldInstallSnapshot(boolean)}). A follower whose own snapshot is at
 * {@code b} answers "already installed" with index {@code b}; Ratis records that snapshot index, sets
 * the next index to {@code b + 1} again and would be fine sending from there with no previous entry
 * (it does so when the follower's snapshot is at {@code next - 1}, which is safe because a snapshot
 * holds only committed entries) — but 3.3.0's {@code shouldInstallSnapshot} does not look at the
 * follower's snapshot index, so it notifies again, for ever, and the follower never catches up.
 *
 * <p>This appender answers "no snapshot needed" in exactly that case: the follower is past
 * bootstrapping, its next index {@code n > 0} is the log's first index, entry {@code n - 1} cannot be
 * named, and the follower reported a snapshot at {@code n - 1}. Everything else is Ratis's own rule.
 * {@code ClusterTest.formerLeaderWhoseLogEndsWhereTheNewLeaderPurgedCatchesUp} reproduces the case;
 * it fails on 3.3.0 without this class.
 *
 * <p>It also keeps notifying a follower it has told to install a snapshot until the follower answers
 * that it did (its snapshot index changes, or is known to reach the log's start) or appends reach it
 * again. A follower finishes an install — reloads its state from the snapshot it fetched — only when
 * the <em>next</em> notification arrives, and meanwhile refuses appends with an "inconsistency" reply
 * carrying its own log's next index. For a former leader whose log has uncommitted entries past the
 * new leader's log start, that index is one the leader can send from, so Ratis stopped notifying and
 * sent appends that the follower refused, for ever (found by {@code NodeRestartSoak}: a restarted
 * leader whose Raft log ended at 1223, its commit at 1217, the new leader's log starting at 1222).
 *
 * <p>And it never lets a request that names no previous entry claim a commit index beyond its own
 * last entry ({@link #withProvableCommit}).
 */
final class PurgeAwareLogAppender extends GrpcLogAppender {
    /** No notification awaits the follower's "installed" answer ({@link #notifiedAtSnapshotIndex}). */
    private static final long NONE = Long.MIN_VALUE;

    /**
     * The follower's snapshot index (as this leader knows it) when it was told to install a snapshot
     * and has not yet answered that it did; {@link #NONE} otherwise. Appender thread only.
     */
    private long notifiedAtSnapshotIndex = NONE;

    PurgeAwareLogAppender(RaftServer.Division server, LeaderState leaderState, FollowerInfo follower) {
        super(server, leaderState, follower);
    }

    @Override
    public boolean shouldInstallSnapshot(boolean hasSnapshot) {
        if (followerSnapshotNamesPrevious()) {
            notifiedAtSnapshotIndex = NONE;
            return false;
        }
        boolean install = super.shouldInstallSnapshot(hasSnapshot);
        FollowerInfo follower = getFollower();
        if (install) {
            if (notifiedAtSnapshotIndex == NONE) {
                notifiedAtSnapshotIndex = follower.getSnapshotIndex();
            }
            return true;
        }
        if (notifiedAtSnapshotIndex != NONE) {
            long snapshot = follower.getSnapshotIndex();
            long start = getRaftLog().getStartIndex();
            if (snapshot != notifiedAtSnapshotIndex || snapshot + 1 >= start || follower.getMatchIndex() >= start) {
                // it answered "installed" or "already installed", or appends reach it again
                notifiedAtSnapshotIndex = NONE;
                return false;
            }
            return true; // an install it has not finished (class comment)
        }
        return false;
    }

    @Override
    public AppendEntriesRequestProto newAppendEntriesRequest(long callId, boolean heartbeat) throws RaftLogIOException {
        AppendEntriesRequestProto request = super.newAppendEntriesRequest(callId, heartbeat);
        return request == null ? null : withProvableCommit(request);
    }

    /**
     * {@code request}, with its leader commit index lowered to the index of its last entry (-1 when it
     * has none) if it names no previous entry. A Ratis 3.3.0 follower commits up to the smaller of
     * the leader's commit index and {@code p + n}, where {@code n} is the number of entries and
     * {@code p} the previous entry's index — or 0 when the request names none
     * ({@code ServerImplUtils.effectiveCommitIndex}), one more than such a request proves: its entries
     * end at {@code n - 1}, and a heartbeat without a previous entry (Ratis sends its heartbeats so
     * while appends are pending) proves nothing. So a follower could commit, and apply, an entry at
     * index {@code n} (0 for a heartbeat) that the leader never sent it. That happens to a node that
     * briefly led a new cluster's first term and wrote its own configuration entry at index 0 before
     * a node with another index 0 was elected: it applies its own entry as committed and then refuses
     * the leader's index 0 for ever (a CI run of session 8:
     * bench/results/2026-11-26/session8/ratis-startup-race.txt). With the commit index lowered, such
     * a request commits only what it carries; later requests, which name their previous entry, commit
     * the rest. A request that names a previous entry is returned as it is.
     */
    static AppendEntriesRequestProto withProvableCommit(AppendEntriesRequestProto request) {
        if (request.hasPreviousLog()) {
            return request;
        }
        int entries = request.getEntriesCount();
        long provable = entries == 0
                ? RaftLog.INVALID_LOG_INDEX
                : request.getEntries(entries - 1).getIndex();
        return request.getLeaderCommit() <= provable
                ? request
                : request.toBuilder().setLeaderCommit(provable).build();
    }

    /** Whether the follower's own snapshot ends right before its next index, the log's first index. */
    private boolean followerSnapshotNamesPrevious() {
        FollowerInfo follower = getFollower();
        long next = follower.getNextIndex();
        return next > RaftLog.LEAST_VALID_LOG_INDEX
                && !getLeaderState().isFollowerBootstrapping(follower)
                && next == follower.getSnapshotIndex() + 1
                && next == getRaftLog().getStartIndex()
                && getPrevious(next) == null;
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
