package dev.indelible.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code indelible cluster}: inspects a replicated cluster, changes its members, or runs a demo one. */
@Command(
        name = "cluster",
        mixinStandardHelpOptions = true,
        description = "Inspect a replicated cluster, add or remove members, or run a 3-node demo cluster.",
        subcommands = {
            ClusterCommand.Status.class,
            ClusterCommand.AddNode.class,
            ClusterCommand.RemoveNode.class,
            ClusterDemoCommand.class
        })
final class ClusterCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "choose a subcommand: status, add-node, remove-node, demo");
    }

    /** {@code cluster status}: prints {@code GET /v1/cluster} of one node as a table. */
    @Command(
            name = "status",
            mixinStandardHelpOptions = true,
            description = "Print the members, their roles and lag, the leader, and the applied tree size of each log, "
                    + "as seen by the node at --url.")
    static final class Status implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(
                names = "--url",
                paramLabel = "URL",
                defaultValue = "http://127.0.0.1:8080",
                description = "Base URL of any node (default: ${DEFAULT-VALUE}).")
        String url;

        @Option(names = "--json", description = "Print the server's JSON unchanged.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            HttpResponse<String> response;
            try (HttpClient http = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(5))
                    .build()) {
                HttpRequest request = HttpRequest.newBuilder(URI.create(url.replaceAll("/+$", "") + "/v1/cluster"))
                        .timeout(Duration.ofSeconds(10))
                        .GET()
                        .build();
                response = http.send(request, HttpResponse.BodyHandlers.ofString());
            }
            if (response.statusCode() != 200) {
                spec.commandLine()
                        .getErr()
                        .println("GET /v1/cluster answered " + response.statusCode() + ": " + response.body());
                return 1;
            }
            if (json) {
                out.println(response.body());
                out.flush();
                return 0;
            }
            print(new ObjectMapper().readTree(response.body()), out);
            out.flush();
            return 0;
        }

        static void print(JsonNode body, PrintWriter out) {
            if (!"cluster".equals(body.path("mode").asText())) {
                out.println("single node (not clustered)");
                return;
            }
            out.printf(
                    "node %s  role %s  leader %s  term %d  applied raft index %d  tokens %s%n",
                    body.path("nodeId").asText(),
                    body.path("role").asText(),
                    body.path("leader").isNull()
                            ? "(none)"
                            : body.path("leader").asText(),
                    body.path("term").asLong(),
                    body.path("appliedRaftIndex").asLong(),
                    body.path("vouchesForTokens").asBoolean() ? "accepted" : "refused (not caught up with a majority)");
            if (body.has("failure")) {
                out.println("FAILED: " + body.path("failure").asText());
            }
            out.printf("%-12s %-24s %-10s %12s %8s%n", "NODE", "RAFT ADDRESS", "ROLE", "COMMIT", "LAG");
            for (JsonNode node : body.path("nodes")) {
                out.printf(
                        "%-12s %-24s %-10s %12d %8d%n",
                        node.path("id").asText(),
                        node.path("raftAddress").asText(),
                        node.path("role").asText(),
                        node.path("commitIndex").asLong(),
                        node.path("lag").asLong());
            }
            out.printf("%-24s %12s%n", "LOG", "TREE SIZE");
            for (Map.Entry<String, JsonNode> log : body.path("appliedTreeSizes").properties()) {
                out.printf("%-24s %12d%n", log.getKey(), log.getValue().asLong());
            }
        }
    }

    /** Sends one membership request and prints the resulting status, as {@code cluster status} does. */
    static int change(CommandSpec spec, String url, String token, String method, String path, String body)
            throws Exception {
        HttpResponse<String> response;
        try (HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url.replaceAll("/+$", "") + path))
                    .timeout(Duration.ofSeconds(60))
                    .method(
                            method,
                            body == null
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofString(body));
            if (body != null) {
                request.header("Content-Type", "application/json");
            }
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
        if (response.statusCode() != 200) {
            spec.commandLine()
                    .getErr()
                    .println(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
            return 1;
        }
        PrintWriter out = spec.commandLine().getOut();
        Status.print(new ObjectMapper().readTree(response.body()), out);
        out.flush();
        return 0;
    }

    /** {@code cluster add-node}: {@code POST /v1/cluster/nodes} on any member. */
    @Command(
            name = "add-node",
            mixinStandardHelpOptions = true,
            description =
                    "Add a voting member. Start the new node first with --join and a --cluster list naming the "
                            + "members and itself; the leader brings it up to date from its Raft log, then adds it. Needs admin scope.")
    static final class AddNode implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--url", paramLabel = "URL", required = true, description = "Base URL of any member.")
        String url;

        @Option(
                names = "--node-id",
                paramLabel = "ID",
                required = true,
                description = "The new node's id (its --node-id).")
        String nodeId;

        @Option(
                names = "--address",
                paramLabel = "HOST:PORT",
                required = true,
                description = "The new node's Raft address.")
        String address;

        @Mixin
        TokenOption token = new TokenOption();

        @Override
        public Integer call() throws Exception {
            ObjectNode body =
                    new ObjectMapper().createObjectNode().put("id", nodeId).put("address", address);
            return change(spec, url, token.value(), "POST", "/v1/cluster/nodes", body.toString());
        }
    }

    /** {@code cluster remove-node}: {@code DELETE /v1/cluster/nodes/{id}} on any member. */
    @Command(
            name = "remove-node",
            mixinStandardHelpOptions = true,
            description =
                    "Remove a voting member (it may be down). Stop the removed node afterwards. Needs admin scope.")
    static final class RemoveNode implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(
                names = "--url",
                paramLabel = "URL",
                required = true,
                description = "Base URL of any member (not the removed one).")
        String url;

        @Option(
                names = "--node-id",
                paramLabel = "ID",
                required = true,
                description = "The id of the member to remove.")
        String nodeId;

        @Mixin
        TokenOption token = new TokenOption();

        @Override
        public Integer call() throws Exception {
            return change(
                    spec,
                    url,
                    token.value(),
                    "DELETE",
                    "/v1/cluster/nodes/" + java.net.URLEncoder.encode(nodeId, java.nio.charset.StandardCharsets.UTF_8),
                    null);
        }
    }
}
