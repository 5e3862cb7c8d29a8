package dev.indelible.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code indelible cluster}: inspects a replicated cluster. */
@Command(
        name = "cluster",
        mixinStandardHelpOptions = true,
        description = "Inspect a replicated cluster.",
        subcommands = {ClusterCommand.Status.class})
final class ClusterCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "choose a subcommand: status");
    }

    /** {@code cluster status}: prints {@code GET /v1/cluster} of one node as a table. */
    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Print the members, their roles and lag, the leader, and the applied tree size of each log, "
                    + "as seen by the node at --url.")
    static final class Status implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--url", paramLabel = "URL", defaultValue = "http://127.0.0.1:8080",
                description = "Base URL of any node (default: ${DEFAULT-VALUE}).")
        String url;

        @Option(names = "--json", description = "Print the server's JSON unchanged.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            HttpResponse<String> response;
            try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
                HttpRequest request = HttpRequest.newBuilder(URI.create(url.replaceAll("/+$", "") + "/v1/cluster"))
                        .timeout(Duration.ofSeconds(10))
                        .GET()
                        .build();
                response = http.send(request, HttpResponse.BodyHandlers.ofString());
            }
            if (response.statusCode() != 200) {
                spec.commandLine().getErr().println("GET /v1/cluster answered " + response.statusCode() + ": " + response.body());
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

        private static void print(JsonNode body, PrintWriter out) {
            if (!"cluster".equals(body.path("mode").asText())) {
                out.println("single node (not clustered)");
                return;
            }
            out.printf("node %s  role %s  leader %s  term %d  applied raft index %d%n",
                    body.path("nodeId").asText(), body.path("role").asText(),
                    body.path("leader").isNull() ? "(none)" : body.path("leader").asText(),
                    body.path("term").asLong(), body.path("appliedRaftIndex").asLong());
            if (body.has("failure")) {
                out.println("FAILED: " + body.path("failure").asText());
            }
            out.printf("%-12s %-24s %-10s %12s %8s%n", "NODE", "RAFT ADDRESS", "ROLE", "COMMIT", "LAG");
            for (JsonNode node : body.path("nodes")) {
                out.printf("%-12s %-24s %-10s %12d %8d%n", node.path("id").asText(), node.path("raftAddress").asText(),
                        node.path("role").asText(), node.path("commitIndex").asLong(), node.path("lag").asLong());
            }
            out.printf("%-24s %12s%n", "LOG", "TREE SIZE");
            for (Map.Entry<String, JsonNode> log : body.path("appliedTreeSizes").properties()) {
                out.printf("%-24s %12d%n", log.getKey(), log.getValue().asLong());
            }
        }
    }
}
