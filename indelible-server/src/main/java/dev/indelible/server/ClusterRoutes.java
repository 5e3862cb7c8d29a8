package dev.indelible.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.indelible.log.ErrorCode;
import dev.indelible.log.IndelibleException;
import dev.indelible.replication.ClusterStatus;
import dev.indelible.replication.RaftNode;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;

/**
 * {@code POST /v1/cluster/nodes} (add a member, body {@code {"id":"n4","address":"host:port"}}) and
 * {@code DELETE /v1/cluster/nodes/{id}} (remove one) change the Raft configuration through the
 * leader (admin scope); both answer with the new status. A single node answers 400.
 *
 * <p>{@code GET /v1/cluster}: this node's view of its Raft cluster — every member with its role as
 * far as this node knows it, the leader, this node's applied Raft index and per-log tree sizes, and
 * each member's lag in Raft entries behind the highest commit index this node has heard of. A
 * single node answers {@code {"mode":"single-node"}}.
 */
final class ClusterRoutes {
    private ClusterRoutes() {}

    /** The add-member route. */
    public static final String NODES = "/v1/cluster/nodes";

    /** The remove-member route. */
    public static final String NODE = "/v1/cluster/nodes/{id}";

    private static final int BODY_MAX_BYTES = 4 * 1024;

    static void addNode(Context ctx, ObjectMapper json, RaftNode node) throws IOException {
        RaftNode member = clustered(node);
        byte[] bytes;
        try (InputStream in = ctx.req().getInputStream()) {
            bytes = in.readNBytes(BODY_MAX_BYTES + 1);
        }
        if (bytes.length > BODY_MAX_BYTES) {
            throw new IndelibleException(
                    ErrorCode.BODY_TOO_LARGE, "request bodies here are at most " + BODY_MAX_BYTES + " bytes");
        }
        JsonNode body;
        try {
            body = json.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new IndelibleException(ErrorCode.MALFORMED_JSON, "malformed JSON: " + e.getOriginalMessage());
        }
        if (body == null
                || !body.isObject()
                || !body.path("id").isTextual()
                || !body.path("address").isTextual()) {
            throw new IndelibleException(ErrorCode.INVALID_PARAMETER, "want {\"id\":\"n4\",\"address\":\"host:port\"}");
        }
        member.addMember(body.get("id").asText(), body.get("address").asText());
        status(ctx, json, member);
    }

    static void removeNode(Context ctx, ObjectMapper json, RaftNode node) {
        RaftNode member = clustered(node);
        member.removeMember(ctx.pathParam("id"));
        status(ctx, json, member);
    }

    private static RaftNode clustered(RaftNode node) {
        if (node == null) {
            throw new IndelibleException(
                    ErrorCode.INVALID_PARAMETER, "this server is a single node, not a cluster member");
        }
        return node;
    }

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
        body.put("vouchesForTokens", status.vouchesForTokens());
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
