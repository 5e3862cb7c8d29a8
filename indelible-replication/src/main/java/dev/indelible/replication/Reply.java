package dev.indelible.replication;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * What applying a command answers the proposer, as bytes: {@code u8 status} then, for {@link
 * #OK}, the {@code u64} first leaf index (or tree size for a seal), and for {@link #FAILED} a UTF-8
 * reason. Made by the apply step on every replica; the proposer reads the leader's.
 */
record Reply(boolean ok, long value, String reason) {
    static final byte OK = 0;
    static final byte FAILED = 1;

    static Reply ok(long value) {
        return new Reply(true, value, "");
    }

    static Reply failed(String reason) {
        return new Reply(false, -1, reason);
    }

    byte[] encode() {
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
        byte[] text = new byte[in.remaining()];
        in.get(text);
        return failed(new String(text, StandardCharsets.UTF_8));
    }
}
