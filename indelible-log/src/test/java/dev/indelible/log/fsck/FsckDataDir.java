package dev.indelible.log.fsck;

import dev.indelible.formats.note.NoteKeys;
import dev.indelible.formats.note.NoteSigner;
import dev.indelible.formats.note.Notes;
import dev.indelible.log.AuditLog;
import dev.indelible.log.AuditLogs;
import dev.indelible.log.CheckpointSigner;
import dev.indelible.log.Leaf;
import dev.indelible.log.LogConfig;
import dev.indelible.log.LogName;
import dev.indelible.storage.io.FileIO;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Builds real data directories through the real append pipeline, and edits their files the way a
 * failing disk or an attacker would (test fixture).
 */
final class FsckDataDir {
    static final String HOST = "fsck.test";
    static final byte[] SEED = filled(32, (byte) 7);
    static final byte[] OTHER_SEED = filled(32, (byte) 9);
    static final int SEGMENT_HEADER_BYTES = 16;
    static final int CHECKPOINT_HEADER_BYTES = 8;

    private FsckDataDir() {}

    /** A data directory with the log {@code name} holding {@code entries} entries appended in {@code batches} batches. */
    static void build(Path data, String name, int entries, int batches) throws Exception {
        build(data, name, entries, batches, LogConfig.DEFAULT_SEGMENT_MAX_BYTES);
    }

    /** As {@link #build(Path, String, int, int)}, sealing segments at {@code segmentMaxBytes}. */
    static void build(Path data, String name, int entries, int batches, long segmentMaxBytes) throws Exception {
        Path keyFile = data.resolve("keys/log-signing.key");
        if (!Files.exists(keyFile)) {
            Files.createDirectories(keyFile.getParent());
            Files.writeString(keyFile, NoteKeys.ed25519FromSeed(HOST, SEED).signerKey() + "\n");
        }
        var settings = new AuditLogs.Settings(
                data,
                HOST,
                origin -> signer(origin, SEED),
                LogConfig.defaults()
                        .withCheckpointInterval(Duration.ofMillis(20))
                        .withSegmentMaxBytes(segmentMaxBytes),
                Clock.systemUTC());
        try (AuditLogs logs = AuditLogs.open(settings, FileIO.posix())) {
            AuditLog log = logs.getOrCreate(new LogName(name));
            int appended = 0;
            for (int b = 0; b < batches; b++) {
                int count = b == batches - 1 ? entries - appended : entries / batches;
                List<Leaf> leaves = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    leaves.add(Leaf.of(entry(appended + i)));
                }
                log.append(leaves).get(10, TimeUnit.SECONDS);
                appended += count;
                log.awaitCheckpoint(appended).get(10, TimeUnit.SECONDS);
            }
        }
    }

    static byte[] entry(int i) {
        return ("{\"event\":{\"n\":" + i + ",\"pad\":\"" + "x".repeat(i % 50) + "\"}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    static CheckpointSigner signer(String origin, byte[] seed) {
        NoteSigner signer =
                NoteSigner.ed25519(NoteKeys.ed25519FromSeed(origin, seed).signerKey());
        return text -> Notes.sign(text, List.of(signer));
    }

    static Path logDir(Path data, String name) {
        return data.resolve("logs").resolve(name);
    }

    static Path firstSegment(Path data, String name) {
        return logDir(data, name).resolve("segments/00000000000000000000.seg");
    }

    /** Byte offset of the record (its header) holding the {@code leafIndex}-th entry of {@code segment}. */
    static long recordOffset(Path segment, long leafIndex) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(segment));
        long offset = SEGMENT_HEADER_BYTES;
        for (long i = 0; i < leafIndex; i++) {
            offset += 8 + bytes.getInt((int) offset);
        }
        return offset;
    }

    static void flipByte(Path file, long offset) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[Math.toIntExact(offset)] ^= 0x40;
        Files.write(file, bytes);
    }

    /** The payloads (tree size and signed note) of the checkpoint history. */
    static List<byte[]> checkpointPayloads(Path file) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file));
        List<byte[]> payloads = new ArrayList<>();
        int offset = CHECKPOINT_HEADER_BYTES;
        while (offset < bytes.limit()) {
            int length = bytes.getInt(offset);
            payloads.add(Arrays.copyOfRange(bytes.array(), offset + 8, offset + 8 + length));
            offset += 8 + length;
        }
        return payloads;
    }

    /** Rewrites the checkpoint history with valid framing (as an attacker with write access would). */
    static void writeCheckpoints(Path file, List<byte[]> payloads) throws IOException {
        byte[] header = Arrays.copyOf(Files.readAllBytes(file), CHECKPOINT_HEADER_BYTES);
        ByteBuffer out = ByteBuffer.allocate(
                header.length + payloads.stream().mapToInt(p -> p.length + 8).sum());
        out.put(header);
        for (byte[] payload : payloads) {
            CRC32C crc = new CRC32C();
            crc.update(payload);
            out.putInt(payload.length).putInt((int) crc.getValue()).put(payload);
        }
        Files.write(file, out.array());
    }

    static byte[] checkpointPayload(long treeSize, byte[] signedNote) {
        return ByteBuffer.allocate(8 + signedNote.length)
                .putLong(treeSize)
                .put(signedNote)
                .array();
    }

    /** SHA-256 of every file under {@code root}, by relative path. */
    static Map<String, String> checksums(Path root) throws Exception {
        Map<String, String> sums = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
                sums.put(root.relativize(file).toString(), HexFormat.of().formatHex(digest));
            }
        }
        return sums;
    }

    private static byte[] filled(int length, byte value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, value);
        return bytes;
    }
}
