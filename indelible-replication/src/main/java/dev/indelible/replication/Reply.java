package dev.indelible.replication;

import dev.indelible.formats.merkle.Hash;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What applying a command answers the proposer, as bytes: {@code u8 status} then, for {@link
 * #OK}, the {@code u64} first leaf index (or tree size for a seal), for {@link #FAILED} a UTF-8
 * reason, and for {@link #DUPLICATE} (a retried append) the original first leaf index, {@code u32
 * count} and the original leaf hashes, and for {@link #BATCH} (a {@link Command.Batch}) {@code u32
 * n, n × (u32 length, reply)}, one per part in order. Made by the apply step on every replica; the
 * proposer reads the leader's.
 */
record Reply(boolean ok, long value, String reason, List<Hash> originalLeafHashes, List<Reply> parts) {
    static final byte OK = 0;
    static final byte FAILED = 1;
    static final byte DUPLICATE = 2;
    static final byte BATCH = 3;

    static Reply ok(long value) {
        return new Reply(true, value, "", List.of(), List.of());
    }

    static Reply failed(String reason) {
        return new Reply(false, -1, reason, List.of(), List.of());
    }

    /** A retried append: nothing was written; the entries were appended at {@code first}, with these hashes. */
    static Reply duplicate(long first, List<Hash> leafHashes) {
        return new Reply(true, first, "", List.copyOf(leafHashes), List.of());
    }

    /** The replies to the parts of a {@link Command.Batch}, in order. */
    static Reply batch(List<Reply> parts) {
        return new Reply(true, -1, "", List.of(), List.copyOf(parts));
    }

    boolean batch() {
        return !parts.isEmpty();
    }

    boolean duplicate() {
        return !originalLeafHashes.isEmpty();
    }

    byte[] encode() {
        if (batch()) {
            List<byte[]> encoded = parts.stream().map(Reply::encode).toList();
            ByteBuffer out = ByteBuffer.allocate(
                    1 + 4 + encoded.stream().mapToInt(part -> 4 + part.length).sum());
            out.put(BATCH).putInt(encoded.size());
            encoded.forEach(part -> out.putInt(part.length).put(part));
            return out.array();
        }
        if (duplicate()) {
            ByteBuffer out = ByteBuffer.allocate(1 + 8 + 4 + Hash.SIZE * originalLeafHashes.size());
            out.put(DUPLICATE).putLong(value).putInt(originalLeafHashes.size());
            originalLeafHashes.forEach(hash -> out.put(hash.bytes()));
            return out.array();
        }
        if (ok) {
            return ByteBuffer.allocate(9).put(OK).putLong(value).array();
        }
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + text.length).put(FAILED).put(text).array();
    }

    static Reply decode(ByteBuffer in) {
        byte status = in.get();
        if (status == BATCH) {
            int count = in.getInt();
            List<Reply> parts = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int length = in.getInt();
                ByteBuffer part = in.slice(in.position(), length);
                in.position(in.position() + length);
                parts.add(decode(part));
            }
            return batch(parts);
        }
        if (status == OK) {
            return ok(in.getLong());
        }
        if (status == DUPLICATE) {
            long first = in.getLong();
            int count = in.getInt();
            List<Hash> hashes = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                byte[] hash = new byte[Hash.SIZE];
                in.get(hash);
                hashes.add(Hash.of(hash, 0));
            }
            return duplicate(first, hashes);
        }
        byte[] text = new byte[in.remaining()];
        in.get(text);
        return failed(new String(text, StandardCharsets.UTF_8));
    }
}
