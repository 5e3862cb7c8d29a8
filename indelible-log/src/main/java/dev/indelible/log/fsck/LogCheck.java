package dev.indelible.log.fsck;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.indelible.formats.merkle.CompactRange;
import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.merkle.LeafHasher;
import dev.indelible.formats.merkle.Rfc9162;
import dev.indelible.formats.note.NoteVerifier;
import dev.indelible.log.envelope.EnvelopeWriter;
import dev.indelible.log.fsck.FsckReport.LogResult;
import dev.indelible.storage.io.FileIO;
import dev.indelible.storage.segment.SegmentStore;
import dev.indelible.storage.segment.SegmentVerification;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The check of one log directory, in one left-to-right pass over its entries.
 *
 * <p>Algorithm. {@link SegmentStore#verify} first checks every segment header, record CRC and the
 * continuity of leaf indexes, giving the number {@code N} of valid entries. Then the entries
 * {@code [0, N)} are read again (read-only, from the documented layout) and each leaf hash {@code
 * SHA-256(0x00 || entry)} is appended to a {@link CompactRange} (RFC 9162 §2.1.1). Every node the
 * range completes at a level divisible by 8 is compared with the stored hash row; at each stored
 * checkpoint's tree size the recomputed root is compared with the signed root. Checkpoints whose
 * tree size exceeds {@code N} commit to entries the log no longer holds. Envelopes with a detached
 * body ({@code "eventDigest":"sha256:<hex>"}) must find the body in {@code blobs/} with that digest.
 * Memory is bounded by the buffers and the frontier, not by the size of the log.
 */
final class LogCheck {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int FORMAT_VERSION = 1;
    private static final int SEGMENT_HEADER_BYTES = 16;
    /** The format limit of a segment record (storage-format.md §Segment file). */
    private static final int SEGMENT_RECORD_LIMIT_BYTES = 1 << 20;

    private final Path directory;
    private final String log;
    private final VerifierKeys keys;
    private final Fsck.Progress progress;
    private final Findings findings = new Findings();
    private long lastMatchedTreeSize;
    private boolean segmentsCorrupt;

    private LogCheck(Path directory, VerifierKeys keys, Fsck.Progress progress) {
        this.directory = directory;
        this.log = directory.getFileName().toString();
        this.keys = keys;
        this.progress = progress;
    }

    static LogResult run(Path directory, VerifierKeys keys, Fsck.Progress progress) {
        return new LogCheck(directory, keys, progress).run();
    }

    private LogResult run() {
        long entries = 0;
        long checkpoints = 0;
        Hash root = Rfc9162.EMPTY_ROOT;
        try {
            Optional<String> origin = readOrigin();
            if (origin.isPresent()) {
                Optional<NoteVerifier> verifier = keys.forOrigin(origin.get());
                if (verifier.isEmpty()) {
                    findings.warning("checkpoint signatures NOT verified: no key for origin " + origin.get()
                            + keys.keyFileProblem().map(p -> " (" + p + ")").orElse("")
                            + "; give --vkey or --public-key");
                }
                entries = verifySegments();
                try (HashRowReader rows = HashRowReader.open(directory.resolve("hashes"), findings::warning);
                        CheckpointHistory history = CheckpointHistory.open(
                                directory.resolve("checkpoints"), origin.get(), verifier, findings)) {
                    if (rows.size(0) > entries && !segmentsCorrupt) {
                        findings.warning("hashes/row-0 holds " + rows.size(0) + " leaf hashes for " + entries
                                + " entries (recovery drops the rest)");
                    }
                    root = walk(entries, rows, history);
                    checkpoints = history.count();
                }
            }
        } catch (IOException | UncheckedIOException e) {
            findings.problem(-1, "cannot read " + directory + ": " + e.getMessage());
        }
        return new LogResult(log, entries, checkpoints, root, findings.problems(), findings.warnings());
    }

    /** The origin from {@code log.json}, or empty (with a problem) if the metadata is unusable. */
    private Optional<String> readOrigin() throws IOException {
        Path file = directory.resolve("log.json");
        if (!Files.isRegularFile(file)) {
            if (Files.exists(directory.resolve("segments"))) {
                findings.problem(-1, "log.json is missing, so the server will not open this log");
            } else {
                findings.warning("directory without log.json or segments (an interrupted log creation)");
            }
            return Optional.empty();
        }
        JsonNode meta;
        try (InputStream in = Files.newInputStream(file, StandardOpenOption.READ)) {
            meta = JSON.readTree(in);
        } catch (IOException e) {
            findings.problem(-1, "log.json is not JSON: " + e.getMessage());
            return Optional.empty();
        }
        int version = meta == null ? -1 : meta.path("formatVersion").asInt(-1);
        if (version != FORMAT_VERSION) {
            findings.problem(-1, "log.json has format version " + version + ", want " + FORMAT_VERSION);
            return Optional.empty();
        }
        String name = meta.path("name").asText("");
        if (!name.equals(log)) {
            findings.problem(-1, "log.json names log \"" + name + "\" but its directory is \"" + log + "\"");
        }
        String origin = meta.path("origin").asText("");
        if (origin.isEmpty()) {
            findings.problem(-1, "log.json has no origin");
            return Optional.empty();
        }
        return Optional.of(origin);
    }

    /** Runs the storage module's read-only segment check; returns the number of valid entries. */
    private long verifySegments() throws IOException {
        SegmentVerification verification = SegmentStore.verify(directory.resolve("segments"), FileIO.posix());
        verification.corruption().ifPresent(c -> {
            segmentsCorrupt = true;
            findings.problem(
                    c.firstBadLeafIndex(),
                    "segment " + c.file().getFileName() + " offset " + c.offset() + ": " + c.reason());
        });
        if (verification.tornTailBytes() > 0) {
            findings.warning("torn tail of " + verification.tornTailBytes()
                    + " bytes in the last segment (a crash; recovery truncates it)");
        }
        if (verification.positionTableProblems() > 0) {
            findings.warning(verification.positionTableProblems()
                    + " position tables missing or stale (derived data; recovery rebuilds them)");
        }
        return verification.leafCount();
    }

    /** Hashes entries {@code [0, entries)}, comparing nodes, roots and bodies; returns the root. */
    private Hash walk(long entries, HashRowReader rows, CheckpointHistory history) throws IOException {
        CompactRange range = new CompactRange();
        CompactRange.NodeSink sink = (level, index, hash) -> compareNode(rows, level, index, hash);
        CheckpointHistory.Signed[] pending = {compareRoots(range, history.next(), history)};
        LeafHasher hasher = new LeafHasher();
        readEntries(entries, (leafIndex, entry) -> {
            range.append(hasher.leafHash(entry), sink);
            checkBody(leafIndex, entry);
            pending[0] = compareRoots(range, pending[0], history);
            if ((leafIndex + 1) % Fsck.PROGRESS_EVERY_LEAVES == 0) {
                progress.leaves(log, leafIndex + 1, entries);
            }
        });
        if (pending[0] != null) {
            long first = pending[0].treeSize();
            long later = 0;
            while (history.next() != null) {
                later++;
            }
            String checkpoints = "checkpoint at tree size " + first + (later > 0 ? " (and " + later + " later)" : "");
            findings.problem(
                    range.size(),
                    segmentsCorrupt
                            ? checkpoints + " covers leaves at or after the segment corruption: not checked"
                            : checkpoints + " was published but the segments hold only " + range.size()
                                    + " valid entries: checkpointed entries lost");
        }
        return range.rootHash();
    }

    /** Compares the root at every pending checkpoint of the range's size; returns the next pending one. */
    private CheckpointHistory.Signed compareRoots(
            CompactRange range, CheckpointHistory.Signed pending, CheckpointHistory history) throws IOException {
        CheckpointHistory.Signed current = pending;
        while (current != null && current.treeSize() <= range.size()) {
            Hash root = range.rootHash();
            if (!root.equals(current.rootHash())) {
                findings.problem(
                        lastMatchedTreeSize,
                        "entries 0.." + current.treeSize() + " hash to root "
                                + root.base64() + " but the signed checkpoint says "
                                + current.rootHash().base64()
                                + " (the bad leaf lies in [" + lastMatchedTreeSize + ", " + current.treeSize() + "))");
            } else {
                lastMatchedTreeSize = current.treeSize();
            }
            current = history.next();
        }
        return current;
    }

    private void compareNode(HashRowReader rows, int level, long index, Hash hash) {
        if (level % HashRowReader.LEVELS_PER_ROW != 0) {
            return;
        }
        int row = level / HashRowReader.LEVELS_PER_ROW;
        Hash stored;
        try {
            stored = rows.read(row, index);
        } catch (IOException e) {
            throw new UncheckedIOException("reading hashes/row-" + row, e);
        }
        if (stored != null && !stored.equals(hash)) {
            long firstLeaf = index << level;
            String what = row == 0
                    ? "hashes/row-0 holds leaf hash " + stored.base64() + " but the entry hashes to " + hash.base64()
                    : "hashes/row-" + row + " entry " + index + " (leaves " + firstLeaf + ".." + ((index + 1) << level)
                            + ") is " + stored.base64() + ", recomputed " + hash.base64();
            findings.problem(firstLeaf, what);
        }
    }

    @FunctionalInterface
    private interface EntryVisitor {
        void accept(long leafIndex, byte[] entry) throws IOException;
    }

    /** Reads entries {@code [0, entries)} from the segment files, read-only, CRC-checking each. */
    private void readEntries(long entries, EntryVisitor visitor) throws IOException {
        Path segments = directory.resolve("segments");
        if (entries == 0) {
            return;
        }
        List<Path> files;
        try (Stream<Path> listing = Files.list(segments)) {
            files = listing.filter(p -> p.getFileName().toString().matches("[0-9]{20}\\.seg"))
                    .sorted()
                    .toList();
        }
        long leafIndex = 0;
        for (Path file : files) {
            if (leafIndex >= entries) {
                return;
            }
            long first = Long.parseLong(file.getFileName().toString().substring(0, 20));
            if (first != leafIndex) {
                findings.problem(
                        leafIndex,
                        "segment " + file.getFileName() + " starts at leaf " + first + ", want " + leafIndex);
                return;
            }
            try (FramedRecords records = FramedRecords.open(file, SEGMENT_HEADER_BYTES, SEGMENT_RECORD_LIMIT_BYTES)) {
                byte[] entry;
                while (leafIndex < entries && (entry = records.next()) != null) {
                    visitor.accept(leafIndex++, entry);
                }
                if (leafIndex < entries && records.end() != FramedRecords.End.CLEAN) {
                    findings.problem(
                            leafIndex,
                            "segment " + file.getFileName() + " offset " + records.offset() + ": " + records.reason());
                    return;
                }
            }
        }
        if (leafIndex < entries) {
            findings.problem(leafIndex, "segments end at leaf " + leafIndex + ", verification counted " + entries);
        }
    }

    /** Checks the detached body an envelope names, if it names one. */
    private void checkBody(long leafIndex, byte[] entry) throws IOException {
        Optional<Hash> digest = EnvelopeWriter.detachedDigest(entry);
        if (digest.isEmpty()) {
            return;
        }
        String hex = digest.get().hex();
        Path blob = directory.resolve("blobs").resolve(hex.substring(0, 2)).resolve(hex);
        if (!Files.isRegularFile(blob)) {
            findings.problem(
                    leafIndex,
                    "detached body sha256:" + hex + " is missing (blobs/" + hex.substring(0, 2) + "/" + hex + ")");
            return;
        }
        MessageDigest sha256 = sha256();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(blob, StandardOpenOption.READ)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha256.update(buffer, 0, n);
            }
        }
        String actual = java.util.HexFormat.of().formatHex(sha256.digest());
        if (!actual.equals(hex)) {
            findings.problem(
                    leafIndex,
                    "detached body blobs/" + hex.substring(0, 2) + "/" + hex + " hashes to sha256:" + actual);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }
}
