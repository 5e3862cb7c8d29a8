package dev.indelible.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server JVM from the CLI jar, started with only {@code --config FILE} from another working
 * directory: it listens where the file says (127.0.0.1, port 0), keeps its data where the file's
 * relative path says (beside the file, not in the working directory), and serves an append and a
 * read over HTTP with access control off as the file says.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ServerConfigFileIT {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern LISTENING = Pattern.compile("Listening on (http://127\\.0\\.0\\.1:\\d+)");

    @TempDir
    Path dir;

    private Process server;

    @AfterEach
    void stop() throws InterruptedException {
        if (server != null && server.isAlive()) {
            server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aServerStartedFromAConfigFileAppendsAndReadsAnEvent() throws Exception {
        Path etc = Files.createDirectories(dir.resolve("etc"));
        Path cwd = Files.createDirectories(dir.resolve("cwd"));
        Path file = Files.write(
                etc.resolve("node.conf"),
                List.of(
                        "# a single node; relative paths resolve against this file's directory",
                        "listen = 127.0.0.1:0",
                        "data = node-data",
                        "auth = off",
                        "checkpoint-interval = 100"));
        Path output = dir.resolve("server.out");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        server = new ProcessBuilder(
                        java,
                        "-Xmx256m",
                        "-XX:+UseSerialGC",
                        "-jar",
                        System.getProperty("indelible.cli.jar"),
                        "server",
                        "--config",
                        "../etc/node.conf")
                .directory(cwd.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        String base = awaitListening(output);

        try (HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            HttpResponse<String> appended = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/v1/logs/audit/entries"))
                            .timeout(Duration.ofSeconds(10))
                            .header("content-type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"verb\":\"create\",\"user\":\"alice\"}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(appended.statusCode()).as(appended.body()).isEqualTo(200);
            assertThat(appended.body()).contains("\"leafIndex\":0");
            HttpResponse<String> read = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/v1/logs/audit/entries/0"))
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
            assertThat(read.body()).contains("\"user\":\"alice\"");
        }
        assertThat(Files.readString(output)).contains("Settings from " + etc.resolve("node.conf"));
        assertThat(etc.resolve("node-data")).isDirectory();
        assertThat(cwd.resolve("node-data")).doesNotExist();
        assertThat(cwd.resolve("data")).doesNotExist();
    }

    /** The base URL the server prints once it listens. */
    private String awaitListening(Path output) throws Exception {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            String printed = Files.exists(output) ? Files.readString(output) : "";
            Matcher listening = LISTENING.matcher(printed);
            if (listening.find()) {
                return listening.group(1);
            }
            assertThat(server.isAlive())
                    .as("server alive; output:%n%s", printed)
                    .isTrue();
            Thread.sleep(100);
        }
        throw new AssertionError("server did not print 'Listening on' within " + START_TIMEOUT);
    }
}
