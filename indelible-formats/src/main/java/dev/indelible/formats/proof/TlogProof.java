package dev.indelible.formats.proof;

import dev.indelible.formats.checkpoint.Checkpoint;
import dev.indelible.formats.encoding.FormatException;
import dev.indelible.formats.encoding.StrictBase64;
import dev.indelible.formats.encoding.StrictDecimal;
import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.merkle.MerkleVerifier;
import dev.indelible.formats.merkle.ProofVerificationException;
import dev.indelible.formats.merkle.Rfc9162;
import dev.indelible.formats.note.NoteVerifier;
import dev.indelible.formats.note.Notes;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A transparency log proof in the {@code .tlog-proof} text format (c2sp.org/tlog-proof §Format):
 *
 * <pre>
 *   c2sp.org/tlog-proof@v1
 *   [extra &lt;base64 opaque data&gt;]      omitted when there is no extra data
 *   index &lt;leaf index&gt;                  ASCII decimal, no leading zeroes
 *   &lt;base64 hash&gt;…                      RFC 6962 inclusion proof, leaf's sibling first
 *   (empty line)
 *   &lt;signed checkpoint note, verbatim&gt;
 * </pre>
 *
 * <p>Parsing is strict: {@code parse(p.format())} equals {@code p}, and {@code
 * parse(b).format()} reproduces {@code b} byte for byte. The checkpoint must be a well-formed
 * signed note and checkpoint, so {@link #verify} fails only by {@link
 * ProofVerificationException}. The extra data is not authenticated and MUST NOT be trusted.
 *
 * @param leafIndex the entry's 0-based position in the log
 * @param inclusionProof RFC 9162 §2.1.3 PATH(leafIndex, D[0:treeSize]) for the checkpoint's size
 * @param signedCheckpoint the signed checkpoint note, including its signature lines
 * @param extraData opaque application data; empty when absent (a copy)
 */
public record TlogProof(long leafIndex, List<Hash> inclusionProof, String signedCheckpoint, byte[] extraData) {
    /** The first line of every proof. */
    public static final String HEADER = "c2sp.org/tlog-proof@v1";
    /** Most inclusion proof hashes accepted: a tree of 2^63 leaves needs 63. */
    public static final int MAX_PROOF_HASHES = 64;
    /** Largest extra data accepted, in bytes. */
    public static final int MAX_EXTRA_BYTES = 16 * 1024;
    /** Largest proof accepted, in bytes. */
    public static final int MAX_PROOF_BYTES = Notes.MAX_NOTE_BYTES + 32 * 1024;

    /**
     * Validates the fields and copies the list and the extra data.
     *
     * @throws FormatException if the index is negative, the proof too long, the extra data too
     *     large, or the checkpoint not a well-formed signed checkpoint note
     */
    public TlogProof {
        if (leafIndex < 0) {
            throw new FormatException("leaf index " + leafIndex + " is negative");
        }
        if (inclusionProof.size() > MAX_PROOF_HASHES) {
            throw new FormatException(
                    "inclusion proof of " + inclusionProof.size() + " hashes exceeds " + MAX_PROOF_HASHES);
        }
        inclusionProof = List.copyOf(inclusionProof);
        if (extraData.length > MAX_EXTRA_BYTES) {
            throw new FormatException("extra data of " + extraData.length + " bytes exceeds " + MAX_EXTRA_BYTES);
        }
        extraData = extraData.clone();
        Checkpoint.parse(
                Notes.parse(signedCheckpoint.getBytes(StandardCharsets.UTF_8)).text());
    }

    /** A proof without extra data. */
    public static TlogProof of(long leafIndex, List<Hash> inclusionProof, byte[] signedCheckpoint) {
        return new TlogProof(
                leafIndex, inclusionProof, new String(signedCheckpoint, StandardCharsets.UTF_8), new byte[0]);
    }

    @Override
    public byte[] extraData() {
        return extraData.clone();
    }

    /** The proof in its {@code .tlog-proof} form. */
    public byte[] format() {
        StringBuilder out = new StringBuilder(HEADER).append('\n');
        if (extraData.length > 0) {
            out.append("extra ").append(StrictBase64.encode(extraData)).append('\n');
        }
        out.append("index ").append(leafIndex).append('\n');
        for (Hash hash : inclusionProof) {
            out.append(hash.base64()).append('\n');
        }
        out.append('\n').append(signedCheckpoint);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Parses a {@code .tlog-proof}.
     *
     * @throws FormatException if the bytes are not exactly a well-formed proof
     */
    public static TlogProof parse(byte[] proof) {
        if (proof.length > MAX_PROOF_BYTES) {
            throw new FormatException("proof of " + proof.length + " bytes exceeds " + MAX_PROOF_BYTES);
        }
        String text = decodeUtf8(proof);
        Lines lines = new Lines(text);
        if (!lines.next().equals(HEADER)) {
            throw new FormatException("proof does not start with the line " + HEADER);
        }
        String line = lines.next();
        byte[] extra = new byte[0];
        if (line.startsWith("extra ")) {
            extra = StrictBase64.decode(line.substring("extra ".length()), "proof extra data");
            if (extra.length == 0) {
                throw new FormatException("proof has an empty extra line; omit it when there is no extra data");
            }
            line = lines.next();
        }
        if (!line.startsWith("index ")) {
            throw new FormatException("proof has no index line where expected: \"" + abbreviate(line) + "\"");
        }
        long leafIndex = StrictDecimal.parse(line.substring("index ".length()), "proof leaf index");
        List<Hash> hashes = new ArrayList<>();
        for (line = lines.next(); !line.isEmpty(); line = lines.next()) {
            if (hashes.size() == MAX_PROOF_HASHES) {
                throw new FormatException("inclusion proof has more than " + MAX_PROOF_HASHES + " hashes");
            }
            byte[] hash = StrictBase64.decode(line, "inclusion proof hash " + hashes.size());
            if (hash.length != Hash.SIZE) {
                throw new FormatException(
                        "inclusion proof hash " + hashes.size() + " has " + hash.length + " bytes, want 32");
            }
            hashes.add(Hash.of(hash));
        }
        return new TlogProof(leafIndex, hashes, lines.rest(), extra);
    }

    /**
     * Verifies this proof for {@code entry}: the checkpoint carries a valid signature by {@code
     * logKey} (whose name must be the checkpoint origin), and SHA-256(0x00 || entry) is the leaf at
     * {@link #leafIndex()} of the checkpointed tree.
     *
     * @return the verified checkpoint
     * @throws ProofVerificationException on any failure, naming the values that failed
     */
    public Checkpoint verify(byte[] entry, NoteVerifier logKey) {
        return verifyLeafHash(Rfc9162.leafHash(entry), logKey);
    }

    /**
     * As {@link #verify}, for an entry known only by its leaf hash (for example after its payload
     * was purged by retention).
     *
     * @throws ProofVerificationException on any failure
     */
    public Checkpoint verifyLeafHash(Hash leafHash, NoteVerifier logKey) {
        Checkpoint checkpoint = Checkpoint.verifySigned(signedCheckpoint.getBytes(StandardCharsets.UTF_8), logKey);
        if (leafIndex >= checkpoint.treeSize()) {
            throw new ProofVerificationException(
                    "leaf index " + leafIndex + " is outside checkpoint tree size " + checkpoint.treeSize());
        }
        MerkleVerifier.verifyInclusion(
                leafIndex, checkpoint.treeSize(), leafHash, inclusionProof, checkpoint.rootHash());
        return checkpoint;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TlogProof p
                && leafIndex == p.leafIndex
                && inclusionProof.equals(p.inclusionProof)
                && signedCheckpoint.equals(p.signedCheckpoint)
                && Arrays.equals(extraData, p.extraData);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(leafIndex) * 31 + signedCheckpoint.hashCode();
    }

    @Override
    public String toString() {
        return "TlogProof[leafIndex=" + leafIndex + ", " + inclusionProof.size() + " hashes, extra " + extraData.length
                + " bytes]";
    }

    private static String decodeUtf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new FormatException("proof is not valid UTF-8");
        }
    }

    private static String abbreviate(String line) {
        return line.length() > 60 ? line.substring(0, 60) + "…" : line;
    }

    /** Newline-terminated lines of the proof header, then the verbatim rest. */
    private static final class Lines {
        private final String text;
        private int position;

        Lines(String text) {
            this.text = text;
        }

        String next() {
            int end = text.indexOf('\n', position);
            if (end < 0) {
                throw new FormatException("proof ends before the empty line that precedes its checkpoint");
            }
            String line = text.substring(position, end);
            position = end + 1;
            return line;
        }

        String rest() {
            return text.substring(position);
        }
    }
}
