package dev.indelible.replication;

import dev.indelible.formats.merkle.Hash;
import dev.indelible.log.LogName;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A replicated command: the bytes of one Raft log entry. Everything a replica needs to apply it is
 * inside (entry bytes already carry their receive time and source), so applying reads no clock.
 *
 * <p>Encoding, version 1, big-endian: {@code u8 version=1, u8 kind, u16 nameLength, name (UTF-8)},
 * then for {@link Append} {@code u32 count, count × (u32 length, bytes)}, and for {@link Seal}
 * {@code u64 treeSize, 32-byte root}. Changing it is a wire-format change: bump the version.
 */
sealed interface Command {
    byte VERSION = 1;
    byte KIND_APPEND = 1;
    byte KIND_SEAL = 2;

    /** The log the command applies to. */
    LogName log();

    /** Appends {@code entries} to {@code log}, all-or-nothing, at the end of the log. */
    record Append(LogName log, List<byte[]> entries) implements Command {}

    /**
     * Publishes the checkpoint of {@code log} at {@code treeSize}, whose root the proposer computed as
     * {@code root}; every replica checks the root it computed itself before signing.
     */
    record Seal(LogName log, long treeSize, Hash root) implements Command {}

    /** The entry bytes of this command. */
    default byte[] encode() {
        byte[] name = log().value().getBytes(StandardCharsets.UTF_8);
        int size = 4 + name.length;
        switch (this) {
            case Append a -> {
                size += 4;
                for (byte[] entry : a.entries()) {
                    size += 4 + entry.length;
                }
            }
            case Seal s -> size += 8 + Hash.SIZE;
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put(VERSION).put(this instanceof Append ? KIND_APPEND : KIND_SEAL);
        out.putShort((short) name.length).put(name);
        switch (this) {
            case Append a -> {
                out.putInt(a.entries().size());
                for (byte[] entry : a.entries()) {
                    out.putInt(entry.length).put(entry);
                }
            }
            case Seal s -> out.putLong(s.treeSize()).put(s.root().bytes());
        }
        return out.array();
    }

    /**
     * Decodes entry bytes.
     *
     * @throws IllegalArgumentException if they are not a version 1 command (a replica that cannot
     *     read its own Raft log must stop)
     */
    static Command decode(ByteBuffer in) {
        try {
            byte version = in.get();
            if (version != VERSION) {
                throw new IllegalArgumentException("command version " + version + ", want " + VERSION);
            }
            byte kind = in.get();
            byte[] name = new byte[Short.toUnsignedInt(in.getShort())];
            in.get(name);
            LogName log = new LogName(new String(name, StandardCharsets.UTF_8));
            Command command = switch (kind) {
                case KIND_APPEND -> {
                    int count = in.getInt();
                    if (count < 1 || count > in.remaining() / 4) {
                        throw new IllegalArgumentException("append of " + count + " entries in " + in.remaining() + " bytes");
                    }
                    List<byte[]> entries = new ArrayList<>(count);
                    for (int i = 0; i < count; i++) {
                        byte[] entry = new byte[in.getInt()];
                        in.get(entry);
                        entries.add(entry);
                    }
                    yield new Append(log, entries);
                }
                case KIND_SEAL -> {
                    long treeSize = in.getLong();
                    byte[] root = new byte[Hash.SIZE];
                    in.get(root);
                    yield new Seal(log, treeSize, Hash.of(root, 0));
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
