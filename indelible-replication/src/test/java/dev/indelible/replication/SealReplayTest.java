package dev.indelible.replication;

import static org.assertj.core.api.Assertions.assertThat;

import dev.indelible.formats.note.NoteSignature;
import dev.indelible.formats.note.NoteSigner;
import dev.indelible.log.AuditLogs;
import dev.indelible.log.LogApplier;
import dev.indelible.log.LogConfig;
import dev.indelible.log.LogName;
import dev.indelible.log.PublishedCheckpoint;
import dev.indelible.log.TreeHead;
import dev.indelible.storage.io.FileIO;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica that restarts from a snapshot replays the Raft entries after it against a log store
 * that may already hold their effects: here, the seal and cosignatures of a checkpoint that the
 * replica published and stored after the snapshot was taken. The replay must end in the state a
 * replica that never stopped is in, and must not stop the log (it did: "checkpoint at N could not be
 * stored: tree size N, want > N", found by a whole-cluster restart loop).
 */
class SealReplayTest {
    private static final LogName LOG = new LogName("audit");
    private static final Set<String> MEMBERS = Set.of("n1", "n2", "n3");
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-27T04:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    private final List<AuditLogs> opened = new ArrayList<>();

    @AfterEach
    void closeLogs() {
        opened.forEach(AuditLogs::close);
    }

    @Test
    void cosignaturesReplayedAfterTheCheckpointWasStoredChangeNothing() throws IOException {
        Replica live = open();
        append(live, "a", 3);
        live.sequencer.applySeal(3, live.log.rootHash(3));
        SnapshotFile.LogState snapshot = live.sequencer.snapshotState(); // the seal is pending here
        List<Command.Cosign> cosigns = cosign(live.log, 3, "n1", "n2");
        for (Command.Cosign cosign : cosigns) {
            assertThat(live.sequencer.applyCosign(cosign).ok()).isTrue();
        }
        assertThat(latestCheckpoint(live.log)).isEqualTo(3);
        close();

        Replica restarted = open();
        restarted.sequencer.restore(snapshot);
        for (Command.Cosign cosign : cosigns) {
            assertThat(restarted.sequencer.applyCosign(cosign).ok()).isTrue();
        }

        assertThat(restarted.log.failure()).isEmpty();
        assertThat(latestCheckpoint(restarted.log)).isEqualTo(3);
        assertThat(restarted.sequencer.snapshotState().pending()).isEmpty();
        // and the next checkpoint is sealed and published as usual
        append(restarted, "b", 2);
        restarted.sequencer.applySeal(5, restarted.log.rootHash(5));
        for (Command.Cosign cosign : cosign(restarted.log, 5, "n2", "n3")) {
            restarted.sequencer.applyCosign(cosign);
        }
        assertThat(restarted.log.failure()).isEmpty();
        assertThat(latestCheckpoint(restarted.log)).isEqualTo(5);
    }

    @Test
    void aSealReplayedBelowTheStoredCheckpointDropsTheStalePendingSeal() throws IOException {
        Replica live = open();
        append(live, "a", 3);
        live.sequencer.applySeal(3, live.log.rootHash(3));
        SnapshotFile.LogState snapshot = live.sequencer.snapshotState(); // seal at 3 pending
        append(live, "b", 2);
        live.sequencer.applySeal(5, live.log.rootHash(5)); // replaces the seal at 3
        List<Command.Cosign> cosigns = cosign(live.log, 5, "n1", "n3");
        for (Command.Cosign cosign : cosigns) {
            live.sequencer.applyCosign(cosign);
        }
        assertThat(latestCheckpoint(live.log)).isEqualTo(5);
        SnapshotFile.LogState liveState = live.sequencer.snapshotState();
        close();

        Replica restarted = open();
        restarted.sequencer.restore(snapshot);
        append(restarted, "b", 2); // the stored entries are verified, not appended again
        restarted.sequencer.applySeal(5, restarted.log.rootHash(5));
        for (Command.Cosign cosign : cosigns) {
            restarted.sequencer.applyCosign(cosign);
        }

        assertThat(restarted.log.failure()).isEmpty();
        SnapshotFile.LogState replayed = restarted.sequencer.snapshotState();
        assertThat(replayed.pending()).isEqualTo(liveState.pending()).isEmpty();
        assertThat(replayed.appliedTreeSize()).isEqualTo(liveState.appliedTreeSize());
        assertThat(replayed.checkpointTreeSize()).isEqualTo(liveState.checkpointTreeSize());
        assertThat(replayed.appliedRoot()).isEqualTo(liveState.appliedRoot());
    }

    private record Replica(LogApplier log, RaftSequencer sequencer) {}

    private Replica open() throws IOException {
        AtomicReference<LogApplier> applier = new AtomicReference<>();
        AtomicReference<RaftSequencer> sequencer = new AtomicReference<>();
        AuditLogs.Settings settings = new AuditLogs.Settings(
                dir.resolve("node"), LocalCluster.ORIGIN_HOST, LocalCluster::signer, LogConfig.defaults(), CLOCK);
        AuditLogs logs = AuditLogs.open(settings, FileIO.posix(), log -> {
            applier.set(log);
            sequencer.set(LocalCluster.standaloneSequencer(log, MEMBERS));
            return sequencer.get();
        });
        opened.add(logs);
        logs.getOrCreate(LOG);
        return new Replica(applier.get(), sequencer.get());
    }

    private void close() {
        opened.forEach(AuditLogs::close);
        opened.clear();
    }

    private static void append(Replica replica, String tag, int count) {
        List<byte[]> entries = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            entries.add(("{\"tag\":\"" + tag + "\",\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8));
        }
        assertThat(replica.sequencer
                        .applyAppend(new Command.Append(LOG, entries))
                        .ok())
                .isTrue();
    }

    /** Cosignatures of the checkpoint at {@code treeSize} by {@code nodes}, each with its own node key. */
    private List<Command.Cosign> cosign(LogApplier log, long treeSize, String... nodes) throws IOException {
        String text = log.checkpointText(new TreeHead(treeSize, log.rootHash(treeSize)));
        List<Command.Cosign> cosigns = new ArrayList<>();
        for (String node : nodes) {
            NodeKey key = NodeKey.loadOrCreate(dir.resolve("keys").resolve(node), node, FileIO.posix());
            NoteSigner signer = key.cosigner(CLOCK);
            byte[] signature = signer.sign(text.getBytes(StandardCharsets.UTF_8));
            cosigns.add(new Command.Cosign(
                    LOG,
                    treeSize,
                    node,
                    key.verifierKey(),
                    NoteSignature.of(signer.name(), signer.keyId(), signature)));
        }
        return cosigns;
    }

    private static long latestCheckpoint(LogApplier log) {
        return log.latestCheckpoint().map(PublishedCheckpoint::treeSize).orElse(0L);
    }
}
