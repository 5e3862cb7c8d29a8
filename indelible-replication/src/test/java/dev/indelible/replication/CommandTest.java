package dev.indelible.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.note.NoteSignature;
import dev.indelible.log.LogName;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CommandTest {
    private static final LogName LOG = new LogName("audit");

    @Test
    void appendRoundTripsEveryEntryByte() {
        List<byte[]> entries = List.of("{\"a\":1}".getBytes(StandardCharsets.UTF_8), new byte[] {0, -1, 2});
        Command decoded = Command.decode(ByteBuffer.wrap(new Command.Append(LOG, entries).encode()));
        assertThat(decoded).isInstanceOf(Command.Append.class);
        Command.Append append = (Command.Append) decoded;
        assertThat(append.log()).isEqualTo(LOG);
        assertThat(append.entries()).hasSize(2);
        for (int i = 0; i < entries.size(); i++) {
            assertThat(Arrays.equals(append.entries().get(i), entries.get(i))).isTrue();
        }
    }

    @Test
    void appendCarriesClientIdsAndDropsOnesTooLongToDeduplicate() {
        List<byte[]> entries = List.of(new byte[] {1}, new byte[] {2}, new byte[] {3});
        String tooLong = "x".repeat(Command.CLIENT_ID_MAX_CHARS + 1);
        Command.Append append = new Command.Append(
                LOG,
                entries,
                List.of(Optional.of("req-1"), Optional.empty(), Optional.of(tooLong)),
                List.of(new byte[] {7, 8}));
        Command.Append decoded = (Command.Append) Command.decode(ByteBuffer.wrap(append.encode()));
        assertThat(decoded.clientIds()).containsExactly(Optional.of("req-1"), Optional.empty(), Optional.empty());
        assertThat(decoded.entries().get(2)).containsExactly(3);
        assertThat(decoded.detachedBodies()).hasSize(1);
        assertThat(decoded.detachedBodies().get(0)).containsExactly(7, 8);
    }

    @Test
    void batchRoundTripsEveryPartWithItsIdsAndBodies() {
        Command.Append first = new Command.Append(
                LOG, List.of(new byte[] {1}, new byte[] {2}), List.of(Optional.of("a"), Optional.empty()), List.of());
        Command.Append second =
                new Command.Append(LOG, List.of(new byte[] {3}), List.of(Optional.of("b")), List.of(new byte[] {9, 9}));
        Command.Batch decoded = (Command.Batch)
                Command.decode(ByteBuffer.wrap(new Command.Batch(LOG, List.of(first, second)).encode()));
        assertThat(decoded.log()).isEqualTo(LOG);
        assertThat(decoded.parts()).hasSize(2);
        assertThat(decoded.parts().get(0).entries())
                .satisfiesExactly(
                        e -> assertThat(e).containsExactly(1),
                        e -> assertThat(e).containsExactly(2));
        assertThat(decoded.parts().get(0).clientIds()).containsExactly(Optional.of("a"), Optional.empty());
        assertThat(decoded.parts().get(1).entries())
                .satisfiesExactly(e -> assertThat(e).containsExactly(3));
        assertThat(decoded.parts().get(1).clientIds()).containsExactly(Optional.of("b"));
        assertThat(decoded.parts().get(1).detachedBodies())
                .satisfiesExactly(b -> assertThat(b).containsExactly(9, 9));
    }

    @Test
    void batchRefusesAPartForAnotherLogAndATruncatedEncoding() {
        Command.Append other = new Command.Append(new LogName("other"), List.of(new byte[] {1}));
        assertThatThrownBy(() -> new Command.Batch(LOG, List.of(other))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Command.Batch(LOG, List.of())).isInstanceOf(IllegalArgumentException.class);
        byte[] encoded =
                new Command.Batch(LOG, List.of(new Command.Append(LOG, List.of(new byte[] {1, 2, 3})))).encode();
        assertThatThrownBy(() -> Command.decode(ByteBuffer.wrap(Arrays.copyOf(encoded, encoded.length - 1))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void batchReplyRoundTripsEachPartsKind() {
        Hash hash = Hash.of(new byte[32], 0);
        Reply reply = Reply.batch(List.of(Reply.ok(5), Reply.failed("log stopped"), Reply.duplicate(2, List.of(hash))));
        Reply decoded = Reply.decode(ByteBuffer.wrap(reply.encode()));
        assertThat(decoded.batch()).isTrue();
        assertThat(decoded.parts())
                .containsExactly(Reply.ok(5), Reply.failed("log stopped"), Reply.duplicate(2, List.of(hash)));
    }

    @Test
    void sealRoundTrips() {
        byte[] root = new byte[32];
        root[31] = 9;
        Command.Seal seal = new Command.Seal(LogName.system("_access"), 1234, Hash.of(root, 0));
        assertThat(Command.decode(ByteBuffer.wrap(seal.encode()))).isEqualTo(seal);
    }

    @Test
    void cosignRoundTrips() {
        NoteSignature signature = NoteSignature.of("cluster.test/node/n1", 0x01020304, new byte[72]);
        Command.Cosign cosign = new Command.Cosign(LOG, 77, "n1", "cluster.test/node/n1+01020304+BAAA", signature);
        assertThat(Command.decode(ByteBuffer.wrap(cosign.encode()))).isEqualTo(cosign);
    }

    @Test
    void decodeRejectsOtherVersionsTruncationAndTrailingBytes() {
        byte[] bytes = new Command.Seal(LOG, 1, Hash.of(new byte[32], 0)).encode();
        byte[] otherVersion = bytes.clone();
        otherVersion[0] = 2;
        assertThatThrownBy(() -> Command.decode(ByteBuffer.wrap(otherVersion))).hasMessageContaining("version 2");
        assertThatThrownBy(() -> Command.decode(ByteBuffer.wrap(Arrays.copyOf(bytes, bytes.length - 1))))
                .hasMessageContaining("truncated");
        assertThatThrownBy(() -> Command.decode(ByteBuffer.wrap(Arrays.copyOf(bytes, bytes.length + 1))))
                .hasMessageContaining("trailing");
    }

    /** 200 JSON events that differ in their numbers only: as compressible as real audit events. */
    private static Command.Append textAppend() {
        List<byte[]> entries = new java.util.ArrayList<>();
        List<Optional<String>> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 200; i++) {
            entries.add(("{\"actor\":\"user-" + (i * 7919 % 1000) + "\",\"verb\":\"create\",\"resource\":"
                            + "\"/api/v1/namespaces/default/secrets/s-" + i + "\",\"outcome\":\"success\"}")
                    .getBytes(StandardCharsets.UTF_8));
            ids.add(i % 3 == 0 ? Optional.of("id-" + i) : Optional.empty());
        }
        return new Command.Append(LOG, entries, ids, List.of(new byte[] {4, 2}));
    }

    @Test
    void longCompressibleCommandsTravelCompressedAndExpandToTheSameCommand() {
        Command.Append append = textAppend();
        byte[] plain = append.encode();
        byte[] entry = append.entryBytes();
        assertThat(entry[1]).isEqualTo(Command.KIND_COMPRESSED);
        assertThat(entry.length).isLessThan(plain.length / 4);
        Command.Append decoded = (Command.Append) Command.decode(ByteBuffer.wrap(entry));
        assertThat(decoded.encode()).isEqualTo(plain);
        assertThat(decoded.clientIds()).isEqualTo(append.clientIds());

        ByteBuffer entryBuffer = ByteBuffer.wrap(entry);
        assertThat(Command.expandedSize(entryBuffer)).isEqualTo(plain.length);
        assertThat(entryBuffer.position()).isZero();
        assertThat(Command.expandedSize(ByteBuffer.wrap(plain))).isEqualTo(plain.length);

        Command.Batch batch = new Command.Batch(LOG, List.of(append, textAppend()));
        assertThat(((Command.Batch) Command.decode(ByteBuffer.wrap(batch.entryBytes()))).encode())
                .isEqualTo(batch.encode());
    }

    @Test
    void shortOrIncompressibleCommandsStayPlain() {
        Command.Seal seal = new Command.Seal(LOG, 9, Hash.of(new byte[32], 0));
        assertThat(seal.entryBytes()).isEqualTo(seal.encode());

        byte[] noise = new byte[64 * 1024];
        new java.util.Random(42).nextBytes(noise);
        Command.Append random = new Command.Append(LOG, List.of(noise));
        assertThat(random.entryBytes()).isEqualTo(random.encode());

        Command.Append small = new Command.Append(LOG, List.of("x".repeat(1_000).getBytes(StandardCharsets.UTF_8)));
        assertThat(small.encode().length).isLessThan(Command.COMPRESS_MIN_BYTES);
        assertThat(small.entryBytes()).isEqualTo(small.encode());
    }

    @Test
    void decodeRejectsDamagedOrNestedCompressedCommands() {
        byte[] entry = textAppend().entryBytes();
        ByteBuffer header = ByteBuffer.wrap(entry);
        int length = header.getInt(4);

        byte[] truncated = Arrays.copyOf(entry, entry.length - 3);
        assertThatThrownBy(() -> Command.decode(ByteBuffer.wrap(truncated))).hasMessageContaining("does not expand");

        byte[] longer = entry.clone();
        ByteBuffer.wrap(longer).putInt(4, length + 1);
        assertThatThrownBy(() -> Command.decode(ByteBuffer.wrap(longer))).hasMessageContaining("expands to " + length);

        byte[] shorter = entry.clone();
        ByteBuffer.wrap(shorter).putInt(4, length - 1);
        assertThatThrownBy(() -> Command.decode(ByteBuffer.wrap(shorter))).hasMessageContaining("does not expand");

        byte[] huge = entry.clone();
        ByteBuffer.wrap(huge).putInt(4, Command.EXPANDED_MAX_BYTES + 1);
        assertThatThrownBy(() -> Command.decode(ByteBuffer.wrap(huge))).hasMessageContaining("compressed command of");

        byte[] named = ByteBuffer.allocate(entry.length + 1)
                .put(entry, 0, 2)
                .putShort((short) 1)
                .put((byte) 'a')
                .put(entry, 4, entry.length - 4)
                .array();
        assertThatThrownBy(() -> Command.decode(ByteBuffer.wrap(named))).hasMessageContaining("names log a");

        byte[] nestedFrame = com.github.luben.zstd.Zstd.compress(entry, 1);
        byte[] nested = ByteBuffer.allocate(8 + nestedFrame.length)
                .put(Command.VERSION)
                .put(Command.KIND_COMPRESSED)
                .putShort((short) 0)
                .putInt(entry.length)
                .put(nestedFrame)
                .array();
        assertThatThrownBy(() -> Command.decode(ByteBuffer.wrap(nested)))
                .hasMessageContaining("compressed command inside a compressed command");
    }

    private static ReplicatedTokens.Token token(Optional<Instant> expiresAt) {
        byte[] sha256 = new byte[32];
        Arrays.fill(sha256, (byte) 0x11);
        return new ReplicatedTokens.Token(
                "ci", Hash.of(sha256, 0), List.of("admin"), Instant.ofEpochSecond(1_700_000_000L, 5), expiresAt);
    }

    @Test
    void tokenPutHasAKnownEncodingWithAnEmptyLogName() {
        byte[] bytes = new Command.TokenPut(token(Optional.of(Instant.ofEpochSecond(1_800_000_000L, 0)))).encode();

        assertThat(HexFormat.of().formatHex(bytes))
                .isEqualTo("0105" + "0000" // version, kind 5, no log name
                        + "0002" + "6369" // name "ci"
                        + "11".repeat(32) // SHA-256
                        + "0001" + "0005" + "61646d696e" // one scope, "admin"
                        + "000000006553f100" + "00000005" // created 1700000000 s + 5 ns
                        + "01" + "000000006b49d200" + "00000000"); // expires 1800000000 s
    }

    @Test
    void tokenPutRoundTripsEveryFieldWithAndWithoutExpiry() {
        for (Optional<Instant> expiry :
                List.of(Optional.<Instant>empty(), Optional.of(Instant.ofEpochSecond(1_800_000_000L, 999_999_999)))) {
            ReplicatedTokens.Token original = new ReplicatedTokens.Token(
                    "ci-writer.1",
                    token(expiry).sha256(),
                    List.of("append:audit", "read:*"),
                    token(expiry).createdAt(),
                    expiry);

            Command decoded = Command.decode(ByteBuffer.wrap(new Command.TokenPut(original).encode()));

            assertThat(decoded).isEqualTo(new Command.TokenPut(original));
        }
    }

    @Test
    void tokenRevokeHasAKnownEncodingAndRoundTrips() {
        byte[] bytes = new Command.TokenRevoke("ci").encode();

        assertThat(HexFormat.of().formatHex(bytes)).isEqualTo("0106" + "0000" + "0002" + "6369");
        assertThat(Command.decode(ByteBuffer.wrap(bytes))).isEqualTo(new Command.TokenRevoke("ci"));
    }

    @Test
    void decodeRefusesATokenCommandNamingALogALogCommandNamingNoneAndTruncation() {
        byte[] revoke = new Command.TokenRevoke("ci").encode();
        byte[] namingALog = HexFormat.of().parseHex("0106" + "0005" + "6175646974" + "0002" + "6369");
        assertThatThrownBy(() -> Command.decode(ByteBuffer.wrap(namingALog))).hasMessageContaining("names log audit");

        byte[] sealOfNoLog = new Command.Seal(LOG, 1, Hash.of(new byte[32], 0)).encode();
        byte[] unnamed = new byte[sealOfNoLog.length - LOG.value().length()];
        System.arraycopy(sealOfNoLog, 0, unnamed, 0, 2);
        System.arraycopy(
                sealOfNoLog,
                4 + LOG.value().length(),
                unnamed,
                4,
                sealOfNoLog.length - 4 - LOG.value().length());
        assertThatThrownBy(() -> Command.decode(ByteBuffer.wrap(unnamed))).hasMessageContaining("log name");

        byte[] put = new Command.TokenPut(token(Optional.empty())).encode();
        for (byte[] whole : List.of(put, revoke)) {
            assertThatThrownBy(() -> Command.decode(ByteBuffer.wrap(Arrays.copyOf(whole, whole.length - 1))))
                    .hasMessageContaining("truncated");
            assertThatThrownBy(() -> Command.decode(ByteBuffer.wrap(Arrays.copyOf(whole, whole.length + 1))))
                    .hasMessageContaining("trailing");
        }
        byte[] badExpiryFlag = put.clone();
        badExpiryFlag[put.length - 1] = 2;
        assertThatThrownBy(() -> Command.decode(ByteBuffer.wrap(badExpiryFlag))).hasMessageContaining("expiry flag 2");
    }

    @Test
    void replyRoundTrips() {
        assertThat(Reply.decode(ByteBuffer.wrap(Reply.ok(42).encode()))).isEqualTo(Reply.ok(42));
        assertThat(Reply.decode(ByteBuffer.wrap(Reply.failed("diverged").encode())))
                .isEqualTo(Reply.failed("diverged"));
        Reply duplicate = Reply.duplicate(7, List.of(Hash.of(new byte[32], 0), Hash.of(new byte[32], 0)));
        assertThat(Reply.decode(ByteBuffer.wrap(duplicate.encode()))).isEqualTo(duplicate);
    }
}
