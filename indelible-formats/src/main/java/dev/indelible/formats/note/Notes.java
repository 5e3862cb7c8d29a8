package dev.indelible.formats.note;

import dev.indelible.formats.encoding.FormatException;
import dev.indelible.formats.encoding.StrictBase64;
import dev.indelible.formats.merkle.ProofVerificationException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Signs, parses and opens signed notes (c2sp.org/signed-note).
 *
 * <p>Wire form: the text (valid UTF-8, no control characters but newline, ending in a newline), a
 * blank line, then one or more lines {@code — <key name> <base64(key ID || signature)>} each ending
 * in a newline. The text is separated from the signatures by the <em>last</em> blank line.
 *
 * <p>Stricter than the spec's minimum, so that no two parsers disagree on an accepted note: a note
 * is at most {@link #MAX_NOTE_BYTES} bytes with at most {@link #MAX_SIGNATURES} signature lines (the
 * spec requires accepting at least 16), base64 must be canonical, and <em>every</em> signature by a
 * known key must verify (the spec says a failing known-key signature SHOULD reject the note).
 * Signatures by unknown keys — same name or same ID but not both — are ignored, as the spec
 * requires.
 */
public final class Notes {
    /** Largest note accepted, in bytes: room for 16 post-quantum signatures of about 5 kB. */
    public static final int MAX_NOTE_BYTES = 256 * 1024;
    /** Most signature lines accepted in one note (the spec requires at least 16; Go allows 100). */
    public static final int MAX_SIGNATURES = 100;

    static final String SIGNATURE_PREFIX = "\u2014 ";

    private Notes() {}

    /**
     * Signs {@code text} with each signer and returns the signed note bytes.
     *
     * @throws FormatException if the text is not a valid note text
     */
    public static byte[] sign(String text, List<? extends NoteSigner> signers) {
        return addSignatures(new SignedNote(text, List.of(), List.of()), signers);
    }

    /**
     * Adds signatures by {@code signers} to {@code note}, after its existing signature lines. An
     * existing line with the same name and key ID as a new signer is replaced, as in
     * golang.org/x/mod/sumdb/note. This is how a cosigner countersigns a checkpoint.
     *
     * @throws FormatException if the text is not a valid note text or the result is too large
     */
    public static byte[] addSignatures(SignedNote note, List<? extends NoteSigner> signers) {
        requireValidText(note.text());
        if (signers.isEmpty()) {
            throw new IllegalArgumentException("a signed note needs at least one signer");
        }
        byte[] text = note.text().getBytes(StandardCharsets.UTF_8);
        Set<String> replaced = new LinkedHashSet<>();
        List<NoteSignature> fresh = new ArrayList<>();
        for (NoteSigner signer : signers) {
            replaced.add(signer.name() + "+" + signer.keyId());
            fresh.add(NoteSignature.of(signer.name(), signer.keyId(), signer.sign(text)));
        }
        List<NoteSignature> all = new ArrayList<>();
        for (NoteSignature old : note.signatures()) {
            if (!replaced.contains(old.name() + "+" + old.keyId())) {
                all.add(old);
            }
        }
        all.addAll(fresh);
        byte[] encoded = new SignedNote(note.text(), all, List.of()).encode();
        parse(encoded); // enforces the size and count bounds on what we emit
        return encoded;
    }

    /**
     * Parses a signed note without verifying any signature. The text of an unverified note MUST NOT
     * be trusted; use {@link #open} for that.
     *
     * @throws FormatException if the note is malformed
     */
    public static SignedNote parse(byte[] note) {
        if (note.length > MAX_NOTE_BYTES) {
            throw new FormatException("note of " + note.length + " bytes exceeds " + MAX_NOTE_BYTES);
        }
        String all = decodeUtf8(note);
        requireNoControlCharacters(all);
        int split = all.lastIndexOf("\n\n");
        if (split < 0) {
            throw new FormatException("note has no blank line before its signatures");
        }
        String text = all.substring(0, split + 1);
        String block = all.substring(split + 2);
        if (block.isEmpty() || !block.endsWith("\n")) {
            throw new FormatException("note signature block is empty or does not end in a newline");
        }
        List<NoteSignature> signatures = new ArrayList<>();
        for (String line : block.substring(0, block.length() - 1).split("\n", -1)) {
            if (signatures.size() == MAX_SIGNATURES) {
                throw new FormatException("note has more than " + MAX_SIGNATURES + " signatures");
            }
            signatures.add(parseSignatureLine(line));
        }
        return new SignedNote(text, signatures, List.of());
    }

    /**
     * Parses {@code note} and verifies it against {@code known}: every signature by a known key
     * (name and key ID both match) must verify, and at least one must exist. Others are ignored.
     *
     * @throws FormatException if the note is malformed
     * @throws ProofVerificationException if a known key's signature fails, or none is present
     */
    public static SignedNote open(byte[] note, Verifiers known) {
        SignedNote parsed = parse(note);
        byte[] text = parsed.text().getBytes(StandardCharsets.UTF_8);
        List<NoteSignature> verified = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (NoteSignature signature : parsed.signatures()) {
            NoteVerifier verifier =
                    known.find(signature.name(), signature.keyId()).orElse(null);
            if (verifier == null) {
                continue;
            }
            try {
                verifier.verify(text, signature.signature());
            } catch (ProofVerificationException e) {
                throw new ProofVerificationException("invalid signature for key " + signature.name() + "+"
                        + KeyText.hex(signature.keyId()) + ": " + e.getMessage());
            }
            if (seen.add(signature.name() + "+" + signature.keyId())) {
                verified.add(signature);
            }
        }
        if (verified.isEmpty()) {
            List<String> keys = parsed.signatures().stream()
                    .map(s -> s.name() + "+" + KeyText.hex(s.keyId()))
                    .toList();
            throw new ProofVerificationException(
                    "note has no signature by any of " + known.size() + " known keys; it is signed by " + keys);
        }
        return new SignedNote(parsed.text(), parsed.signatures(), verified);
    }

    /**
     * Checks a note text: non-empty, ends in a newline, no control characters but newline, no
     * unpaired surrogates (so that it encodes to valid UTF-8).
     *
     * @throws FormatException naming the problem
     */
    public static void requireValidText(String text) {
        if (text.isEmpty() || !text.endsWith("\n")) {
            throw new FormatException("note text must end in a newline");
        }
        requireNoControlCharacters(text);
        try {
            StandardCharsets.UTF_8
                    .newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(text));
        } catch (CharacterCodingException e) {
            throw new FormatException("note text has an unpaired surrogate: " + e.getMessage());
        }
    }

    private static NoteSignature parseSignatureLine(String line) {
        if (!line.startsWith(SIGNATURE_PREFIX)) {
            throw new FormatException("signature line does not start with an em dash and space: " + abbreviate(line));
        }
        String rest = line.substring(SIGNATURE_PREFIX.length());
        int space = rest.indexOf(' ');
        if (space < 0) {
            throw new FormatException("signature line has no space between name and signature: " + abbreviate(line));
        }
        String name = rest.substring(0, space);
        String base64 = rest.substring(space + 1);
        byte[] raw = StrictBase64.decode(base64, "signature of " + name);
        if (raw.length < 5) {
            throw new FormatException("signature of " + name + " has " + raw.length + " bytes, want at least 5");
        }
        return new NoteSignature(name, ByteBuffer.wrap(raw).getInt(), base64);
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
            throw new FormatException("note is not valid UTF-8: " + e.getMessage());
        }
    }

    private static void requireNoControlCharacters(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 && c != '\n') {
                throw new FormatException(String.format("note has control character U+%04X at %d", (int) c, i));
            }
        }
    }

    private static String abbreviate(String line) {
        return "\"" + (line.length() > 60 ? line.substring(0, 60) + "…" : line) + "\"";
    }
}
