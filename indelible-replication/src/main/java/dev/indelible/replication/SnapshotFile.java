package dev.indelible.replication;

import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.note.NoteSignature;
import dev.indelible.log.LogName;
import dev.indelible.log.RecentIds;
import dev.indelible.storage.io.FileIO;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The state machine's snapshot: for the Raft index it was taken at, the members of the last Raft
 * configuration applied (the cosignature quorum), the cluster's replicated access-control tokens
 * (records only: name, SHA-256, scopes, times, revoked — never a secret — and names revoked that
 * the cluster had no token of), and each log's applied
 * tree size, its client-id window and its pending (not yet cosigned) seal. The entries themselves
 * are not in it: they are already durable in the log's segments (fsync'd on apply), which must hold
 * at least the applied tree size when the snapshot is loaded.
 *
 * <p>Format, version 4, big-endian: magic {@code "INDSNAP4"}, {@code u64 term, u64 index, u32
 * members, members × (UTF id, UTF address), u32 tokens, tokens × (UTF name, u8 hasToken, [32-byte
 * SHA-256, u16 scopes, scopes × UTF scope, u64 createdEpochSecond, u32 createdNano, u8 hasExpiry,
 * [u64 expiresEpochSecond, u32 expiresNano]], u8 revoked), u32 logs}, per log {@code UTF name, u64
 * appliedTreeSize, u64 checkpointTreeSize, u8 hasRoot, [32-byte root at appliedTreeSize], u32 ids,
 * ids × (UTF id, u64 leafIndex), u8 hasPending, [u64 treeSize, 32-byte root, u32 noteLength, note,
 * u32 cosignatures, cosignatures × (UTF nodeId, UTF name, u32 keyId, UTF base64)]}, then a {@code
 * u32} CRC32C of everything before it. Zero members means none was recorded (no configuration
 * applied yet). Version 3 ({@code "INDSNAP3"}) lacks the tokens; version 2 ({@code "INDSNAP2"})
 * also lacks the members; version 1 ({@code "INDSNAP1"}) also lacks {@code checkpointTreeSize} and
 * the root. All are still read (as no tokens, no members, -1 and no root). Written atomically: temp
 * file, fsync, rename, fsync the directory.
 */
final class SnapshotFile {
    private static final byte[] MAGIC_V1 = {'I', 'N', 'D', 'S', 'N', 'A', 'P', '1'};
    private static final byte[] MAGIC_V2 = {'I', 'N', 'D', 'S', 'N', 'A', 'P', '2'};
    private static final byte[] MAGIC_V3 = {'I', 'N', 'D', 'S', 'N', 'A', 'P', '3'};
    private static final byte[] MAGIC = {'I', 'N', 'D', 'S', 'N', 'A', 'P', '4'};

    /**
     * One log's replicated state.
     *
     * @param checkpointTreeSize the tree size of the latest checkpoint published when the snapshot
     *     was taken (0 if none; -1 if a version 1 snapshot did not record it)
     * @param appliedRoot the root of the tree at {@code appliedTreeSize} (empty in version 1 or
     *     for an empty log): what a node installing this snapshot checks its entries against
     */
    record LogState(
            LogName log,
            long appliedTreeSize,
            long checkpointTreeSize,
            Optional<Hash> appliedRoot,
            RecentIds recentIds,
            Optional<PendingState> pending) {}

    /** A seal gathering cosignatures. */
    record PendingState(
            long treeSize, Hash root, byte[] logSignedNote, LinkedHashMap<String, NoteSignature> cosignatures) {}

    /** A member of the Raft configuration: its node id and Raft address ({@code host:port}). */
    record Member(String id, String address) {}

    /**
     * Everything in one snapshot.
     *
     * @param members the members of the last Raft configuration applied at {@code index}, by id;
     *     empty if none was recorded (a version 1 or 2 snapshot, or no configuration applied yet)
     * @param tokens the replicated tokens in the order they were put (empty in versions 1 to 3)
     */
    record Contents(
            long term, long index, List<Member> members, List<TokenRegistry.Entry> tokens, List<LogState> logs) {
        /** Copies the lists. */
        Contents {
            members = List.copyOf(members);
            tokens = List.copyOf(tokens);
            logs = List.copyOf(logs);
        }
    }

    private SnapshotFile() {}

    static void write(Path target, Contents contents, FileIO io) throws IOException {
        replaceAtomically(target, encode(contents), io);
    }

    /** The bytes of a snapshot file holding {@code contents}. */
    static byte[] encode(Contents contents) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(MAGIC);
        out.writeLong(contents.term());
        out.writeLong(contents.index());
        out.writeInt(contents.members().size());
        for (Member member : contents.members()) {
            out.writeUTF(member.id());
            out.writeUTF(member.address());
        }
        out.writeInt(contents.tokens().size());
        for (TokenRegistry.Entry entry : contents.tokens()) {
            writeEntry(out, entry);
        }
        out.writeInt(contents.logs().size());
        for (LogState log : contents.logs()) {
            out.writeUTF(log.log().value());
            out.writeLong(log.appliedTreeSize());
            out.writeLong(log.checkpointTreeSize());
            out.writeBoolean(log.appliedRoot().isPresent());
            if (log.appliedRoot().isPresent()) {
                out.write(log.appliedRoot().get().bytes());
            }
            out.writeInt(log.recentIds().size());
            for (Map.Entry<String, Long> id : log.recentIds().toMap().entrySet()) {
                out.writeUTF(id.getKey());
                out.writeLong(id.getValue());
            }
            out.writeBoolean(log.pending().isPresent());
            if (log.pending().isPresent()) {
                PendingState pending = log.pending().get();
                out.writeLong(pending.treeSize());
                out.write(pending.root().bytes());
                out.writeInt(pending.logSignedNote().length);
                out.write(pending.logSignedNote());
                out.writeInt(pending.cosignatures().size());
                for (Map.Entry<String, NoteSignature> cosignature :
                        pending.cosignatures().entrySet()) {
                    out.writeUTF(cosignature.getKey());
                    out.writeUTF(cosignature.getValue().name());
                    out.writeInt(cosignature.getValue().keyId());
                    out.writeUTF(cosignature.getValue().base64());
                }
            }
        }
        out.flush();
        CRC32C crc = new CRC32C();
        crc.update(bytes.toByteArray());
        out.writeInt((int) crc.getValue());
        out.flush();
        return bytes.toByteArray();
    }

    private static void writeEntry(DataOutputStream out, TokenRegistry.Entry entry) throws IOException {
        out.writeUTF(entry.name());
        out.writeBoolean(entry.token().isPresent());
        if (entry.token().isPresent()) {
            writeToken(out, entry.token().get());
        }
        out.writeBoolean(entry.revoked());
    }

    private static void writeToken(DataOutputStream out, ReplicatedTokens.Token token) throws IOException {
        out.write(token.sha256().bytes());
        out.writeShort(token.scopes().size());
        for (String scope : token.scopes()) {
            out.writeUTF(scope);
        }
        out.writeLong(token.createdAt().getEpochSecond());
        out.writeInt(token.createdAt().getNano());
        out.writeBoolean(token.expiresAt().isPresent());
        if (token.expiresAt().isPresent()) {
            out.writeLong(token.expiresAt().get().getEpochSecond());
            out.writeInt(token.expiresAt().get().getNano());
        }
    }

    private static TokenRegistry.Entry readEntry(DataInputStream in) throws IOException {
        String name = in.readUTF();
        Optional<ReplicatedTokens.Token> token = in.readBoolean() ? Optional.of(readToken(in, name)) : Optional.empty();
        try {
            return new TokenRegistry.Entry(name, token, in.readBoolean());
        } catch (IllegalArgumentException e) {
            throw new IOException("token entry " + name + " in the snapshot is malformed: " + e.getMessage(), e);
        }
    }

    private static ReplicatedTokens.Token readToken(DataInputStream in, String name) throws IOException {
        Hash sha256 = Hash.of(in.readNBytes(Hash.SIZE), 0);
        int scopeCount = in.readUnsignedShort();
        List<String> scopes = new ArrayList<>(scopeCount);
        for (int i = 0; i < scopeCount; i++) {
            scopes.add(in.readUTF());
        }
        try {
            Instant createdAt = Instant.ofEpochSecond(in.readLong(), in.readInt());
            Optional<Instant> expiresAt = in.readBoolean()
                    ? Optional.of(Instant.ofEpochSecond(in.readLong(), in.readInt()))
                    : Optional.empty();
            return new ReplicatedTokens.Token(name, sha256, scopes, createdAt, expiresAt);
        } catch (java.time.DateTimeException | ArithmeticException | IllegalArgumentException e) {
            throw new IOException("token " + name + " in the snapshot is malformed: " + e.getMessage(), e);
        }
    }

    private static void replaceAtomically(Path target, byte[] content, FileIO io) throws IOException {
        Path temp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel channel = io.open(
                temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        io.moveAtomically(temp, target);
        io.syncDirectory(target.getParent());
    }

    /**
     * Reads a snapshot.
     *
     * @throws IOException if it is unreadable, not version 1 to 4, or fails its checksum
     */
    static Contents read(Path file) throws IOException {
        return decode(Files.readAllBytes(file), file.toString());
    }

    /**
     * Decodes the bytes of a snapshot file.
     *
     * @throws IOException if they are truncated, not version 1 to 4, or fail their checksum
     */
    static Contents decode(byte[] all, String file) throws IOException {
        if (all.length < MAGIC.length + 4) {
            throw new IOException("snapshot " + file + " is " + all.length + " bytes: truncated");
        }
        CRC32C crc = new CRC32C();
        crc.update(all, 0, all.length - 4);
        int want = ByteBuffer.wrap(all, all.length - 4, 4).getInt();
        if ((int) crc.getValue() != want) {
            throw new IOException("snapshot " + file + " fails its CRC32C check");
        }
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(all, 0, all.length - 4));
        byte[] magic = in.readNBytes(MAGIC.length);
        boolean v1 = java.util.Arrays.equals(magic, MAGIC_V1);
        boolean v2 = java.util.Arrays.equals(magic, MAGIC_V2);
        boolean v3 = java.util.Arrays.equals(magic, MAGIC_V3);
        if (!v1 && !v2 && !v3 && !java.util.Arrays.equals(magic, MAGIC)) {
            throw new IOException("snapshot " + file + " is not an indelible version 1, 2, 3 or 4 snapshot");
        }
        long term = in.readLong();
        long index = in.readLong();
        List<Member> members = new ArrayList<>();
        int memberCount = v1 || v2 ? 0 : in.readInt();
        for (int i = 0; i < memberCount; i++) {
            members.add(new Member(in.readUTF(), in.readUTF()));
        }
        List<TokenRegistry.Entry> tokens = new ArrayList<>();
        int tokenCount = v1 || v2 || v3 ? 0 : in.readInt();
        if (tokenCount < 0 || tokenCount > TokenRegistry.TOKENS_MAX) {
            throw new IOException(
                    "snapshot " + file + " holds " + tokenCount + " tokens, more than " + TokenRegistry.TOKENS_MAX);
        }
        for (int i = 0; i < tokenCount; i++) {
            tokens.add(readEntry(in));
        }
        int count = in.readInt();
        List<LogState> logs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            LogName name = new LogName(in.readUTF());
            long applied = in.readLong();
            long checkpointTreeSize = v1 ? -1 : in.readLong();
            Optional<Hash> appliedRoot =
                    !v1 && in.readBoolean() ? Optional.of(Hash.of(in.readNBytes(Hash.SIZE), 0)) : Optional.empty();
            int idCount = in.readInt();
            LinkedHashMap<String, Long> ids = new LinkedHashMap<>();
            for (int j = 0; j < idCount; j++) {
                ids.put(in.readUTF(), in.readLong());
            }
            Optional<PendingState> pending = Optional.empty();
            if (in.readBoolean()) {
                long treeSize = in.readLong();
                Hash root = Hash.of(in.readNBytes(Hash.SIZE), 0);
                byte[] note = in.readNBytes(in.readInt());
                int cosignatureCount = in.readInt();
                LinkedHashMap<String, NoteSignature> cosignatures = new LinkedHashMap<>();
                for (int j = 0; j < cosignatureCount; j++) {
                    String nodeId = in.readUTF();
                    cosignatures.put(nodeId, new NoteSignature(in.readUTF(), in.readInt(), in.readUTF()));
                }
                pending = Optional.of(new PendingState(treeSize, root, note, cosignatures));
            }
            logs.add(new LogState(name, applied, checkpointTreeSize, appliedRoot, RecentIds.of(ids), pending));
        }
        return new Contents(term, index, members, tokens, logs);
    }
}
