package dev.indelible.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.indelible.client.AppendedEntry;
import dev.indelible.client.IndelibleClient;
import dev.indelible.client.RetryPolicy;
import dev.indelible.formats.merkle.Hash;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * Clients given the URLs of all three nodes of a cluster of real server JVMs on 127.0.0.1: the SDK
 * appends through the leader and, when the leader is killed with SIGKILL, goes on appending through
 * the others; {@code indelible bench --url A,B,C} appends through the node that leads.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class SeveralUrlsIT {
    private final Path dir = Path.of("target", "several-urls-it", Long.toString(System.currentTimeMillis()))
            .toAbsolutePath();
    private ClusterProcesses cluster;

    @AfterEach
    void stop() throws InterruptedException {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void theSdkAppendsThroughTheLeaderAndGoesOnAfterTheLeaderIsKilled() throws Exception {
        int leader = startCluster("it.urls");
        Map<Long, Hash> acknowledged = new HashMap<>();
        try (IndelibleClient client = clientOfAllNodes()) {
            record(acknowledged, client.append(ClusterProcesses.LOG, events("before", 5)));
            cluster.kill(leader);
            // Let the client's HTTP stack see its kept-alive connection to the dead node close: an
            // append sent on it would have an unknown outcome, which the SDK rightly does not retry.
            Thread.sleep(500);
            // The same client, no other help: its next appends find a node that answers.
            for (int round = 0; round < 3; round++) {
                record(acknowledged, client.append(ClusterProcesses.LOG, events("after-" + round, 5)));
            }
        }
        assertThat(acknowledged).hasSize(20);
        cluster.start(leader);
        cluster.awaitHealthy(leader);
        cluster.assertEveryNodeHoldsTheAcknowledgedEntries(acknowledged);
    }

    /**
     * Events with ids ride through a leader's SIGKILL: an append in flight on the dead node has an
     * unknown outcome, and the SDK resends it (the events all have ids and a cluster deduplicates
     * them), so the caller sees no error, and every id is in the log exactly once, at the position
     * the SDK returned.
     */
    @Test
    void identifiedAppendsRideThroughALeaderKillWithoutADuplicate() throws Exception {
        int leader = startCluster("it.ride");
        Map<Long, Hash> acknowledged = new ConcurrentHashMap<>();
        AtomicInteger batches = new AtomicInteger();
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (IndelibleClient client = clientOfAllNodes()) {
            Thread writer = Thread.ofPlatform().start(() -> {
                try {
                    for (int b = 0; writing.get(); b++) {
                        List<byte[]> events = new ArrayList<>();
                        for (int e = 0; e < 5; e++) {
                            events.add(("{\"id\":\"ride-" + b + "-" + e + "\",\"action\":\"write\"}")
                                    .getBytes(StandardCharsets.UTF_8));
                        }
                        for (AppendedEntry entry : client.append(ClusterProcesses.LOG, events)) {
                            assertThat(acknowledged.put(entry.leafIndex(), entry.leafHash()))
                                    .isNull();
                        }
                        batches.incrementAndGet();
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            awaitBatches(batches, 20, failure);
            cluster.kill(leader); // no pause: appends are in flight on the leader's connections
            int atKill = batches.get();
            awaitBatches(batches, atKill + 20, failure);
            writing.set(false);
            writer.join(TimeUnit.SECONDS.toMillis(30));
        }
        assertThat(failure.get()).as("the caller saw no error").isNull();
        int written = batches.get();
        assertThat(acknowledged).hasSize(5 * written);
        cluster.start(leader);
        cluster.awaitHealthy(leader);
        List<byte[]> entries = cluster.assertEveryNodeHoldsTheAcknowledgedEntries(acknowledged);
        Map<String, Integer> seen = new HashMap<>();
        Pattern id = Pattern.compile("ride-\\d+-\\d+");
        for (byte[] entry : entries) {
            Matcher m = id.matcher(new String(entry, StandardCharsets.UTF_8));
            while (m.find()) {
                seen.merge(m.group(), 1, Integer::sum);
            }
        }
        assertThat(seen)
                .as("every id appended once")
                .hasSize(5 * written)
                .allSatisfy((k, n) -> assertThat(n).isEqualTo(1));
        try (IndelibleClient client = cluster.client(leader, Duration.ofSeconds(10))) {
            assertThat(client.logInfo(ClusterProcesses.LOG).treeSize())
                    .as("nothing appended twice")
                    .isEqualTo(5L * written);
            assertThat(client.logInfo(ClusterProcesses.LOG).dedupWindow()).isEqualTo(100_000);
        }
    }

    private static void awaitBatches(AtomicInteger batches, int count, AtomicReference<Throwable> failure) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (batches.get() < count && failure.get() == null && System.nanoTime() < deadline) {
            ClusterProcesses.sleep(10);
        }
        assertThat(failure.get()).as("the caller saw no error").isNull();
        assertThat(batches.get()).as("batches acknowledged").isGreaterThanOrEqualTo(count);
    }

    /** Starts a fresh three-node cluster; the index of its leader. */
    private int startCluster(String keyName) throws Exception {
        cluster = new ClusterProcesses(dir, keyName, Duration.ofSeconds(40));
        cluster.startAll();
        return cluster.awaitLeader();
    }

    /** An SDK client given every node's URL, retrying for about 15 s. */
    private IndelibleClient clientOfAllNodes() {
        return IndelibleClient.builder()
                .baseUrls(List.of(URI.create(cluster.url(0)), URI.create(cluster.url(1)), URI.create(cluster.url(2))))
                .retryPolicy(new RetryPolicy(30, Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1)))
                .requestTimeout(Duration.ofSeconds(10))
                .build();
    }

    private static List<byte[]> events(String tag, int count) {
        List<byte[]> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            events.add(("{\"tag\":\"" + tag + "\",\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8));
        }
        return events;
    }

    private static void record(Map<Long, Hash> acknowledged, List<AppendedEntry> entries) {
        for (AppendedEntry entry : entries) {
            assertThat(acknowledged.put(entry.leafIndex(), entry.leafHash())).isNull();
        }
    }

    @Test
    void benchAppendsThroughTheLeader() throws Exception {
        int leader = startCluster("it.bench");
        List<String> urls = List.of(cluster.url(0), cluster.url(1), cluster.url(2));
        // Listed in each order: the leader is found wherever it stands.
        for (int first = 0; first < 3; first++) {
            List<String> rotated = List.of(urls.get(first), urls.get((first + 1) % 3), urls.get((first + 2) % 3));
            assertThat(bench(String.join(",", rotated)).leaderOf(rotated))
                    .as("listed from node %d", first + 1)
                    .isEqualTo(cluster.url(leader));
        }

        // Followers only, or a node that is down: the first listed.
        int follower = (leader + 1) % 3;
        int other = (leader + 2) % 3;
        List<String> followers = List.of(cluster.url(follower), cluster.url(other));
        assertThat(bench(String.join(",", followers)).leaderOf(followers)).isEqualTo(cluster.url(follower));
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
