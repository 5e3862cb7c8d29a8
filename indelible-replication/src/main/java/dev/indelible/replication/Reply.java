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
 * count} and the original leaf hashes. Made by the apply step on every replica; the proposer reads the leader's.
 */
record Reply(boolean ok, long value, String reason, List<Hash> originalLeafHashes) {
    static final byte OK = 0;
    static final byte FAILED = 1;
    static final byte DUPLICATE = 2;

    static Reply ok(long value) {
        return new Reply(true, value, "", List.of());
    }

    static Reply failed(String reason) {
        return new Reply(false, -1, reason, List.of());
    }

    /** A retried append: nothing was written; the entries were appended at {@code first}, with these hashes. */
    static Reply duplicate(long first, List<Hash> leafHashes) {
        return new Reply(true, first, "", List.copyOf(leafHashes));
    }

    boolean duplicate() {
        return !originalLeafHashes.isEmpty();
    }

    byte[] encode() {
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
