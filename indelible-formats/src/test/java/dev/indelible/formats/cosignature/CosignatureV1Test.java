package dev.indelible.formats.cosignature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.indelible.formats.Vectors;
import dev.indelible.formats.encoding.FormatException;
import dev.indelible.formats.merkle.ProofVerificationException;
import dev.indelible.formats.note.NoteSignature;
import dev.indelible.formats.note.NoteSigner;
import dev.indelible.formats.note.NoteVerifier;
import dev.indelible.formats.note.Notes;
import dev.indelible.formats.note.SignedNote;
import dev.indelible.formats.note.Verifiers;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Known answers: the Python-computed vector in {@code vectors/cosignature-v1.txt} (see
 * make_vectors.py), and key IDs and timestamps from transparency-dev/formats
 * {@code note/note_cosigv1_test.go}.
 */
class CosignatureV1Test {
    static final String VECTOR = Vectors.text("cosignature-v1.txt");
    static final String SIGNED = Vectors.afterSeparator(VECTOR);
    static final long TIMESTAMP = Long.parseLong(Vectors.field(VECTOR, "timestamp"));
    static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(TIMESTAMP, 999_000_000), ZoneOffset.UTC);

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void pythonCosignatureVerifies() {
        NoteVerifier witness = CosignatureV1.verifier(Vectors.field(VECTOR, "witness-vkey"));
        SignedNote note = Notes.open(utf8(SIGNED), Verifiers.of(witness));
        assertThat(note.verified()).extracting(NoteSignature::name).containsExactly("witness.example/w1");
        assertThat(CosignatureV1.timestamp(note.verified().get(0))).isEqualTo(TIMESTAMP);
    }

    @Test
    void ourCosignatureIsByteIdenticalToPython() {
        NoteSigner witness = CosignatureV1.signer(Vectors.field(VECTOR, "witness-skey"), CLOCK);
        String logSigned = SIGNED.substring(0, SIGNED.indexOf("— witness"));
        String ours =
                new String(Notes.addSignatures(Notes.parse(utf8(logSigned)), List.of(witness)), StandardCharsets.UTF_8);
        assertThat(ours).isEqualTo(SIGNED);
    }

    @Test
    void cosignerKeyIdUsesType4() {
        NoteSigner witness = CosignatureV1.signer(Vectors.field(VECTOR, "witness-skey"), CLOCK);
        NoteVerifier verifier = CosignatureV1.verifier(Vectors.field(VECTOR, "witness-vkey"));
        assertThat(witness.keyId()).isEqualTo(0x9f0c431c).isEqualTo(verifier.keyId());
    }

    @Test
    void publishedCosignerVerifierKeysParse() {
        // transparency-dev/formats note/note_cosigv1_test.go TestCoSigV1NewVerifier
        assertThat(CosignatureV1.verifier("remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2")
                        .keyId())
                .isEqualTo(0xda77ade7);
        NoteVerifier converted = CosignatureV1.verifier("TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6");
        assertThat(converted.name()).isEqualTo("TEST");
        assertThat(converted.keyId()).isNotEqualTo(0x7997405c);
        for (String bad : List.of(
                "bananas.sigstore.dev+12344556",
                "rekor.sigstore.dev+12345678+AwEB",
                "remora.n621.de+00000000+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2")) {
            assertThatThrownBy(() -> CosignatureV1.verifier(bad)).as(bad).isInstanceOf(FormatException.class);
        }
    }

    @Test
    void publishedCosignatureTimestampIsRead() {
        // transparency-dev/formats note/note_cosigv1_test.go TestCoSigV1Timestamp
        NoteSignature sig = new NoteSignature(
                "w",
                0x646846b9,
                "ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEHWWOworDcFiEBYJXORmnFBOBA==");
        assertThat(CosignatureV1.timestamp(sig)).isEqualTo(1727964367L);
        NoteSignature plain = new NoteSignature(
                "w",
                0x7908d142,
                "eQjRQm6eSKzFoiYalgwCPXu2y3ijtg68is9M46JKxuZB+dRfTmeQeDBoXnvxZx2ugnkyV+MUMLXpWs1hPb/W/4xkNQY=");
        assertThatThrownBy(() -> CosignatureV1.timestamp(plain)).isInstanceOf(FormatException.class);
    }

    @Test
    void signedMessageIsHeaderTimeLineAndNoteText() {
        assertThat(new String(
                        CosignatureV1.signedMessage("example.com/behind-the-sofa\n20852163\nCsUY=\n", 1679315147),
                        StandardCharsets.UTF_8))
                .isEqualTo("cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUY=\n");
    }

    @Test
    void cosignatureOverAlteredTextOrWithAlteredTimestampIsRejected() {
        NoteVerifier witness = CosignatureV1.verifier(Vectors.field(VECTOR, "witness-vkey"));
        String alteredText = SIGNED.replace("\n13\n", "\n12\n");
        assertThatThrownBy(() -> Notes.open(utf8(alteredText), Verifiers.of(witness)))
                .isInstanceOf(ProofVerificationException.class);
        // Timestamp bytes 4..11 of the decoded line: flip the lowest timestamp bit.
        String line = SIGNED.substring(SIGNED.indexOf("— witness"));
        String b64 = line.substring(line.lastIndexOf(' ') + 1, line.length() - 1);
        byte[] raw = java.util.Base64.getDecoder().decode(b64);
        raw[11] ^= 1;
        String alteredTime = SIGNED.replace(b64, java.util.Base64.getEncoder().encodeToString(raw));
        assertThatThrownBy(() -> Notes.open(utf8(alteredTime), Verifiers.of(witness)))
                .isInstanceOf(ProofVerificationException.class);
    }

    @Test
    void anOrdinaryNoteVerifierForTheSameKeyDoesNotAcceptACosignature() {
        NoteSigner witness = CosignatureV1.signer(Vectors.field(VECTOR, "witness-skey"), CLOCK);
        byte[] note = Notes.sign("Note\n\n", List.of(witness));
        assertThat(Notes.open(note, Verifiers.of(CosignatureV1.verifier(Vectors.field(VECTOR, "witness-vkey"))))
                        .verified())
                .hasSize(1);
        String plainVkey = dev.indelible.formats.note.NoteKeys.ed25519VerifierKey(
                "witness.example/w1",
                dev.indelible.formats.note.KeyText.parseVerifierKey(Vectors.field(VECTOR, "witness-vkey"))
                        .keyMaterial());
        assertThatThrownBy(() -> Notes.open(note, Verifiers.of(NoteVerifier.ed25519(plainVkey))))
                .isInstanceOf(ProofVerificationException.class);
    }
}
