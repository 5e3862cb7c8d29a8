package dev.indelible.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.note.NoteSignature;
import dev.indelible.log.LogName;
import dev.indelible.log.RecentIds;
import dev.indelible.storage.io.FileIO;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotFileTest {
    private static final List<SnapshotFile.Member> MEMBERS = List.of(
            new SnapshotFile.Member("n1", "127.0.0.1:9001"),
            new SnapshotFile.Member("n2", "127.0.0.1:9002"),
            new SnapshotFile.Member("n4", "[::1]:9004"));

    /**
     * A version 2 snapshot as the version 2 writer (before members were recorded) encoded it: term 3,
     * index 42, log "audit" applied 10, checkpoint 8, root 01 00.., id "req-1" at 4, a pending seal at
     * 10 with one cosignature by n2.
     */
    private static final String VERSION_2_HEX =
            "494e44534e4150320000000000000003000000000000002a0000000100056175646974000000000000000a0000000000"
                    + "0000080101000000000000000000000000000000000000000000000000000000000000000000000100057265712d3100"
                    + "0000000000000401000000000000000a0100000000000000000000000000000000000000000000000000000000000000"
                    + "00000015632e746573742f61756469740a31300a41513d3d0a0000000100026e32000e632e746573742f6e6f64652f6e"
                    + "320000000700684141414142774141414141414141414141414141414141414141414141414141414141414141414141"
                    + "414141414141414141414141414141414141414141414141414141414141414141414141414141414141414141414141"
                    + "414141414141414141414141413d3d6b22c7f8";

    /**
     * A version 3 snapshot as the version 3 writer (before tokens were recorded) encoded it: term 3,
     * index 42, member n1 at 127.0.0.1:9001, log "audit" applied 10, checkpoint 8, root 01 00.., id
     * "req-1" at 4, no pending seal.
     */
    private static final String VERSION_3_HEX =
            "494e44534e4150330000000000000003000000000000002a0000000100026e31000e3132372e302e302e313a39303031"
                    + "0000000100056175646974000000000000000a0000000000000008010100000000000000000000000000000000000000"
                    + "0000000000000000000000000000000100057265712d31000000000000000400fccf1a2f";

    /** A live token, a revoked one, and a revoked name the cluster had no token of. */
    private static final List<TokenRegistry.Entry> TOKENS = List.of(
            new TokenRegistry.Entry(
                    "ci-writer",
                    Optional.of(new ReplicatedTokens.Token(
                            "ci-writer",
                            Hash.of(filled(0x22), 0),
                            List.of("append:audit"),
                            Instant.ofEpochSecond(1_700_000_000L, 123_456_789),
                            Optional.empty())),
                    false),
            new TokenRegistry.Entry(
                    "old",
                    Optional.of(new ReplicatedTokens.Token(
                            "old",
                            Hash.of(filled(0x33), 0),
                            List.of("admin", "read:*"),
                            Instant.ofEpochSecond(1_600_000_000L),
                            Optional.of(Instant.ofEpochSecond(1_650_000_000L, 1)))),
                    true),
            new TokenRegistry.Entry("admin", Optional.empty(), true));

    @TempDir
    Path dir;

    private static byte[] filled(int value) {
        byte[] bytes = new byte[32];
        java.util.Arrays.fill(bytes, (byte) value);
        return bytes;
    }

    private static SnapshotFile.Contents sample() {
        LinkedHashMap<String, Long> ids = new LinkedHashMap<>();
        ids.put("req-2", 9L);
        ids.put("req-1", 4L);
        LinkedHashMap<String, NoteSignature> cosignatures = new LinkedHashMap<>();
        cosignatures.put("n2", NoteSignature.of("c.test/node/n2", 7, new byte[72]));
        byte[] root = new byte[32];
        root[0] = 1;
        SnapshotFile.PendingState pending = new SnapshotFile.PendingState(
                10,
                Hash.of(root, 0),
                "c.test/audit\n10\nAQ==\n\n— c.test/audit AAAA\n".getBytes(StandardCharsets.UTF_8),
                cosignatures);
        return new SnapshotFile.Contents(
                3,
                42,
                MEMBERS,
                TOKENS,
                List.of(
                        new SnapshotFile.LogState(
                                new LogName("audit"),
                                10,
                                8,
                                Optional.of(Hash.of(root, 0)),
                                RecentIds.of(ids),
                                Optional.of(pending)),
                        new SnapshotFile.LogState(
                                LogName.system("_access"), 0, 0, Optional.empty(), new RecentIds(), Optional.empty())));
    }

    @Test
    void roundTripsEveryFieldInOrder() throws IOException {
        Path file = dir.resolve("snapshot.3_42");
        SnapshotFile.write(file, sample(), FileIO.posix());
        SnapshotFile.Contents read = SnapshotFile.read(file);
        assertThat(read.term()).isEqualTo(3);
        assertThat(read.index()).isEqualTo(42);
        assertThat(read.members()).isEqualTo(MEMBERS);
        assertThat(read.tokens()).isEqualTo(TOKENS);
        SnapshotFile.LogState audit = read.logs().get(0);
        assertThat(audit.appliedTreeSize()).isEqualTo(10);
        assertThat(audit.checkpointTreeSize()).isEqualTo(8);
        assertThat(audit.appliedRoot()).isEqualTo(sample().logs().get(0).appliedRoot());
        assertThat(read.logs().get(1).appliedRoot()).isEmpty();
        assertThat(audit.recentIds().toMap().keySet()).containsExactly("req-2", "req-1");
        SnapshotFile.PendingState pending = audit.pending().orElseThrow();
        assertThat(pending.logSignedNote())
                .isEqualTo(sample().logs().get(0).pending().orElseThrow().logSignedNote());
        assertThat(pending.cosignatures()).containsEntry("n2", NoteSignature.of("c.test/node/n2", 7, new byte[72]));
        assertThat(read.logs().get(1).log()).isEqualTo(LogName.system("_access"));
        assertThat(Files.exists(dir.resolve("snapshot.3_42.tmp"))).isFalse();
    }

    @Test
    void aSnapshotWithoutAConfigurationRecordsNoMembers() throws IOException {
        SnapshotFile.Contents none = new SnapshotFile.Contents(0, 0, List.of(), List.of(), sample().logs());

        SnapshotFile.Contents read = SnapshotFile.decode(SnapshotFile.encode(none), "test");

        assertThat(read.members()).isEmpty();
        assertThat(read.tokens()).isEmpty();
        assertThat(read.logs()).hasSize(2);
        assertThat(read.logs().get(0).recentIds().toMap().keySet()).containsExactly("req-2", "req-1");
    }

    @Test
    void versionTwoIsStillReadWithoutMembers() throws IOException {
        byte[] bytes = HexFormat.of().parseHex(VERSION_2_HEX);

        SnapshotFile.Contents read = SnapshotFile.decode(bytes, "version 2");

        assertThat(read.term()).isEqualTo(3);
        assertThat(read.index()).isEqualTo(42);
        assertThat(read.members()).as("version 2 records no members").isEmpty();
        SnapshotFile.LogState audit = oldVersionAuditLog(read);
        SnapshotFile.PendingState pending = audit.pending().orElseThrow();
        assertThat(pending.treeSize()).isEqualTo(10);
        assertThat(new String(pending.logSignedNote(), StandardCharsets.UTF_8)).isEqualTo("c.test/audit\n10\nAQ==\n");
        assertThat(pending.cosignatures()).containsEntry("n2", NoteSignature.of("c.test/node/n2", 7, new byte[72]));
        // The current writer makes version 4, which differs from these bytes.
        assertThat(SnapshotFile.encode(read)).isNotEqualTo(bytes);
        assertThat(new String(SnapshotFile.encode(read), 0, 8, StandardCharsets.US_ASCII))
                .isEqualTo("INDSNAP4");
    }

    @Test
    void versionThreeIsStillReadWithoutTokens() throws IOException {
        SnapshotFile.Contents read = SnapshotFile.decode(HexFormat.of().parseHex(VERSION_3_HEX), "version 3");

        assertThat(read.term()).isEqualTo(3);
        assertThat(read.index()).isEqualTo(42);
        assertThat(read.members()).containsExactly(new SnapshotFile.Member("n1", "127.0.0.1:9001"));
        assertThat(read.tokens()).as("version 3 records no tokens").isEmpty();
        SnapshotFile.LogState audit = oldVersionAuditLog(read);
        assertThat(audit.pending()).isEmpty();
    }

    @Test
    void versionOneIsStillReadWithoutMembersRootOrCheckpointTreeSize() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeBytes("INDSNAP1");
        out.writeLong(2);
        out.writeLong(17);
        out.writeInt(1);
        out.writeUTF("audit");
        out.writeLong(5);
        out.writeInt(0);
        out.writeBoolean(false);
        out.flush();
        CRC32C crc = new CRC32C();
        crc.update(bytes.toByteArray());
        out.writeInt((int) crc.getValue());

        SnapshotFile.Contents read = SnapshotFile.decode(bytes.toByteArray(), "version 1");

        assertThat(read.index()).isEqualTo(17);
        assertThat(read.members()).isEmpty();
        assertThat(read.logs().get(0).appliedTreeSize()).isEqualTo(5);
        assertThat(read.logs().get(0).checkpointTreeSize()).isEqualTo(-1);
        assertThat(read.logs().get(0).appliedRoot()).isEmpty();
    }

    @Test
    void anUnknownVersionIsRefused() throws IOException {
        byte[] bytes = SnapshotFile.encode(sample());
        bytes[7] = '5';
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        java.nio.ByteBuffer.wrap(bytes, bytes.length - 4, 4).putInt((int) crc.getValue());

        assertThatThrownBy(() -> SnapshotFile.decode(bytes, "version 5"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("not an indelible version 1, 2, 3 or 4 snapshot");
    }

    @Test
    void aFlippedByteOrATruncationIsRefused() throws IOException {
        Path file = dir.resolve("snapshot.3_42");
        SnapshotFile.write(file, sample(), FileIO.posix());
        byte[] bytes = Files.readAllBytes(file);
        for (int at : new int[] {0, 12, bytes.length / 2, bytes.length - 1}) {
            byte[] flipped = bytes.clone();
            flipped[at] ^= 0x10;
            Files.write(file, flipped);
            assertThatThrownBy(() -> SnapshotFile.read(file))
                    .as("flip at %d", at)
                    .isInstanceOf(IOException.class);
        }
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 7));
        assertThatThrownBy(() -> SnapshotFile.read(file)).isInstanceOf(IOException.class);
    }

    /** The one log the version 2 and 3 fixtures hold, checked field by field. */
    private static SnapshotFile.LogState oldVersionAuditLog(SnapshotFile.Contents read) {
        assertThat(read.logs()).hasSize(1);
        SnapshotFile.LogState audit = read.logs().get(0);
        assertThat(audit.log()).isEqualTo(new LogName("audit"));
        assertThat(audit.appliedTreeSize()).isEqualTo(10);
        assertThat(audit.checkpointTreeSize()).isEqualTo(8);
        assertThat(audit.appliedRoot().orElseThrow().bytes()[0]).isEqualTo((byte) 1);
        assertThat(audit.recentIds().toMap()).containsExactly(java.util.Map.entry("req-1", 4L));
        return audit;
    }
}
