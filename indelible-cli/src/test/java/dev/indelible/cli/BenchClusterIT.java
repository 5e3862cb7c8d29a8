package dev.indelible.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * {@code indelible bench --url A,B,C} against three server JVMs on 127.0.0.1: it appends through
 * the node that leads, whichever of the three that is, and with one URL (or none answering as
 * leader) through the first.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class BenchClusterIT {
    private final Path dir = Path.of("target", "bench-cluster-it", Long.toString(System.currentTimeMillis()))
            .toAbsolutePath();
    private final HttpClient http = HttpClient.newHttpClient();
    private ClusterProcesses cluster;

    @AfterEach
    void stop() throws InterruptedException {
        if (cluster != null) {
            cluster.close();
        }
        http.close();
    }

    @Test
    void severalUrlsAppendThroughTheLeader() throws Exception {
        cluster = new ClusterProcesses(dir, "it.bench", Duration.ofSeconds(40));
        cluster.startAll();
        int leader = cluster.awaitLeader();
        List<String> urls = List.of(cluster.url(0), cluster.url(1), cluster.url(2));
        // Listed in each order: the leader is found wherever it stands.
        for (int first = 0; first < 3; first++) {
            List<String> rotated = List.of(urls.get(first), urls.get((first + 1) % 3), urls.get((first + 2) % 3));
            assertThat(bench(String.join(",", rotated)).leaderOf(http, rotated))
                    .as("listed from node %d", first + 1)
                    .isEqualTo(cluster.url(leader));
        }

        // Followers only, or a node that is down: the first listed.
        int follower = (leader + 1) % 3;
        int other = (leader + 2) % 3;
        List<String> followers = List.of(cluster.url(follower), cluster.url(other));
        assertThat(bench(String.join(",", followers)).leaderOf(http, followers)).isEqualTo(cluster.url(follower));
        BenchCommand single = bench(cluster.url(other));
        assertThat(single.urls).containsExactly(cluster.url(other));
    }

    private static BenchCommand bench(String urls) {
        BenchCommand command = new BenchCommand();
        new CommandLine(command).parseArgs("--url", urls);
        assertThat(command.urls).hasSize(urls.split(",").length);
        return command;
    }
}
