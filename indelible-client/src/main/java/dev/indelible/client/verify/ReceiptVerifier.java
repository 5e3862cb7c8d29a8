package dev.indelible.client.verify;

import dev.indelible.formats.checkpoint.Checkpoint;
import dev.indelible.formats.encoding.FormatException;
import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.merkle.ProofVerificationException;
import dev.indelible.formats.merkle.Rfc9162;
import dev.indelible.formats.note.NoteVerifier;
import dev.indelible.formats.proof.TlogProof;
import java.util.Arrays;

/**
 * Verifies a receipt offline: a C2SP {@code tlog-proof@v1} (c2sp.org/tlog-proof) against the exact
 * entry bytes and a pinned verifier key, with no network. Delegates the format and the checks to
 * {@link TlogProof}: the checkpoint must carry a valid signature by the key (whose name is the
 * log's origin), and the entry's leaf hash must be included at the proof's leaf index.
 */
public final class ReceiptVerifier {
    /** What a verified receipt proves. */
    public record VerifiedReceipt(long leafIndex, Hash leafHash, Checkpoint checkpoint) {
        /** One line for humans. */
        public String summary() {
            return "verified: entry " + leafHash.base64() + " is leaf " + leafIndex + " of " + checkpoint.origin()
                    + " at tree size " + checkpoint.treeSize() + ", root "
                    + checkpoint.rootHash().base64();
        }
    }

    private final NoteVerifier logKey;

    /**
     * A verifier trusting only {@code verifierKey} ({@code <name>+<hex key id>+<base64 key>}).
     *
     * @throws FormatException if the key text is malformed
     */
    public ReceiptVerifier(String verifierKey) {
        this.logKey = NoteVerifier.ed25519(verifierKey.strip());
    }

    /**
     * Checks {@code tlogProof} for {@code entry}, the exact bytes that were hashed.
     *
     * @throws ProofVerificationException if the proof is malformed or does not verify
     */
    public VerifiedReceipt verify(byte[] tlogProof, byte[] entry) {
        TlogProof proof;
        try {
            proof = TlogProof.parse(tlogProof);
        } catch (FormatException e) {
            throw new ProofVerificationException("malformed tlog-proof: " + e.getMessage());
        }
        Checkpoint checkpoint = proof.verify(entry, logKey);
        return new VerifiedReceipt(proof.leafIndex(), Rfc9162.leafHash(entry), checkpoint);
    }

    /**
     * The entry bytes in a file written by a shell ({@code indelible get … > entry.json}): without
     * one trailing newline, which a canonical JSON entry can never end with (RFC 8785 emits no
     * whitespace).
     */
    public static byte[] entryFromFile(byte[] fileBytes) {
        int end = fileBytes.length;
        if (end > 0 && fileBytes[end - 1] == '\n') {
            end--;
            if (end > 0 && fileBytes[end - 1] == '\r') {
                end--;
            }
        }
        return end == fileBytes.length ? fileBytes : Arrays.copyOf(fileBytes, end);
    }
}
