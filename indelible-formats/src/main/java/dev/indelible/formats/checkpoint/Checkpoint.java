package dev.indelible.formats.checkpoint;

import dev.indelible.formats.encoding.FormatException;
import dev.indelible.formats.encoding.StrictBase64;
import dev.indelible.formats.encoding.StrictDecimal;
import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.merkle.ProofVerificationException;
import dev.indelible.formats.note.NoteSigner;
import dev.indelible.formats.note.NoteVerifier;
import dev.indelible.formats.note.Notes;
import dev.indelible.formats.note.SignedNote;
import dev.indelible.formats.note.Verifiers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A transparency log checkpoint: the note text of c2sp.org/tlog-checkpoint §Note text.
 *
 * <pre>
 *   &lt;origin&gt;\n           non-empty, the log's identity
 *   &lt;tree size&gt;\n        ASCII decimal, no leading zeroes (unless 0)
 *   &lt;root hash&gt;\n        base64 of the RFC 6962 root at that size (32 bytes)
 *   [&lt;extension&gt;\n]…     optional, each non-empty
 * </pre>
 *
 * <p>Parsing is strict — one spelling per checkpoint, so {@code parse(c.format()).equals(c)} and
 * {@code parse(t).format().equals(t)} for every accepted {@code t}: canonical base64, no extra
 * blank lines, no carriage returns or other control characters, at most {@link #MAX_EXTENSIONS}
 * extension lines and {@link #MAX_TEXT_BYTES} bytes.
 *
 * @param origin the log's origin line, without its newline
 * @param treeSize number of leaves
 * @param rootHash the RFC 6962 Merkle tree hash of the first {@code treeSize} leaves
 * @param extensions opaque extension lines, usually none
 */
public record Checkpoint(String origin, long treeSize, Hash rootHash, List<String> extensions) {
    /** Most extension lines accepted. */
    public static final int MAX_EXTENSIONS = 64;
    /** Largest checkpoint text accepted, in UTF-8 bytes. */
    public static final int MAX_TEXT_BYTES = 64 * 1024;

    /**
     * Validates the lines and copies the extension list.
     *
     * @throws FormatException if a line is empty, contains a newline or control character, or
     *     there are too many extensions
     */
    public Checkpoint {
        requireLine(origin, "origin");
        if (treeSize < 0) {
            throw new FormatException("tree size " + treeSize + " is negative");
        }
        if (extensions.size() > MAX_EXTENSIONS) {
            throw new FormatException(extensions.size() + " extension lines, at most " + MAX_EXTENSIONS);
        }
        for (String extension : extensions) {
            requireLine(extension, "extension line");
        }
        extensions = List.copyOf(extensions);
    }

    /** A checkpoint without extension lines. */
    public static Checkpoint of(String origin, long treeSize, Hash rootHash) {
        return new Checkpoint(origin, treeSize, rootHash, List.of());
    }

    /** The note text: origin, size, root hash and extension lines, each ending in a newline. */
    public String format() {
        StringBuilder text = new StringBuilder()
                .append(origin)
                .append('\n')
                .append(treeSize)
                .append('\n')
                .append(rootHash.base64())
                .append('\n');
        for (String extension : extensions) {
            text.append(extension).append('\n');
        }
        return text.toString();
    }

    /**
     * Parses checkpoint note text (without signatures).
     *
     * @throws FormatException if the text is not exactly a well-formed checkpoint
     */
    public static Checkpoint parse(String text) {
        if (text.getBytes(StandardCharsets.UTF_8).length > MAX_TEXT_BYTES) {
            throw new FormatException("checkpoint text exceeds " + MAX_TEXT_BYTES + " bytes");
        }
        if (!text.endsWith("\n")) {
            throw new FormatException("checkpoint text does not end in a newline");
        }
        String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
        if (lines.length < 3) {
            throw new FormatException("checkpoint has " + lines.length + " lines, want at least 3");
        }
        long size = StrictDecimal.parse(lines[1], "checkpoint tree size");
        byte[] root = StrictBase64.decode(lines[2], "checkpoint root hash");
        if (root.length != Hash.SIZE) {
            throw new FormatException("checkpoint root hash has " + root.length + " bytes, want " + Hash.SIZE);
        }
        List<String> extensions = new ArrayList<>();
        for (int i = 3; i < lines.length; i++) {
            extensions.add(lines[i]);
        }
        return new Checkpoint(lines[0], size, Hash.of(root), extensions);
    }

    /** This checkpoint signed by {@code logKey}, as signed note bytes (c2sp.org/signed-note). */
    public byte[] sign(NoteSigner logKey) {
        return Notes.sign(format(), List.of(logKey));
    }

    /**
     * Opens a signed checkpoint: the note must carry a valid signature by {@code logKey}, and the
     * origin line must equal the key name (tlog-checkpoint §Signatures: the key name SHOULD match
     * the origin; indelible requires it, so a key can never vouch for another log's checkpoints).
     * Other signatures, such as witness cosignatures, are ignored.
     *
     * @throws FormatException if the note or checkpoint is malformed
     * @throws ProofVerificationException if the log's signature is missing or invalid, or the origin
     *     is not the key name
     */
    public static Checkpoint verifySigned(byte[] signedNote, NoteVerifier logKey) {
        SignedNote note = Notes.open(signedNote, Verifiers.of(logKey));
        Checkpoint checkpoint = parse(note.text());
        if (!checkpoint.origin().equals(logKey.name())) {
            throw new ProofVerificationException("checkpoint origin \"" + checkpoint.origin()
                    + "\" is not the log key name \"" + logKey.name() + "\"");
        }
        return checkpoint;
    }

    private static void requireLine(String line, String what) {
        if (line.isEmpty()) {
            throw new FormatException("checkpoint " + what + " is empty");
        }
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c < 0x20) {
                throw new FormatException(
                        String.format("checkpoint %s has control character U+%04X at %d", what, (int) c, i));
            }
        }
    }
}
