package dev.indelible.replication;

import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.merkle.Rfc9162;
import dev.indelible.formats.note.NoteSignature;
import dev.indelible.formats.note.Notes;
import dev.indelible.formats.note.SignedNote;
import dev.indelible.log.Leaf;
import dev.indelible.log.LogApplier;
import dev.indelible.log.LogName;
import dev.indelible.log.PublishedCheckpoint;
import dev.indelible.log.TreeHead;
import dev.indelible.log.envelope.EnvelopeWriter;
import dev.indelible.storage.blob.BlobStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Snapshot install for a node whose Raft log the leader has purged: the node asks the leader (a
 * read-only Raft query, so it travels over the Raft client's connection to whoever leads) for its
 * latest snapshot, then for the entries and checkpoints the snapshot counts that this node lacks,
 * and applies them through the same {@link LogApplier} as a normal apply. Every fetched entry is
 * hashed here and the resulting root must equal the root the snapshot records; every fetched
 * checkpoint must carry this node's own log-key signature of its own root. So afterwards the node's
 * segments, roots and checkpoints are byte-identical to the leader's, or it fails loudly.
 *
 * <p>Detached bodies (large events, see envelope.md) travel with their entries: before a batch of
 * fetched entries is appended, every body one of them names ({@link EnvelopeWriter#detachedDigest})
 * that this node lacks is fetched, its SHA-256 checked against the name, and stored with {@link
 * LogApplier#putBody} — the order of a normal apply, body before leaf. A body the leader lacks or
 * that hashes otherwise stops the install.
 *
 * <p>Queries, version 1: {@code u8 kind}, then for {@link #SNAPSHOT} nothing (reply: the leader's
 * latest snapshot file bytes, empty if none); for {@link #ENTRIES} {@code UTF log, u64 start, u64
 * end} (reply: {@code u32 n, n × (u32 len, entry)}, at most {@link #REPLY_MAX_BYTES} bytes but at
 * least one entry); for {@link #CHECKPOINTS} {@code UTF log, u64 after, u64 upTo} (reply: {@code
 * u32 n, n × (u64 treeSize, u32 len, signed note)}, checkpoints with {@code after < treeSize <=
 * upTo} in order, bounded like entries); for {@link #BODY} {@code UTF log, 32-byte SHA-256, u32
 * offset} (reply: {@code u8 found}, then if found {@code u32 length, u32 n, n bytes of the body from
 * offset}, {@code n} at most {@link #REPLY_MAX_BYTES}: a body of up to {@link
 * BlobStore#BODY_MAX_BYTES} takes one or more pages); for {@link #BARRIER} nothing (reply: empty;
 * sent by a node to itself, linearizably, see {@link TokenGate}).
 */
final class CatchUp {
    static final byte SNAPSHOT = 1;
    static final byte ENTRIES = 2;
    static final byte CHECKPOINTS = 3;
    static final byte BODY = 4;
    /** A read barrier of {@link TokenGate}: answered with nothing once the node has caught up. */
    static final byte BARRIER = 5;

    /** The most bytes of entries, notes or body one query reply carries (well under the gRPC limit). */
    static final int REPLY_MAX_BYTES = 8 << 20;

    /** Queries one install may send before giving up (bounds the loop on a misbehaving leader). */
    static final int QUERIES_MAX = 1_000_000;

    /** Sends a query to the leader and returns its answer. */
    @FunctionalInterface
    interface Leader {
        byte[] query(byte[] request) throws IOException;
    }

    private CatchUp() {}

    static byte[] snapshotQuery() {
        return new byte[] {SNAPSHOT};
    }

    static byte[] barrierQuery() {
        return new byte[] {BARRIER};
    }

    /** Whether {@code query} is a {@link #barrierQuery}. */
    static boolean isBarrier(byte[] query) {
        return query.length > 0 && query[0] == BARRIER;
    }

    static byte[] rangeQuery(byte kind, LogName log, long from, long to) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeByte(kind);
        out.writeUTF(log.value());
        out.writeLong(from);
        out.writeLong(to);
        out.flush();
        return bytes.toByteArray();
    }

    static byte[] bodyQuery(LogName log, Hash digest, int offset) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeByte(BODY);
        out.writeUTF(log.value());
        out.write(digest.bytes());
        out.writeInt(offset);
        out.flush();
        return bytes.toByteArray();
    }

    /**
     * Answers a query on the leader (any thread: reads only what is durable).
     *
     * @param logs a log's applier, if this node has the log
     * @param latestSnapshot this node's latest snapshot file, if any
     */
    static byte[] answer(byte[] request, Function<LogName, Optional<LogApplier>> logs, Optional<Path> latestSnapshot)
            throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(request));
        byte kind = in.readByte();
        if (kind == SNAPSHOT) {
            return latestSnapshot.isPresent() ? Files.readAllBytes(latestSnapshot.get()) : new byte[0];
        }
        if (kind == BARRIER) {
            return new byte[0];
        }
        if (kind != ENTRIES && kind != CHECKPOINTS && kind != BODY) {
            throw new IOException("unknown catch-up query kind " + kind);
        }
        LogName name = new LogName(in.readUTF());
        if (kind == BODY) {
            Hash digest = Hash.of(in.readNBytes(Hash.SIZE), 0);
            int offset = in.readInt();
            LogApplier log = logs.apply(name).orElseThrow(() -> new IOException("no log " + name + " on this node"));
            return answerBody(log.body(digest), offset);
        }
        long from = in.readLong();
        long to = in.readLong();
        LogApplier log = logs.apply(name).orElseThrow(() -> new IOException("no log " + name + " on this node"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        List<byte[]> items = new ArrayList<>();
        List<Long> sizes = new ArrayList<>();
        long total = 0;
        if (kind == ENTRIES) {
            long end = Math.min(to, log.head().treeSize());
            for (long i = from; i < end && (items.isEmpty() || total < REPLY_MAX_BYTES); i++) {
                byte[] entry = log.entry(i);
                items.add(entry);
                total += entry.length + 4;
            }
        } else {
            long after = from;
            while (items.isEmpty() || total < REPLY_MAX_BYTES) {
                Optional<PublishedCheckpoint> next = log.checkpointAtLeast(after + 1);
                if (next.isEmpty() || next.get().treeSize() > to) {
                    break;
                }
                items.add(next.get().signedNote());
                sizes.add(next.get().treeSize());
                total += next.get().signedNote().length + 12;
                after = next.get().treeSize();
            }
        }
        out.writeInt(items.size());
        for (int i = 0; i < items.size(); i++) {
            if (kind == CHECKPOINTS) {
                out.writeLong(sizes.get(i));
            }
            out.writeInt(items.get(i).length);
            out.write(items.get(i));
        }
        out.flush();
        return bytes.toByteArray();
    }

    /** One page of a body: {@code u8 found, [u32 length, u32 n, n bytes from offset]}. */
    private static byte[] answerBody(Optional<byte[]> body, int offset) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeBoolean(body.isPresent());
        if (body.isPresent()) {
            byte[] all = body.get();
            if (offset < 0 || offset >= all.length) {
                throw new IOException("body offset " + offset + " outside [0, " + all.length + ")");
            }
            int n = Math.min(REPLY_MAX_BYTES, all.length - offset);
            out.writeInt(all.length);
            out.writeInt(n);
            out.write(all, offset, n);
        }
        out.flush();
        return bytes.toByteArray();
    }

    /** Counts the queries of one install against {@link #QUERIES_MAX}. */
    private static final class Budget {
        private final LogName log;
        private int queries;

        Budget(LogName log) {
            this.log = log;
        }

        void spend() throws IOException {
            if (++queries > QUERIES_MAX) {
                throw new IOException("catch-up of " + log + " needed more than " + QUERIES_MAX + " queries");
            }
        }
    }

    /**
     * Brings one log up to a snapshot's state: fetches the entries {@code [stored, applied)} with the
     * detached bodies they name, and the checkpoints {@code (latest, checkpointTreeSize]} from the
     * leader, verifying each batch.
     *
     * @throws IOException if the leader's data does not match the snapshot, the bodies its entries
     *     name, or this node's key
     */
    static void install(SnapshotFile.LogState state, LogApplier log, Leader leader) throws IOException {
        long applied = state.appliedTreeSize();
        long have = log.head().treeSize();
        Budget budget = new Budget(log.name());
        while (have < applied) {
            budget.spend();
            DataInputStream in = new DataInputStream(
                    new ByteArrayInputStream(leader.query(rangeQuery(ENTRIES, log.name(), have, applied))));
            int n = in.readInt();
            if (n <= 0) {
                throw new IOException("the leader sent no entries of " + log.name() + " from " + have);
            }
            List<Leaf> leaves = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                leaves.add(Leaf.of(in.readNBytes(in.readInt())));
            }
            for (int i = 0; i < n; i++) {
                Optional<Hash> digest =
                        EnvelopeWriter.detachedDigest(leaves.get(i).bytes());
                if (digest.isPresent() && log.body(digest.get()).isEmpty()) {
                    log.putBody(fetchBody(log.name(), digest.get(), have + i, leader, budget));
                }
            }
            long at = log.append(leaves);
            if (at != have) {
                throw new IOException("fetched entries of " + log.name() + " landed at " + at + ", want " + have);
            }
            have += n;
        }
        log.sync(); // the snapshot stored as this node's own counts these entries as applied
        if (applied > 0 && state.appliedRoot().isPresent()) {
            Hash mine = log.rootHash(applied);
            if (!mine.equals(state.appliedRoot().get())) {
                throw new IOException("root of " + log.name() + " at " + applied + " is " + mine.base64() + " here but "
                        + state.appliedRoot().get().base64() + " in the leader's snapshot");
            }
        }
        long latest = log.latestCheckpoint().map(PublishedCheckpoint::treeSize).orElse(0L);
        long upTo = state.checkpointTreeSize();
        while (latest < upTo) {
            budget.spend();
            DataInputStream in = new DataInputStream(
                    new ByteArrayInputStream(leader.query(rangeQuery(CHECKPOINTS, log.name(), latest, upTo))));
            int n = in.readInt();
            if (n <= 0) {
                throw new IOException("the leader sent no checkpoints of " + log.name() + " after " + latest);
            }
            for (int i = 0; i < n; i++) {
                long treeSize = in.readLong();
                byte[] note = in.readNBytes(in.readInt());
                if (treeSize <= latest || treeSize > applied) {
                    throw new IOException("the leader sent a checkpoint of " + log.name() + " at " + treeSize
                            + " outside (" + latest + ", " + applied + "]");
                }
                TreeHead head = new TreeHead(treeSize, log.rootHash(treeSize));
                requireOwnSignature(log, head, note);
                log.publish(head, note);
                latest = treeSize;
            }
        }
    }

    /**
     * Fetches the detached body named {@code digest} (by the entry at {@code leafIndex}) from the
     * leader, page by page, and returns it once its SHA-256 matches the name.
     *
     * @throws IOException if the leader lacks the body, pages it inconsistently, or sends bytes that
     *     hash to another digest
     */
    private static byte[] fetchBody(LogName log, Hash digest, long leafIndex, Leader leader, Budget budget)
            throws IOException {
        String what = "detached body sha256:" + digest.hex() + " of " + log + " (named by leaf " + leafIndex + ")";
        byte[] body = null;
        int offset = 0;
        do {
            budget.spend();
            DataInputStream in =
                    new DataInputStream(new ByteArrayInputStream(leader.query(bodyQuery(log, digest, offset))));
            if (!in.readBoolean()) {
                throw new IOException("the leader has no " + what);
            }
            int length = in.readInt();
            int n = in.readInt();
            if (length <= 0 || length > BlobStore.BODY_MAX_BYTES || (body != null && length != body.length)) {
                throw new IOException("the leader sent " + what + " with length " + length
                        + (body == null ? ", limit " + BlobStore.BODY_MAX_BYTES : ", earlier " + body.length));
            }
            if (n <= 0 || n > length - offset) {
                throw new IOException(
                        "the leader sent " + n + " bytes of " + what + " at offset " + offset + " of " + length);
            }
            if (body == null) {
                body = new byte[length];
            }
            in.readFully(body, offset, n);
            offset += n;
        } while (offset < body.length);
        Hash actual = Rfc9162.sha256(body);
        if (!actual.equals(digest)) {
            throw new IOException("the leader sent " + what + " that hashes to sha256:" + actual.hex());
        }
        return body;
    }

    /**
     * Checks that {@code note} is a checkpoint of {@code head} (this node's own root) carrying the
     * log-key signature this node makes itself (Ed25519 is deterministic).
     */
    static void requireOwnSignature(LogApplier log, TreeHead head, byte[] note) throws IOException {
        SignedNote mine = Notes.parse(log.signCheckpoint(head));
        SignedNote theirs;
        try {
            theirs = Notes.parse(note);
        } catch (RuntimeException e) {
            throw new IOException("checkpoint of " + log.name() + " at " + head.treeSize() + " unparsable: " + e, e);
        }
        if (!theirs.text().equals(mine.text())) {
            throw new IOException(
                    "checkpoint of " + log.name() + " at " + head.treeSize() + " does not commit to this node's root");
        }
        for (NoteSignature signature : mine.signatures()) {
            if (!theirs.signatures().contains(signature)) {
                throw new IOException(
                        "checkpoint of " + log.name() + " at " + head.treeSize() + " lacks the log signature");
            }
        }
    }
}
