package dev.indelible.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.indelible.client.AppendedEntry;
import dev.indelible.client.IndelibleClient;
import dev.indelible.client.RetryPolicy;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code indelible cluster demo} from the CLI jar: three child JVMs come up, an append through node
 * 2 is read on node 3, a fourth server started with {@code --join} is added and removed with
 * {@code cluster add-node / remove-node}, and stopping the demo (SIGTERM, as Ctrl-C) stops every node.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ClusterDemoIT {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final Pattern NODE_LINE = Pattern.compile("^\\s+(n\\d)\\s+(\\S+)\\s+pid (\\d+)\\s");

    @TempDir
    Path dir;

    private Process demo;
    private Process joiner;
    private final List<Long> childPids = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        for (Process process : new Process[] {demo, joiner}) {
            if (process != null && process.isAlive()) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        for (long pid : childPids) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void demoClusterServesAppendsOnEveryNodeAndChangesMembers() throws Exception {
        int base = LoopbackPorts.freeBase();
        Path data = dir.resolve("demo");
        Path output = dir.resolve("demo.out");
        demo = new ProcessBuilder(
                        java(),
                        "-jar",
                        jar(),
                        "cluster",
                        "demo",
                        "--base-port",
                        Integer.toString(base),
                        "--data",
                        data.toString())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        await("the demo to print 'Cluster ready'", () -> {
            assertThat(demo.isAlive())
                    .as("demo alive; output:%n%s", read(output))
                    .isTrue();
            return read(output).contains("Cluster ready");
        });
        String printed = read(output);
        List<String> urls = new ArrayList<>();
        for (String line : printed.split("\n")) {
            Matcher m = NODE_LINE.matcher(line);
            if (m.find()) {
                urls.add(m.group(2));
                childPids.add(Long.parseLong(m.group(3)));
            }
        }
        assertThat(urls)
                .containsExactly(
                        "http://127.0.0.1:" + base, "http://127.0.0.1:" + (base + 1), "http://127.0.0.1:" + (base + 2));
        assertThat(printed).contains("Verifier key of log \"audit\": demo.indelible.local/audit+", "kill -9");
        assertThat(data.resolve("cluster.key")).exists();

        byte[] event = "{\"hello\":\"demo\"}".getBytes(StandardCharsets.UTF_8);
        long index;
        try (IndelibleClient node2 = client(urls.get(1))) {
            List<AppendedEntry> appended = node2.append("audit", List.of(event));
            index = appended.getFirst().leafIndex();
        }
        try (IndelibleClient node3 = client(urls.get(2))) {
            await("node 3 to serve the entry", () -> readEntry(node3, index) != null);
            assertThat(new String(readEntry(node3, index), StandardCharsets.UTF_8))
                    .contains("\"hello\":\"demo\"");
        }

        // A fourth node joins through the CLI (admin API; the demo runs with access control off).
        int http4 = LoopbackPorts.free();
        int raft4 = LoopbackPorts.free();
        Path data4 = dir.resolve("n4");
        Files.createDirectories(data4);
        String members = "n1=127.0.0.1:" + (base + 1000) + ",n2=127.0.0.1:" + (base + 1001) + ",n3=127.0.0.1:"
                + (base + 1002) + ",n4=127.0.0.1:" + raft4;
        joiner = new ProcessBuilder(
                        java(),
                        "-Xmx256m",
                        "-XX:+UseSerialGC",
                        "-jar",
                        jar(),
                        "server",
                        "--join",
                        "--node-id",
                        "n4",
                        "--cluster",
                        members,
                        "--listen",
                        "127.0.0.1:" + http4,
                        "--data",
                        data4.toString(),
                        "--log-key",
                        data.resolve("cluster.key").toString(),
                        "--auth",
                        "off")
                .redirectErrorStream(true)
                .redirectOutput(data4.resolve("server.log").toFile())
                .start();
        String url4 = "http://127.0.0.1:" + http4;
        await("n4 healthy", () -> get(url4 + "/healthz") != null);
        StringWriter added = new StringWriter();
        int status = run(
                added,
                "cluster",
                "add-node",
                "--url",
                urls.get(1),
                "--node-id",
                "n4",
                "--address",
                "127.0.0.1:" + raft4);
        assertThat(status).as("add-node output: %s", added).isZero();
        assertThat(added.toString()).contains("n4");
        try (IndelibleClient node4 = client(url4)) {
            await("n4 to catch up", () -> readEntry(node4, index) != null);
            assertThat(readEntry(node4, index)).isEqualTo(readEntryFrom(urls.get(0), index));
        }
        assertThat(memberIds(urls.get(0))).containsExactly("n1", "n2", "n3", "n4");

        StringWriter removed = new StringWriter();
        assertThat(run(removed, "cluster", "remove-node", "--url", urls.get(0), "--node-id", "n4"))
                .as("%s", removed)
                .isZero();
        await("n4 gone from n3's view", () -> memberIds(urls.get(2)).equals(List.of("n1", "n2", "n3")));
        try (IndelibleClient node1 = client(urls.get(0))) {
            assertThat(node1.append("audit", List.of(event)).getFirst().leafIndex())
                    .isEqualTo(index + 1);
        }

        // Ctrl-C (SIGTERM) stops the demo and every node.
        demo.destroy();
        assertThat(demo.waitFor(60, TimeUnit.SECONDS)).as("demo exits").isTrue();
        await(
                "every demo node stopped",
                () -> childPids.stream()
                        .noneMatch(pid -> ProcessHandle.of(pid)
                                .map(ProcessHandle::isAlive)
                                .orElse(false)));
    }

    private static int run(StringWriter out, String... args) {
        CommandLine cli = Main.commandLine();
        PrintWriter writer = new PrintWriter(out, true);
        cli.setOut(writer);
        cli.setErr(writer);
        return cli.execute(args);
    }

    private static List<String> memberIds(String url) {
        String body = get(url + "/v1/cluster");
        if (body == null) {
            return List.of();
        }
        List<String> ids = new ArrayList<>();
        try {
            for (JsonNode node : new ObjectMapper().readTree(body).path("nodes")) {
                ids.add(node.path("id").asText());
            }
        } catch (IOException e) {
            return List.of();
        }
        return ids;
    }

    private static byte[] readEntry(IndelibleClient client, long index) {
        try {
            return client.entry("audit", index);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static byte[] readEntryFrom(String url, long index) {
        try (IndelibleClient client = client(url)) {
            return client.entry("audit", index);
        }
    }

    private static IndelibleClient client(String url) {
        return IndelibleClient.builder()
                .baseUrl(url)
                .requestTimeout(Duration.ofSeconds(30))
                .retryPolicy(RetryPolicy.none())
                .build();
    }

    private static String get(String url) {
        try (HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String jar() {
        String jar = System.getProperty("indelible.cli.jar");
        assertThat(jar).as("indelible.cli.jar").isNotNull();
        return jar;
    }
}
