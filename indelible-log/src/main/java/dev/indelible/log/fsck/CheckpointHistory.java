package dev.indelible.log.fsck;

import dev.indelible.formats.checkpoint.Checkpoint;
import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.merkle.ProofVerificationException;
import dev.indelible.formats.note.NoteVerifier;
import dev.indelible.formats.note.Notes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Read-only cursor over the checkpoint history file (storage-format.md §Checkpoint history: magic
 * {@code IDLCKP 0x00 0x01}, then framed records of {@code u64 tree size || signed note}).
 *
 * <p>Each record is checked as it is reached: tree sizes strictly increase; the note carries a valid
 * signature by the log's key (C2SP signed-note) and is a checkpoint (C2SP tlog-checkpoint) whose
 * origin is the log's and whose tree size is the record's. A record failing a check is a problem and
 * is not offered for the root comparison; a framing corruption ends the history.
 */
final class CheckpointHistory implements AutoCloseable {
    /** A checkpoint that passed every check of its own: its root is still to be compared. */
    record Signed(long treeSize, Hash rootHash) {}

    private static final byte[] MAGIC = {'I', 'D', 'L', 'C', 'K', 'P', 0x00, 0x01};
    private static final int PAYLOAD_LIMIT_BYTES = (64 << 10) + Long.BYTES;

    private final Path file;
    private final String origin;
    private final Optional<NoteVerifier> verifier;
    private final Findings findings;
    private final FramedRecords records;
    private long count;
    private long previousTreeSize = -1;
    private boolean ended;

    private CheckpointHistory(
            Path file, String origin, Optional<NoteVerifier> verifier, Findings findings, FramedRecords records) {
        this.file = file;
        this.origin = origin;
        this.verifier = verifier;
        this.findings = findings;
        this.records = records;
        this.ended = records == null;
    }

    /** Opens the history in {@code file}; a missing or empty file is an empty history. */
    static CheckpointHistory open(Path file, String origin, Optional<NoteVerifier> verifier, Findings findings)
            throws IOException {
        if (!Files.exists(file)) {
            return new CheckpointHistory(file, origin, verifier, findings, null);
        }
        byte[] header;
        try (InputStream in = Files.newInputStream(file, StandardOpenOption.READ)) {
            header = in.readNBytes(MAGIC.length);
        }
        long size = Files.size(file);
        boolean zeroHeader = header.length < MAGIC.length || allZero(header);
        if (zeroHeader && size <= MAGIC.length) {
            findings.warning("checkpoints has an incomplete header of " + size + " bytes (recovery rewrites it)");
            return new CheckpointHistory(file, origin, verifier, findings, null);
        }
        if (zeroHeader || !Arrays.equals(header, MAGIC)) {
            findings.problem(-1, "checkpoints has bad header " + HexFormat.of().formatHex(header));
            return new CheckpointHistory(file, origin, verifier, findings, null);
        }
        return new CheckpointHistory(
                file, origin, verifier, findings, FramedRecords.open(file, MAGIC.length, PAYLOAD_LIMIT_BYTES));
    }

    /** The next checkpoint that passed its own checks, or null at the end of the history. */
    Signed next() throws IOException {
        while (!ended) {
            byte[] payload = records.next();
            if (payload == null) {
                finish();
                return null;
            }
            long offset = records.offset() - payload.length - 8;
            if (payload.length <= Long.BYTES) {
                return stop(offset, "record of " + payload.length + " bytes holds no signed note");
            }
            long treeSize = ByteBuffer.wrap(payload).getLong();
            if (treeSize <= previousTreeSize) {
                return stop(
                        offset,
                        "checkpoint tree size " + treeSize + " after " + previousTreeSize
                                + ": tree sizes must strictly increase");
            }
            previousTreeSize = treeSize;
            count++;
            Signed signed = open(treeSize, Arrays.copyOfRange(payload, Long.BYTES, payload.length));
            if (signed != null) {
                return signed;
            }
        }
        return null;
    }

    private Signed open(long treeSize, byte[] note) {
        Checkpoint checkpoint;
        try {
            checkpoint = verifier.isPresent()
                    ? Checkpoint.verifySigned(note, verifier.get())
                    : Checkpoint.parse(Notes.parse(note).text());
        } catch (ProofVerificationException | IllegalArgumentException e) {
            findings.problem(-1, "checkpoint at tree size " + treeSize + ": " + e.getMessage());
            return null;
        }
        if (!checkpoint.origin().equals(origin)) {
            findings.problem(
                    -1,
                    "checkpoint at tree size " + treeSize + " has origin \"" + checkpoint.origin() + "\", want \""
                            + origin + "\"");
            return null;
        }
        if (checkpoint.treeSize() != treeSize) {
            findings.problem(
                    -1, "checkpoint stored at tree size " + treeSize + " says tree size " + checkpoint.treeSize());
            return null;
        }
        return new Signed(treeSize, checkpoint.rootHash());
    }

    private void finish() {
        ended = true;
        switch (records.end()) {
            case TORN ->
                findings.warning("torn tail of " + records.remainingBytes() + " bytes at offset " + records.offset()
                        + " of checkpoints (" + records.reason() + "; recovery truncates it)");
            case CORRUPT -> findings.problem(-1, "checkpoints offset " + records.offset() + ": " + records.reason());
            case CLEAN, NONE -> {}
        }
    }

    private Signed stop(long offset, String reason) {
        ended = true;
        findings.problem(-1, "checkpoints offset " + offset + ": " + reason);
        return null;
    }

    /** Records read (valid framing and order), whether or not their notes verified. */
    long count() {
        return count;
    }

    private static boolean allZero(byte[] bytes) {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        if (records != null) {
            records.close();
        }
    }

    @Override
    public String toString() {
        return "CheckpointHistory[" + file + ", " + count + " read]";
    }
}
