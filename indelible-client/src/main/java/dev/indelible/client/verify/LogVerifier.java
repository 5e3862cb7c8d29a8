package dev.indelible.client.verify;

import dev.indelible.client.ConsistencyProof;
import dev.indelible.client.IndelibleClient;
import dev.indelible.formats.checkpoint.Checkpoint;
import dev.indelible.formats.encoding.FormatException;
import dev.indelible.formats.merkle.CompactRange;
import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.merkle.LeafHasher;
import dev.indelible.formats.merkle.MerkleVerifier;
import dev.indelible.formats.merkle.ProofVerificationException;
import dev.indelible.formats.note.NoteVerifier;
import dev.indelible.formats.tiles.EntryBundle;
import dev.indelible.formats.tiles.TilePath;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Verifies a log from outside, trusting nothing but a pinned verifier key:
 *
 * <ol>
 *   <li>fetches the latest checkpoint and checks its signature (c2sp.org/tlog-checkpoint,
 *       c2sp.org/signed-note);
 *   <li>if a state file from an earlier run exists, fetches a consistency proof from the saved
 *       tree to the new one and checks it (RFC 9162 §2.1.4.2). A failure is evidence of a rewritten
 *       history: {@link InconsistencyException}, and the state file is left untouched;
 *   <li>optionally (full), downloads every entry bundle through the tlog-tiles API, recomputes
 *       every leaf hash and the whole tree with a {@link CompactRange}, compares each level-0 hash
 *       tile with the recomputed leaf hashes, and the recomputed root with the checkpoint's;
 *   <li>only when everything passed, replaces the state file atomically with the new checkpoint.
 * </ol>
 *
 * <p>Not thread-safe; one run at a time.
 */
public final class LogVerifier {
    /** Receives progress of a full verification; called on the verifying thread. */
    @FunctionalInterface
    public interface ProgressListener {
        /** {@code entriesDone} of {@code entriesTotal} entries have been verified. */
        void progress(long entriesDone, long entriesTotal);

        /** A listener that ignores progress. */
        static ProgressListener none() {
            return (done, total) -> {};
        }
    }

    private static final int TILE_WIDTH = TilePath.FULL_WIDTH;

    private final IndelibleClient client;
    private final String log;
    private final String verifierKey;
    private final NoteVerifier logKey;

    /**
     * A verifier of {@code log} through {@code client}, trusting only {@code verifierKey}.
     *
     * @throws dev.indelible.formats.encoding.FormatException if the key text is malformed
     */
    public LogVerifier(IndelibleClient client, String log, String verifierKey) {
        this.client = Objects.requireNonNull(client);
        this.log = Objects.requireNonNull(log);
        this.verifierKey = verifierKey.strip();
        this.logKey = NoteVerifier.ed25519(this.verifierKey);
    }

    /**
     * Runs the checks described on the class.
     *
     * @param stateFile where the previous run's checkpoint is kept, if anywhere
     * @param full whether to recompute the whole tree from entry bundles and tiles
     * @throws InconsistencyException if the log contradicts the saved checkpoint
     * @throws LeafMismatchException if an entry or tile disagrees with the recomputed tree
     * @throws ProofVerificationException if a signature, proof or root does not verify
     * @throws dev.indelible.client.ProblemException if the server cannot be read
     */
    public VerifyResult verify(Optional<Path> stateFile, boolean full, ProgressListener progress) {
        byte[] note = client.checkpoint(log);
        Checkpoint latest;
        try {
            latest = Checkpoint.verifySigned(note, logKey);
        } catch (FormatException e) {
            throw new ProofVerificationException("the log served a malformed checkpoint: " + e.getMessage());
        }
        String latestNote = new String(note, StandardCharsets.UTF_8);
        Optional<VerifierState> previous = stateFile.flatMap(VerifierState::read);
        long previousTreeSize = -1;
        if (previous.isPresent()) {
            checkConsistency(previous.get(), latest, latestNote);
            previousTreeSize = previous.get().treeSize();
        }
        long entriesChecked = full ? verifyAllEntries(latest, progress) : 0;
        stateFile.ifPresent(file -> new VerifierState(
                        latest.origin(), latest.treeSize(), latest.rootHash(), verifierKey, latestNote)
                .replaceAtomically(file));
        return new VerifyResult(
                latest.origin(), latest.treeSize(), latest.rootHash(), previousTreeSize, entriesChecked);
    }

    private void checkConsistency(VerifierState saved, Checkpoint latest, String latestNote) {
        if (!saved.verifierKey().equals(verifierKey)) {
            throw new ProofVerificationException("state file was written for verifier key " + saved.verifierKey()
                    + ", but the pinned key is " + verifierKey);
        }
        if (!saved.origin().equals(latest.origin())) {
            throw new ProofVerificationException(
                    "state file is for origin " + saved.origin() + ", the log's checkpoint is for " + latest.origin());
        }
        if (latest.treeSize() < saved.treeSize()) {
            throw new ProofVerificationException("latest checkpoint has tree size " + latest.treeSize()
                    + ", smaller than the verified tree size " + saved.treeSize() + " in the state file");
        }
        // Nothing to prove from the empty tree or to the same size; the verifier still checks roots.
        ConsistencyProof proof = latest.treeSize() == saved.treeSize() || saved.treeSize() == 0
                ? new ConsistencyProof(saved.treeSize(), latest.treeSize(), List.of())
                : client.consistencyProof(log, saved.treeSize(), latest.treeSize());
        try {
            if (proof.from() != saved.treeSize() || proof.to() != latest.treeSize()) {
                throw new ProofVerificationException("asked for a consistency proof from " + saved.treeSize() + " to "
                        + latest.treeSize() + ", got one from " + proof.from() + " to " + proof.to());
            }
            MerkleVerifier.verifyConsistency(
                    saved.treeSize(), latest.treeSize(), saved.rootHash(), latest.rootHash(), proof.hashes());
        } catch (ProofVerificationException e) {
            throw new InconsistencyException(
                    "log " + latest.origin() + " is not consistent with the checkpoint verified earlier: "
                            + e.getMessage(),
                    saved.asCheckpoint(),
                    saved.checkpoint(),
                    latest,
                    latestNote,
                    proof);
        }
    }

    /** Step 3: re-hash every entry, compare level-0 tiles, compare the root. */
    private long verifyAllEntries(Checkpoint checkpoint, ProgressListener progress) {
        long size = checkpoint.treeSize();
        CompactRange range = new CompactRange();
        progress.progress(0, size);
        LeafHasher hasher = new LeafHasher();
        for (long bundleIndex = 0; bundleIndex * TILE_WIDTH < size; bundleIndex++) {
            long first = bundleIndex * TILE_WIDTH;
            int width = (int) Math.min(TILE_WIDTH, size - first);
            List<byte[]> entries = decodeBundle(client.entryBundle(log, bundleIndex, width), width, bundleIndex);
            byte[] tile = client.tile(log, 0, bundleIndex, width);
            if (tile.length != width * Hash.SIZE) {
                throw new LeafMismatchException(
                        first,
                        "hash tile 0/" + bundleIndex + " has " + tile.length + " bytes, want " + width * Hash.SIZE);
            }
            for (int k = 0; k < width; k++) {
                Hash computed = hasher.leafHash(entries.get(k));
                Hash committed = Hash.of(tile, k * Hash.SIZE);
                if (!computed.equals(committed)) {
                    throw new LeafMismatchException(
                            first + k,
                            "leaf " + (first + k) + ": entry in bundle "
                                    + bundleIndex + " hashes to " + computed.base64() + ", but hash tile 0/"
                                    + bundleIndex
                                    + " has " + committed.base64());
                }
                range.append(computed, (level, index, hash) -> {});
            }
            progress.progress(first + width, size);
        }
        Hash root = range.rootHash();
        if (!root.equals(checkpoint.rootHash())) {
            throw new ProofVerificationException("recomputed root of " + size + " entries is " + root.base64()
                    + ", but the checkpoint says " + checkpoint.rootHash().base64());
        }
        return size;
    }

    private static List<byte[]> decodeBundle(byte[] bundle, int width, long bundleIndex) {
        try {
            return EntryBundle.decode(bundle, width);
        } catch (FormatException e) {
            throw new LeafMismatchException(
                    bundleIndex * TILE_WIDTH,
                    "entry bundle " + bundleIndex + " (leaves from " + bundleIndex * TILE_WIDTH + ") is malformed: "
                            + e.getMessage());
        }
    }
}
