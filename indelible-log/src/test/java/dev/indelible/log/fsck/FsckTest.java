package dev.indelible.log.fsck;

import static dev.indelible.log.fsck.FsckDataDir.build;
import static dev.indelible.log.fsck.FsckDataDir.checkpointPayload;
import static dev.indelible.log.fsck.FsckDataDir.checkpointPayloads;
import static dev.indelible.log.fsck.FsckDataDir.checksums;
import static dev.indelible.log.fsck.FsckDataDir.firstSegment;
import static dev.indelible.log.fsck.FsckDataDir.flipByte;
import static dev.indelible.log.fsck.FsckDataDir.logDir;
import static dev.indelible.log.fsck.FsckDataDir.recordOffset;
import static dev.indelible.log.fsck.FsckDataDir.writeCheckpoints;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.indelible.formats.checkpoint.Checkpoint;
import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.note.NoteKeys;
import dev.indelible.formats.note.Notes;
import dev.indelible.log.fsck.FsckReport.LogResult;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FsckTest {
    private static final int ENTRIES = 600;

    @TempDir
    Path data;

    private FsckReport fsck() throws IOException {
        return Fsck.check(FsckOptions.of(data), Fsck.Progress.none());
    }

    private LogResult onlyLog(FsckReport report) {
        assertThat(report.logs()).hasSize(1);
        return report.logs().get(0);
    }

    @Test
    void cleanDirectoryIsOkWithTheRootOfTheLatestCheckpoint() throws Exception {
        build(data, "app", ENTRIES, 4);
        Map<String, String> before = checksums(data);

        FsckReport report = fsck();

        LogResult log = onlyLog(report);
        assertThat(report.corrupt()).isFalse();
        assertThat(log.problems()).isEmpty();
        assertThat(log.warnings()).isEmpty();
        assertThat(log.entries()).isEqualTo(ENTRIES);
        assertThat(log.checkpoints()).isGreaterThanOrEqualTo(4);
        List<byte[]> checkpoints = checkpointPayloads(logDir(data, "app").resolve("checkpoints"));
        byte[] latest = checkpoints.get(checkpoints.size() - 1);
        Checkpoint signed = Checkpoint.parse(
                Notes.parse(Arrays.copyOfRange(latest, 8, latest.length)).text());
        assertThat(signed.treeSize()).isEqualTo(ENTRIES);
        assertThat(log.root()).isEqualTo(signed.rootHash());
        assertThat(log.lines())
                .containsExactly("ok app: 600 entries, " + log.checkpoints() + " checkpoints, root "
                        + signed.rootHash().base64());
        assertThat(report.summary()).isEqualTo("fsck: 1 log, 0 corrupt, 0 with warnings");
        assertThat(checksums(data)).isEqualTo(before);
    }

    @Test
    void everyLogIsReportedInNameOrder() throws Exception {
        build(data, "beta", 10, 1);
        build(data, "alpha", 300, 2);

        FsckReport report = fsck();

        assertThat(report.logs()).extracting(LogResult::log).containsExactly("alpha", "beta");
        assertThat(report.logs()).extracting(LogResult::entries).containsExactly(300L, 10L);
        assertThat(report.corrupt()).isFalse();
    }

    @Test
    void flippedByteInsideAnEntryNamesThatLeaf() throws Exception {
        build(data, "app", ENTRIES, 4);
        Path segment = firstSegment(data, "app");
        flipByte(segment, recordOffset(segment, 123) + 8 + 5);
        Map<String, String> before = checksums(data);

        LogResult log = onlyLog(fsck());

        assertThat(log.firstBadLeafIndex()).hasValue(123);
        assertThat(log.entries()).isEqualTo(123);
        assertThat(log.lines().get(0))
                .startsWith("CORRUPT app: first bad leaf index 123: segment ")
                .contains("CRC32C");
        assertThat(checksums(data)).isEqualTo(before);
    }

    @Test
    void flippedByteInASealedSegmentOfAManySegmentLogNamesThatLeaf() throws Exception {
        build(data, "app", 2_000, 10, 4_096);
        Path segments = logDir(data, "app").resolve("segments");
        assertThat(onlyLog(fsck()).lines()).singleElement().asString().startsWith("ok app: 2000 entries");
        Path third;
        try (var files = Files.list(segments)) {
            third = files.filter(p -> p.toString().endsWith(".seg"))
                    .sorted()
                    .toList()
                    .get(2);
        }
        long first = Long.parseLong(third.getFileName().toString().substring(0, 20));
        flipByte(third, recordOffset(third, 4) + 8 + 2);

        LogResult log = onlyLog(fsck());

        assertThat(log.firstBadLeafIndex()).hasValue(first + 4);
        assertThat(log.lines().get(0))
                .startsWith("CORRUPT app: first bad leaf index " + (first + 4) + ": segment " + third.getFileName());
        assertThat(log.lines().get(1)).endsWith("covers leaves at or after the segment corruption: not checked");
    }

    @Test
    void flippedByteInALeafHashNamesThatLeaf() throws Exception {
        build(data, "app", ENTRIES, 4);
        flipByte(logDir(data, "app").resolve("hashes/row-0"), 77L * Hash.SIZE + 3);

        LogResult log = onlyLog(fsck());

        assertThat(log.firstBadLeafIndex()).hasValue(77);
        assertThat(log.entries()).isEqualTo(ENTRIES);
        assertThat(log.lines().get(0)).startsWith("CORRUPT app: first bad leaf index 77: hashes/row-0 holds leaf hash");
    }

    @Test
    void flippedByteInAHigherRowNamesTheFirstLeafBelowThatNode() throws Exception {
        build(data, "app", ENTRIES, 4);
        flipByte(logDir(data, "app").resolve("hashes/row-1"), Hash.SIZE + 1);

        LogResult log = onlyLog(fsck());

        assertThat(log.firstBadLeafIndex()).hasValue(256);
        assertThat(log.lines().get(0)).contains("hashes/row-1 entry 1 (leaves 256..512)");
    }

    @Test
    void checkpointSignedByAnotherKeyIsCorrupt() throws Exception {
        build(data, "app", ENTRIES, 4);
        Path file = logDir(data, "app").resolve("checkpoints");
        List<byte[]> payloads = checkpointPayloads(file);
        byte[] victim = payloads.get(1);
        String text = Notes.parse(Arrays.copyOfRange(victim, 8, victim.length)).text();
        long treeSize = ByteBuffer.wrap(victim).getLong();
        payloads.set(
                1,
                checkpointPayload(
                        treeSize,
                        FsckDataDir.signer(HOST_ORIGIN, FsckDataDir.OTHER_SEED).sign(text)));
        writeCheckpoints(file, payloads);

        LogResult log = onlyLog(fsck());

        assertThat(log.corrupt()).isTrue();
        assertThat(log.firstBadLeafIndex()).isEmpty();
        assertThat(log.lines().get(0)).startsWith("CORRUPT app: checkpoint at tree size " + treeSize + ": ");
    }

    @Test
    void checkpointWithAnotherRootSignedByTheRealKeyNamesTheUnprovenRange() throws Exception {
        build(data, "app", ENTRIES, 4);
        Path file = logDir(data, "app").resolve("checkpoints");
        List<byte[]> payloads = checkpointPayloads(file);
        int last = payloads.size() - 1;
        long previousSize = ByteBuffer.wrap(payloads.get(last - 1)).getLong();
        Checkpoint forged = Checkpoint.of(HOST_ORIGIN, ENTRIES, Hash.of(new byte[32]));
        payloads.set(
                last,
                checkpointPayload(
                        ENTRIES,
                        FsckDataDir.signer(HOST_ORIGIN, FsckDataDir.SEED).sign(forged.format())));
        writeCheckpoints(file, payloads);

        LogResult log = onlyLog(fsck());

        assertThat(log.firstBadLeafIndex()).hasValue(previousSize);
        assertThat(log.lines().get(0))
                .contains("but the signed checkpoint says "
                        + Hash.of(new byte[32]).base64());
    }

    @Test
    void bitFlipInTheCheckpointHistoryIsCorrupt() throws Exception {
        build(data, "app", ENTRIES, 4);
        Path file = logDir(data, "app").resolve("checkpoints");
        flipByte(file, 8 + 8 + 8 + 10);

        LogResult log = onlyLog(fsck());

        assertThat(log.lines().get(0)).startsWith("CORRUPT app: checkpoints offset 8: CRC32C");
    }

    @Test
    void segmentsTruncatedBelowTheLastCheckpointMeanEntriesLost() throws Exception {
        build(data, "app", ENTRIES, 4);
        Path segment = firstSegment(data, "app");
        long cut = recordOffset(segment, 500);
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            channel.truncate(cut);
        }

        LogResult log = onlyLog(fsck());

        assertThat(log.entries()).isEqualTo(500);
        assertThat(log.firstBadLeafIndex()).hasValue(500);
        assertThat(log.lines().get(0))
                .startsWith("CORRUPT app: first bad leaf index 500: checkpoint at tree size ")
                .endsWith("only 500 valid entries: checkpointed entries lost");
    }

    @Test
    void tornTailIsAWarningNotCorruption() throws Exception {
        build(data, "app", ENTRIES, 4);
        byte[] halfRecord = ByteBuffer.allocate(8 + 30)
                .putInt(100)
                .putInt(0x1234)
                .put(new byte[30])
                .array();
        Files.write(firstSegment(data, "app"), halfRecord, StandardOpenOption.APPEND);
        Map<String, String> before = checksums(data);

        FsckReport report = fsck();

        LogResult log = onlyLog(report);
        assertThat(report.corrupt()).isFalse();
        assertThat(log.entries()).isEqualTo(ENTRIES);
        assertThat(log.warnings()).singleElement().asString().startsWith("torn tail of 38 bytes in the last segment");
        assertThat(log.lines().get(0)).startsWith("ok app: 600 entries");
        assertThat(log.lines().get(1)).startsWith("warning app: torn tail of 38 bytes");
        assertThat(checksums(data)).isEqualTo(before);
    }

    @Test
    void missingOrAlteredDetachedBodyNamesTheLeafThatReferencesIt() throws Exception {
        build(data, "app", 5, 1);
        byte[] body = "{\"big\":\"body\"}".getBytes(StandardCharsets.UTF_8);
        String hex = java.util.HexFormat.of()
                .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(body));
        Path blob = logDir(data, "app")
                .resolve("blobs")
                .resolve(hex.substring(0, 2))
                .resolve(hex);
        appendEnvelope(hex, body.length);
        assertThat(onlyLog(fsck()).lines().get(0))
                .contains("CORRUPT app: first bad leaf index 5: detached body sha256:" + hex + " is missing");

        Files.createDirectories(blob.getParent());
        Files.write(blob, body);
        assertThat(onlyLog(fsck()).corrupt()).isFalse();

        Files.write(blob, "{\"big\":\"bodY\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(onlyLog(fsck()).lines().get(0))
                .contains("first bad leaf index 5: detached body")
                .contains("hashes to sha256:");
    }

    private void appendEnvelope(String hex, int size) throws Exception {
        var settings = new dev.indelible.log.AuditLogs.Settings(
                data,
                FsckDataDir.HOST,
                origin -> FsckDataDir.signer(origin, FsckDataDir.SEED),
                dev.indelible.log.LogConfig.defaults().withCheckpointInterval(java.time.Duration.ofMillis(20)),
                java.time.Clock.systemUTC());
        try (var logs = dev.indelible.log.AuditLogs.open(settings, dev.indelible.storage.io.FileIO.posix())) {
            var log = logs.require(new dev.indelible.log.LogName("app"));
            String envelope = "{\"eventDigest\":\"sha256:" + hex + "\",\"eventSize\":" + size + ",\"v\":1}";
            log.append(List.of(dev.indelible.log.Leaf.of(envelope.getBytes(StandardCharsets.UTF_8))))
                    .get(10, java.util.concurrent.TimeUnit.SECONDS);
            log.awaitCheckpoint(6).get(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void pinnedVerifierKeyWorksWithoutTheSecretKeyFile() throws Exception {
        build(data, "app", ENTRIES, 2);
        Files.delete(data.resolve("keys/log-signing.key"));
        String vkey = NoteKeys.ed25519FromSeed(HOST_ORIGIN, FsckDataDir.SEED).verifierKey();

        FsckReport pinned = Fsck.check(new FsckOptions(data, List.of(vkey), Optional.empty()), Fsck.Progress.none());
        assertThat(onlyLog(pinned).problems()).isEmpty();
        assertThat(onlyLog(pinned).warnings()).isEmpty();

        String other =
                NoteKeys.ed25519FromSeed(HOST_ORIGIN, FsckDataDir.OTHER_SEED).verifierKey();
        FsckReport wrong = Fsck.check(new FsckOptions(data, List.of(other), Optional.empty()), Fsck.Progress.none());
        assertThat(wrong.corrupt()).isTrue();

        String publicKey = Base64.getEncoder()
                .encodeToString(dev.indelible.formats.note.KeyText.parseVerifierKey(vkey)
                        .keyMaterial());
        FsckReport byPublicKey =
                Fsck.check(new FsckOptions(data, List.of(), Optional.of(publicKey)), Fsck.Progress.none());
        assertThat(byPublicKey.corrupt()).isFalse();

        LogResult unverified = onlyLog(fsck());
        assertThat(unverified.corrupt()).isFalse();
        assertThat(unverified.warnings()).singleElement().asString().startsWith("checkpoint signatures NOT verified");
    }

    @Test
    void malformedVerifierKeyOrMissingDirectoryIsAUsageError() {
        assertThatThrownBy(() ->
                        Fsck.check(new FsckOptions(data, List.of("nonsense"), Optional.empty()), Fsck.Progress.none()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Fsck.check(FsckOptions.of(data.resolve("missing")), Fsck.Progress.none()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not exist");
    }

    private static final String HOST_ORIGIN = FsckDataDir.HOST + "/app";
}
