package dev.indelible.replication;

import static org.assertj.core.api.Assertions.assertThat;

import dev.indelible.log.AuditLogs;
import dev.indelible.log.LogConfig;
import dev.indelible.log.LogName;
import dev.indelible.storage.io.FileIO;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proposer-side group commit of {@link RaftSequencer}: one Raft entry of a log in flight per
 * node, the requests that arrive meanwhile proposed together after it, each answered with its own
 * part of the reply.
 */
class GroupCommitTest {
    private static final LogName LOG = LogName.parse("audit");
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private AuditLogs logs;
    private final List<Proposal> proposals = new CopyOnWriteArrayList<>();

    private record Proposal(Command command, CompletableFuture<Reply> reply) {}

    @AfterEach
    void closeLogs() {
        if (logs != null) {
            logs.close();
        }
    }

    @Test
    void requestsArrivingWhileAnEntryIsInFlightGoTogetherAfterIt() throws Exception {
        RaftSequencer sequencer = open();
        CompletableFuture<Long> first = sequencer.submit(List.of(leaf("a")));
        CompletableFuture<Long> second = sequencer.submit(List.of(leaf("b")));
        CompletableFuture<Long> third = sequencer.submit(List.of(leaf("c"), leaf("d")));
        assertThat(proposals).hasSize(1);
        assertThat(proposals.get(0).command()).isInstanceOf(Command.Append.class);

        proposals.get(0).reply().complete(Reply.ok(0));
        assertThat(first.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isZero();
        assertThat(proposals).hasSize(2);
        assertThat(proposals.get(1).command())
                .isInstanceOfSatisfying(
                        Command.Batch.class, batch -> assertThat(batch.parts()).hasSize(2));
        proposals.get(1).reply().complete(Reply.batch(List.of(Reply.ok(1), Reply.ok(2))));
        assertThat(second.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(1);
        assertThat(third.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(2);
    }

    private RaftSequencer open() throws Exception {
        AtomicReference<RaftSequencer> sequencer = new AtomicReference<>();
        AuditLogs.Settings settings = new AuditLogs.Settings(
                dir, LocalCluster.ORIGIN_HOST, LocalCluster::signer, LogConfig.defaults(), java.time.Clock.systemUTC());
        logs = AuditLogs.open(settings, FileIO.posix(), log -> {
            sequencer.set(new RaftSequencer(
                    log,
                    command -> {
                        CompletableFuture<Reply> reply = new CompletableFuture<>();
                        proposals.add(new Proposal(command, reply));
                        return reply;
                    },
                    (s, treeSize, text) -> {},
                    () -> Set.of("n1"),
                    Runnable::run,
                    LocalCluster.storesAtOnce(),
                    1_000));
            return sequencer.get();
        });
        logs.getOrCreate(LOG);
        return sequencer.get();
    }

    private static dev.indelible.log.Leaf leaf(String tag) {
        return dev.indelible.log.Leaf.of(("{\"tag\":\"" + tag + "\"}").getBytes(StandardCharsets.UTF_8));
    }
}
