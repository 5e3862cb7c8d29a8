package dev.indelible.replication;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdException;
import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.note.NoteSignature;
import dev.indelible.log.LogName;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A replicated command: the bytes of one Raft log entry. Everything a replica needs to apply it is
 * inside (entry bytes already carry their receive time and source, token records their creation
 * and expiry times), so applying reads no clock.
 *
 * <p>Two families: {@link LogCommand}s act on one log, named in the header; {@link TokenPut} and
 * {@link TokenRevoke} act on the cluster's access-control tokens ({@link ReplicatedTokens}) and
 * carry an empty name in the header (no log name is empty, so the header alone tells them apart
 * from a log's commands, and no reserved log name is taken for them).
 *
 * <p>Encoding, version 1, big-endian: {@code u8 version=1, u8 kind, u16 nameLength, name (UTF-8)},
 * then for {@link Append} {@code u32 count, count × (u32 length, bytes, u8 hasId, [u16 length,
 * UTF-8 client id]), u32 bodies, bodies × (u32 length, bytes)}, and for {@link Seal}
 * {@code u64 treeSize, 32-byte root}, and for {@link Cosign} {@code u64 treeSize} then the
 * strings node id, verifier key, signer name (each {@code u16 length, UTF-8}), {@code u32 keyId} and
 * the base64 signature ({@code u16 length, ASCII}); for {@link Batch} {@code u32 parts, parts ×
 * (an Append's body as above)}. With {@code nameLength = 0}: for {@link TokenPut} (kind 5) the token
 * name ({@code u16 length, UTF-8}), its 32-byte SHA-256, {@code u16 scopes, scopes × (u16 length,
 * UTF-8)}, the creation time ({@code u64} epoch second, {@code u32} nanosecond) and {@code u8
 * hasExpiry, [u64 epoch second, u32 nanosecond]}; for {@link TokenRevoke} (kind 6) the token name.
 * A token's secret is never in a command. Kind 7, also with {@code nameLength = 0}, is a compressed
 * command ({@link #entryBytes}): {@code u32 length}, then one zstd frame holding the {@code length}
 * bytes of a whole version-1 command of another kind. Adding a kind is compatible only once every node reads it
 * (a rolling upgrade must finish before a new kind is proposed); changing one is a wire-format
 * change: bump the version.
 */
sealed interface Command {
    byte VERSION = 1;
    byte KIND_APPEND = 1;
    byte KIND_SEAL = 2;
    byte KIND_COSIGN = 3;
    byte KIND_BATCH = 4;
    byte KIND_TOKEN_PUT = 5;
    byte KIND_TOKEN_REVOKE = 6;
    byte KIND_COMPRESSED = 7;

    /** Commands shorter than this are never compressed: too little to gain for the CPU it costs. */
    int COMPRESS_MIN_BYTES = 4_096;

    /** The zstd level of compressed commands: level 1, the fastest of the regular levels. */
    int COMPRESSION_LEVEL = 1;

    /** The longest command a compressed one may expand to (four times the largest Raft entry). */
    int EXPANDED_MAX_BYTES = 64 << 20;

    /** A command on one log, named in the header. */
    sealed interface LogCommand extends Command {
        /** The log the command applies to. */
        LogName log();
    }

    /** Client ids longer than this (in UTF-16 chars) are not deduplicated. */
    int CLIENT_ID_MAX_CHARS = dev.indelible.log.RecentIds.ID_MAX_CHARS;

    /**
     * Appends {@code entries} to {@code log}, all-or-nothing, at the end of the log — unless every
     * entry has a client id and all were appended before (a retry).
     *
     * @param clientIds each entry's client id, if it has one
     * @param detachedBodies event bodies too large for a leaf, named by digest in the entries; every
     *     replica stores them before the entries
     */
    record Append(LogName log, List<byte[]> entries, List<Optional<String>> clientIds, List<byte[]> detachedBodies)
            implements LogCommand {
        /** Checks the lists match; ids too long to deduplicate are dropped. */
        public Append {
            if (entries.size() != clientIds.size()) {
                throw new IllegalArgumentException(clientIds.size() + " client ids for " + entries.size() + " entries");
            }
            entries = List.copyOf(entries);
            detachedBodies = List.copyOf(detachedBodies);
            clientIds = clientIds.stream()
                    .map(id -> id.filter(value -> value.length() <= CLIENT_ID_MAX_CHARS))
                    .toList();
        }

        /** An append without client ids. */
        public Append(LogName log, List<byte[]> entries) {
            this(log, entries, java.util.Collections.nCopies(entries.size(), Optional.empty()), List.of());
        }
    }

    /**
     * Several append requests to {@code log} proposed as one Raft entry (proposer-side group commit):
     * applied one after the other, each all-or-nothing and deduplicated on its own, as if each were
     * its own {@link Append}; the reply holds one part per request.
     */
    record Batch(LogName log, List<Append> parts) implements LogCommand {
        /** Checks every part is for {@code log}. */
        public Batch {
            parts = List.copyOf(parts);
            if (parts.isEmpty()) {
                throw new IllegalArgumentException("a batch of no appends");
            }
            for (Append part : parts) {
                if (!part.log().equals(log)) {
                    throw new IllegalArgumentException("append to " + part.log() + " in a batch for " + log);
                }
            }
        }
    }

    /**
     * Publishes the checkpoint of {@code log} at {@code treeSize}, whose root the proposer computed as
     * {@code root}; every replica checks the root it computed itself before signing.
     */
    record Seal(LogName log, long treeSize, Hash root) implements LogCommand {}

    /**
     * Node {@code nodeId} states that it computed the same root for the checkpoint of {@code log} at
     * {@code treeSize}: a C2SP {@code cosignature/v1} signature line over the checkpoint text, made
     * with the node's own key, whose verifier key is {@code verifierKey}.
     */
    record Cosign(LogName log, long treeSize, String nodeId, String verifierKey, NoteSignature signature)
            implements LogCommand {}

    /**
     * Adds {@code token} to the cluster's tokens: applied only if the cluster has not used its name
     * yet (for a token, or a revocation: names are not reused); the same token again changes nothing.
     */
    record TokenPut(ReplicatedTokens.Token token) implements Command {}

    /** Revokes the cluster's token called {@code name} (and every token of that name on every node). */
    record TokenRevoke(String name) implements Command {
        /** Checks there is a name. */
        public TokenRevoke {
            if (name.isEmpty()) {
                throw new IllegalArgumentException("revoking a token needs its name");
            }
        }
    }

    /**
     * The Raft entry bytes of this command: its {@link #encode encoding}, or, when that is at least
     * {@link #COMPRESS_MIN_BYTES} long and zstd shrinks it by an eighth or more, the compressed
     * command (kind 7) holding it. Appends of text events shrink several-fold, and every replica's Raft
     * log write, the leader's sends to its followers, a follower's forward to the leader and the
     * entries Ratis keeps in memory shrink with them; a replica applies the same command either way.
     * Only the proposer compresses, so replicas agree on the bytes whatever zstd would produce elsewhere.
     */
    default byte[] entryBytes() {
        byte[] plain = encode();
        if (plain.length < COMPRESS_MIN_BYTES) {
            return plain;
        }
        int header = 4 + 4;
        byte[] out = new byte[header + (int) Zstd.compressBound(plain.length)];
        long frame =
                Zstd.compressByteArray(out, header, out.length - header, plain, 0, plain.length, COMPRESSION_LEVEL);
        if (Zstd.isError(frame) || header + frame > plain.length - plain.length / 8) {
            return plain;
        }
        ByteBuffer.wrap(out)
                .put(VERSION)
                .put(KIND_COMPRESSED)
                .putShort((short) 0)
                .putInt(plain.length);
        return java.util.Arrays.copyOf(out, header + (int) frame);
    }

    /** The encoding of this command (one of the forms {@link #entryBytes} may return). */
    default byte[] encode() {
        byte[] name = switch (this) {
            case LogCommand c -> utf8(c.log().value());
            case TokenPut p -> new byte[0];
            case TokenRevoke r -> new byte[0];
        };
        int size = 4 + name.length;
        switch (this) {
            case Append a -> size += appendBodySize(a);
            case Batch b -> {
                size += 4;
                for (Append part : b.parts()) {
                    size += appendBodySize(part);
                }
            }
            case Seal s -> size += 8 + Hash.SIZE;
            case Cosign c ->
                size += 8
                        + 4
                        + 4 * 2
                        + utf8(c.nodeId()).length
                        + utf8(c.verifierKey()).length
                        + utf8(c.signature().name()).length
                        + utf8(c.signature().base64()).length;
            case TokenPut p -> size += tokenSize(p.token());
            case TokenRevoke r -> size += 2 + utf8(r.name()).length;
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        byte kind = switch (this) {
            case Append a -> KIND_APPEND;
            case Batch b -> KIND_BATCH;
            case Seal s -> KIND_SEAL;
            case Cosign c -> KIND_COSIGN;
            case TokenPut p -> KIND_TOKEN_PUT;
            case TokenRevoke r -> KIND_TOKEN_REVOKE;
        };
        out.put(VERSION).put(kind);
        out.putShort((short) name.length).put(name);
        switch (this) {
            case Append a -> putAppendBody(out, a);
            case Batch b -> {
                out.putInt(b.parts().size());
                for (Append part : b.parts()) {
                    putAppendBody(out, part);
                }
            }
            case Seal s -> out.putLong(s.treeSize()).put(s.root().bytes());
            case Cosign c -> {
                out.putLong(c.treeSize());
                putString(out, c.nodeId());
                putString(out, c.verifierKey());
                putString(out, c.signature().name());
                out.putInt(c.signature().keyId());
                putString(out, c.signature().base64());
            }
            case TokenPut p -> putToken(out, p.token());
            case TokenRevoke r -> putString(out, r.name());
        }
        return out.array();
    }

    private static int tokenSize(ReplicatedTokens.Token token) {
        int size = 2 + utf8(token.name()).length + Hash.SIZE + 2;
        for (String scope : token.scopes()) {
            size += 2 + utf8(scope).length;
        }
        return size + 12 + 1 + (token.expiresAt().isPresent() ? 12 : 0);
    }

    private static void putToken(ByteBuffer out, ReplicatedTokens.Token token) {
        putString(out, token.name());
        out.put(token.sha256().bytes());
        if (token.scopes().size() > 0xFFFF) {
            throw new IllegalArgumentException(token.scopes().size() + " scopes, more than a command holds");
        }
        out.putShort((short) token.scopes().size());
        token.scopes().forEach(scope -> putString(out, scope));
        putInstant(out, token.createdAt());
        out.put((byte) (token.expiresAt().isPresent() ? 1 : 0));
        token.expiresAt().ifPresent(expiry -> putInstant(out, expiry));
    }

    private static ReplicatedTokens.Token getToken(ByteBuffer in) {
        String name = getString(in);
        byte[] sha256 = new byte[Hash.SIZE];
        in.get(sha256);
        int count = Short.toUnsignedInt(in.getShort());
        List<String> scopes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            scopes.add(getString(in));
        }
        java.time.Instant createdAt = getInstant(in);
        byte hasExpiry = in.get();
        if (hasExpiry != 0 && hasExpiry != 1) {
            throw new IllegalArgumentException("expiry flag " + hasExpiry + " of token " + name);
        }
        Optional<java.time.Instant> expiresAt = hasExpiry == 1 ? Optional.of(getInstant(in)) : Optional.empty();
        return new ReplicatedTokens.Token(name, Hash.of(sha256, 0), scopes, createdAt, expiresAt);
    }

    private static void putInstant(ByteBuffer out, java.time.Instant instant) {
        out.putLong(instant.getEpochSecond()).putInt(instant.getNano());
    }

    private static java.time.Instant getInstant(ByteBuffer in) {
        long seconds = in.getLong();
        int nanos = in.getInt();
        try {
            return java.time.Instant.ofEpochSecond(seconds, nanos);
        } catch (java.time.DateTimeException | ArithmeticException e) {
            throw new IllegalArgumentException("time " + seconds + " s " + nanos + " ns is out of range", e);
        }
    }

    /** The encoded size of an append's body (after the command header). */
    static int appendBodySize(Append a) {
        int size = 4;
        for (int i = 0; i < a.entries().size(); i++) {
            size += 4
                    + a.entries().get(i).length
                    + 1
                    + a.clientIds().get(i).map(id -> 2 + utf8(id).length).orElse(0);
        }
        size += 4;
        for (byte[] body : a.detachedBodies()) {
            size += 4 + body.length;
        }
        return size;
    }

    private static void putAppendBody(ByteBuffer out, Append a) {
        out.putInt(a.entries().size());
        for (int i = 0; i < a.entries().size(); i++) {
            byte[] entry = a.entries().get(i);
            out.putInt(entry.length).put(entry);
            Optional<String> id = a.clientIds().get(i);
            out.put((byte) (id.isPresent() ? 1 : 0));
            id.ifPresent(value -> putString(out, value));
        }
        out.putInt(a.detachedBodies().size());
        for (byte[] body : a.detachedBodies()) {
            out.putInt(body.length).put(body);
        }
    }

    private static Append getAppendBody(ByteBuffer in, LogName log) {
        int count = in.getInt();
        if (count < 1 || count > in.remaining() / 4) {
            throw new IllegalArgumentException("append of " + count + " entries in " + in.remaining() + " bytes");
        }
        List<byte[]> entries = new ArrayList<>(count);
        List<Optional<String>> ids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] entry = new byte[in.getInt()];
            in.get(entry);
            entries.add(entry);
            byte hasId = in.get();
            if (hasId != 0 && hasId != 1) {
                throw new IllegalArgumentException("client id flag " + hasId + " of entry " + i);
            }
            ids.add(hasId == 1 ? Optional.of(getString(in)) : Optional.empty());
        }
        int bodyCount = in.getInt();
        if (bodyCount < 0 || bodyCount > in.remaining() / 4) {
            throw new IllegalArgumentException(bodyCount + " detached bodies in " + in.remaining() + " bytes");
        }
        List<byte[]> bodies = new ArrayList<>(bodyCount);
        for (int i = 0; i < bodyCount; i++) {
            byte[] body = new byte[in.getInt()];
            in.get(body);
            bodies.add(body);
        }
        return new Append(log, entries, ids, bodies);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void putString(ByteBuffer out, String text) {
        byte[] bytes = utf8(text);
        if (bytes.length > 0xFFFF) {
            throw new IllegalArgumentException("a string of " + bytes.length + " bytes, more than 65535, in a command");
        }
        out.putShort((short) bytes.length).put(bytes);
    }

    private static String getString(ByteBuffer in) {
        byte[] bytes = new byte[Short.toUnsignedInt(in.getShort())];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * How many command bytes a replica applies for these entry bytes: for a compressed command the
     * length of the command it holds, else their own length (reads without moving the position).
     */
    static long expandedSize(ByteBuffer entry) {
        int at = entry.position();
        return entry.remaining() >= 8 && entry.get(at + 1) == KIND_COMPRESSED
                ? Integer.toUnsignedLong(entry.getInt(at + 4))
                : entry.remaining();
    }

    /** The command a compressed one (its header read up to the name) holds. */
    private static byte[] expand(ByteBuffer in, byte[] name) {
        if (name.length != 0) {
            throw new IllegalArgumentException(
                    "compressed command names log " + new String(name, StandardCharsets.UTF_8));
        }
        int length = in.getInt();
        if (length < 1 || length > EXPANDED_MAX_BYTES) {
            throw new IllegalArgumentException("compressed command of " + Integer.toUnsignedString(length) + " bytes");
        }
        byte[] frame = new byte[in.remaining()];
        in.get(frame);
        byte[] plain = new byte[length];
        long expanded;
        try {
            expanded = Zstd.decompress(plain, frame);
        } catch (ZstdException e) {
            throw new IllegalArgumentException("compressed command does not expand: " + e.getMessage(), e);
        }
        if (expanded != length) {
            throw new IllegalArgumentException("compressed command of " + length + " bytes expands to " + expanded);
        }
        return plain;
    }

    /**
     * Decodes entry bytes.
     *
     * @throws IllegalArgumentException if they are not a version 1 command (a replica that cannot
     *     read its own Raft log must stop)
     */
    static Command decode(ByteBuffer in) {
        return decode(in, true);
    }

    private static Command decode(ByteBuffer in, boolean mayBeCompressed) {
        if (!mayBeCompressed && in.remaining() > 1 && in.get(in.position() + 1) == KIND_COMPRESSED) {
            throw new IllegalArgumentException("a compressed command inside a compressed command");
        }
        try {
            byte version = in.get();
            if (version != VERSION) {
                throw new IllegalArgumentException("command version " + version + ", want " + VERSION);
            }
            byte kind = in.get();
            byte[] name = new byte[Short.toUnsignedInt(in.getShort())];
            in.get(name);
            if (kind == KIND_COMPRESSED) {
                return decode(ByteBuffer.wrap(expand(in, name)), false);
            }
            if (kind == KIND_TOKEN_PUT || kind == KIND_TOKEN_REVOKE) {
                if (name.length != 0) {
                    throw new IllegalArgumentException(
                            "token command of kind " + kind + " names log " + new String(name, StandardCharsets.UTF_8));
                }
                Command command = kind == KIND_TOKEN_PUT ? new TokenPut(getToken(in)) : new TokenRevoke(getString(in));
                if (in.hasRemaining()) {
                    throw new IllegalArgumentException(in.remaining() + " trailing bytes after command");
                }
                return command;
            }
            LogName log = new LogName(new String(name, StandardCharsets.UTF_8));
            Command command = switch (kind) {
                case KIND_APPEND -> getAppendBody(in, log);
                case KIND_BATCH -> {
                    int parts = in.getInt();
                    if (parts < 1 || parts > in.remaining() / 8) {
                        throw new IllegalArgumentException(
                                "batch of " + parts + " appends in " + in.remaining() + " bytes");
                    }
                    List<Append> appends = new ArrayList<>(parts);
                    for (int i = 0; i < parts; i++) {
                        appends.add(getAppendBody(in, log));
                    }
                    yield new Batch(log, appends);
                }
                case KIND_SEAL -> {
                    long treeSize = in.getLong();
                    byte[] root = new byte[Hash.SIZE];
                    in.get(root);
                    yield new Seal(log, treeSize, Hash.of(root, 0));
                }
                case KIND_COSIGN -> {
                    long treeSize = in.getLong();
                    String nodeId = getString(in);
                    String verifierKey = getString(in);
                    String signer = getString(in);
                    int keyId = in.getInt();
                    yield new Cosign(
                            log, treeSize, nodeId, verifierKey, new NoteSignature(signer, keyId, getString(in)));
                }
                default -> throw new IllegalArgumentException("unknown command kind " + kind);
            };
            if (in.hasRemaining()) {
                throw new IllegalArgumentException(in.remaining() + " trailing bytes after command");
            }
            return command;
        } catch (java.nio.BufferUnderflowException | NegativeArraySizeException e) {
            throw new IllegalArgumentException("truncated command", e);
        }
    }
}
