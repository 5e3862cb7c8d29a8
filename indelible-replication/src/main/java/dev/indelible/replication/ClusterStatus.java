package dev.indelible.replication;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One node's view of its cluster, for {@code GET /v1/cluster}.
 *
 * @param role this node's Raft role: {@code LEADER}, {@code FOLLOWER}, {@code CANDIDATE} or
 *     {@code LISTENER}
 * @param leaderId the leader this node knows of, if any
 * @param appliedRaftIndex the last Raft log index applied to this node's logs
 * @param vouchesForTokens whether this node accepts the access tokens it holds right now ({@link
 *     RaftNode#vouchesForTokens})
 * @param nodes every member with its commit index as this node last heard it, and its lag behind
 *     the highest commit index known
 * @param appliedTreeSizes each log's tree size applied on this node
 * @param failure why this node stopped applying, if it did
 */
public record ClusterStatus(
        String nodeId,
        String role,
        Optional<String> leaderId,
        long term,
        long appliedRaftIndex,
        boolean vouchesForTokens,
        List<Node> nodes,
        Map<String, Long> appliedTreeSizes,
        Optional<String> failure) {
    /** One member as seen from this node. */
    public record Node(String id, String address, long commitIndex, long lag) {}
}
