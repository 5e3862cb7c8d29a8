package dev.indelible.formats.note;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A parsed signed note (c2sp.org/signed-note §Format).
 *
 * @param text the note text, ending in a newline; the blank separator line is not part of it
 * @param signatures every signature line, in the order written
 * @param verified the signatures by known keys that were verified, in order, one per key; empty for
 *     a note that was only {@linkplain Notes#parse parsed}
 */
public record SignedNote(String text, List<NoteSignature> signatures, List<NoteSignature> verified) {
    /** Copies the lists. */
    public SignedNote {
        signatures = List.copyOf(signatures);
        verified = List.copyOf(verified);
    }

    /** The note in its wire form: text, blank line, signature lines. */
    public byte[] encode() {
        StringBuilder out = new StringBuilder(text).append('\n');
        for (NoteSignature signature : signatures) {
            out.append(signature.line());
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }
}
