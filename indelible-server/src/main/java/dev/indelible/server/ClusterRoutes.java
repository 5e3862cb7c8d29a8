package dev.indelible.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.indelible.replication.ClusterStatus;
import dev.indelible.replication.RaftNode;
import io.javalin.http.Context;

/**
 * {@code GET /v1/cluster}: this node's view of its Raft cluster — every member with its role as
 * far as this node knows it, the leader, this node's applied Raft index and per-log tree sizes, and
 * each member's lag in Raft entries behind the highest commit index this node has heard of. A
 * single node answers {@code {"mode":"single-node"}}.
 */
final class ClusterRoutes {
    private ClusterRoutes() {}

    static void status(Context ctx, ObjectMapper json, RaftNode node) {
        ObjectNode body = json.createObjectNode();
        if (node == null) {
            body.put("mode", "single-node");
            ctx.json(body);
            return;
        }
        ClusterStatus status = node.status();
        body.put("mode", "cluster");
        body.put("nodeId", status.nodeId());
        body.put("role", status.role());
        body.put("cosignerKey", node.cosignerKey());
        status.leaderId().ifPresentOrElse(leader -> body.put("leader", leader), () -> body.putNull("leader"));
        body.put("term", status.term());
        body.put("appliedRaftIndex", status.appliedRaftIndex());
        ArrayNode nodes = body.putArray("nodes");
        for (ClusterStatus.Node member : status.nodes()) {
            ObjectNode entry = nodes.addObject();
            entry.put("id", member.id());
            entry.put("raftAddress", member.address());
            entry.put("role", roleOf(member, status));
            entry.put("commitIndex", member.commitIndex());
            entry.put("lag", member.lag());
        }
        ObjectNode logs = body.putObject("appliedTreeSizes");
        status.appliedTreeSizes().forEach(logs::put);
        status.failure().ifPresent(reason -> body.put("failure", reason));
        ctx.json(body);
    }

    private static String roleOf(ClusterStatus.Node member, ClusterStatus status) {
        if (member.id().equals(status.nodeId())) {
            return status.role();
        }
        if (status.leaderId().filter(member.id()::equals).isPresent()) {
            return "LEADER";
        }
        return member.commitIndex() >= 0 ? "FOLLOWER" : "UNKNOWN";
    }
}
