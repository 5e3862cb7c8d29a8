package dev.indelible.formats.note;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.indelible.formats.encoding.FormatException;
import dev.indelible.formats.merkle.ProofVerificationException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Known answers from golang.org/x/mod/sumdb/note ({@code note_test.go}: TestNewVerifier, TestSign,
 * TestOpen), copied as data.
 */
class NoteTest {
    // golang/mod sumdb/note/note_test.go
    static final String PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    static final String PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    static final String ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
    static final String TEXT = "If you think cryptography is the answer to your problem,\n"
            + "then you don't know what your problem is.\n";
    static final String PETER_SIG =
            "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
    static final String ENOCH_SIG =
            "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void signerGivenGoPrivateKeyProducesGoSignedNoteByteForByte() {
        NoteSigner signer = NoteSigner.ed25519(PETER_SKEY);
        assertThat(signer.name()).isEqualTo("PeterNeumann");
        assertThat(signer.keyId()).isEqualTo(0xc74f20a3);
        assertThat(new String(Notes.sign(TEXT, List.of(signer)), StandardCharsets.UTF_8))
                .isEqualTo(TEXT + "\n" + PETER_SIG);
    }

    @Test
    void publicKeyDerivedFromGoSeedMatchesGoVerifierKey() {
        byte[] seed = KeyText.parseSignerKey(PETER_SKEY).keyMaterial();
        assertThat(NoteKeys.ed25519FromSeed("PeterNeumann", seed))
                .isEqualTo(new NoteKeys.KeyPairText(PETER_SKEY, PETER_VKEY));
    }

    @Test
    void publicKeyFromSeedMatchesRfc8032TestVector1() {
        // RFC 8032 §7.1 TEST 1
        byte[] seed = HexFormat.of().parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        assertThat(HexFormat.of().formatHex(Ed25519.publicKeyFromSeed(seed)))
                .isEqualTo("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
        assertThat(HexFormat.of().formatHex(Ed25519.sign(seed, new byte[0])))
                .isEqualTo("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
                        + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
    }

    @Test
    void verifierAcceptsGoNoteAndReportsOnlyKnownSignaturesAsVerified() {
        SignedNote note =
                Notes.open(utf8(TEXT + "\n" + PETER_SIG + ENOCH_SIG), Verifiers.of(NoteVerifier.ed25519(PETER_VKEY)));
        assertThat(note.text()).isEqualTo(TEXT);
        assertThat(note.signatures()).hasSize(2);
        assertThat(note.verified()).extracting(NoteSignature::name).containsExactly("PeterNeumann");
        assertThat(note.verified().get(0).keyId()).isEqualTo(0xc74f20a3);
    }

    @Test
    void verifierAcceptsBothGoSignaturesWhenBothKeysAreKnown() {
        SignedNote note = Notes.open(
                utf8(TEXT + "\n" + PETER_SIG + ENOCH_SIG),
                Verifiers.of(NoteVerifier.ed25519(PETER_VKEY), NoteVerifier.ed25519(ENOCH_VKEY)));
        assertThat(note.verified()).extracting(NoteSignature::name).containsExactly("PeterNeumann", "EnochRoot");
    }

    @Test
    void noteWithOnlyUnknownKeysIsRejected() {
        assertThatThrownBy(
                        () -> Notes.open(utf8(TEXT + "\n" + PETER_SIG), Verifiers.of(NoteVerifier.ed25519(ENOCH_VKEY))))
                .isInstanceOf(ProofVerificationException.class)
                .hasMessageContaining("PeterNeumann+c74f20a3");
    }

    @Test
    void changingOneByteOfTextFailsVerification() {
        String altered = TEXT.replace("answer", "anSwer");
        assertThatThrownBy(() ->
                        Notes.open(utf8(altered + "\n" + PETER_SIG), Verifiers.of(NoteVerifier.ed25519(PETER_VKEY))))
                .isInstanceOf(ProofVerificationException.class)
                .hasMessageContaining("invalid signature for key PeterNeumann+c74f20a3");
    }

    @Test
    void flippingAnyBitOfTheSignatureFailsVerification() {
        NoteVerifier peter = NoteVerifier.ed25519(PETER_VKEY);
        byte[] raw = Base64.getDecoder().decode(PETER_SIG.substring(15, PETER_SIG.length() - 1));
        for (int bit = 32; bit < raw.length * 8; bit++) {
            byte[] flipped = raw.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            String line = "— PeterNeumann " + Base64.getEncoder().encodeToString(flipped) + "\n";
            assertThatThrownBy(() -> Notes.open(utf8(TEXT + "\n" + line), Verifiers.of(peter)))
                    .as("bit %d", bit)
                    .isInstanceOf(ProofVerificationException.class);
        }
    }

    @Test
    void signatureWithWrongKeyIdOrWrongNameIsIgnoredAsUnknown() {
        NoteVerifier peter = NoteVerifier.ed25519(PETER_VKEY);
        String wrongId = PETER_SIG.replace("x08g", "xxxx");
        String wrongName = PETER_SIG.replace("PeterNeumann", "CarmenSandiego");
        for (String line : List.of(wrongId, wrongName)) {
            assertThatThrownBy(() -> Notes.open(utf8(TEXT + "\n" + line), Verifiers.of(peter)))
                    .isInstanceOf(ProofVerificationException.class)
                    .hasMessageContaining("no signature by any of 1 known keys");
        }
        // ...but an unknown signature next to a good one does not matter.
        assertThat(Notes.open(utf8(TEXT + "\n" + wrongId + PETER_SIG), Verifiers.of(peter))
                        .verified())
                .hasSize(1);
    }

    @Test
    void aFailingSignatureByAKnownKeyRejectsTheNoteEvenNextToAGoodOne() {
        String bad = PETER_SIG.substring(0, 60) + "ABCD" + PETER_SIG.substring(60);
        assertThatThrownBy(() ->
                        Notes.open(utf8(TEXT + "\n" + PETER_SIG + bad), Verifiers.of(NoteVerifier.ed25519(PETER_VKEY))))
                .isInstanceOf(ProofVerificationException.class);
    }

    @Test
    void malformedNotesFromGoTestsAreRejected() {
        List<String> bad = List.of(
                TEXT,
                TEXT + "\n",
                TEXT + "\n" + PETER_SIG.substring(0, PETER_SIG.length() - 1),
                "\u0001" + TEXT + "\n" + PETER_SIG,
                TEXT + "\n"
                        + "— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=",
                TEXT + "\n" + PETER_SIG + "Unexpected line.\n",
                TEXT + "\n" + PETER_SIG.replace("=\n", "\n"),
                TEXT + "\n" + PETER_SIG.replace("— ", "- "));
        Verifiers peter = Verifiers.of(NoteVerifier.ed25519(PETER_VKEY));
        for (String note : bad) {
            assertThatThrownBy(() -> Notes.open(utf8(note), peter)).as(note).isInstanceOf(FormatException.class);
        }
        byte[] invalidUtf8 = utf8("x" + TEXT + "\n" + PETER_SIG);
        invalidUtf8[0] = (byte) 0xff;
        assertThatThrownBy(() -> Notes.open(invalidUtf8, peter)).isInstanceOf(FormatException.class);
    }

    @Test
    void moreThanTheMaximumNumberOfSignaturesIsRejected() {
        String note = TEXT + "\n" + PETER_SIG.repeat(Notes.MAX_SIGNATURES + 1);
        assertThatThrownBy(() -> Notes.parse(utf8(note)))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("more than 100");
        assertThat(Notes.parse(utf8(TEXT + "\n" + PETER_SIG.repeat(16))).signatures())
                .hasSize(16);
    }

    @Test
    void goVerifierKeyManglingsAreRejected() {
        assertThat(NoteVerifier.ed25519(PETER_VKEY).keyId()).isEqualTo(0xc74f20a3);
        for (int i = 0; i < PETER_VKEY.length(); i++) {
            for (int j = i + 1; j <= PETER_VKEY.length(); j++) {
                if (i != 0 || j != PETER_VKEY.length()) {
                    String sub = PETER_VKEY.substring(i, j);
                    assertThatThrownBy(() -> NoteVerifier.ed25519(sub)).as(sub).isInstanceOf(FormatException.class);
                }
            }
        }
        char[] chars = PETER_VKEY.toCharArray();
        for (int i = 0; i < chars.length; i++) {
            chars[i]++;
            String mangled = new String(chars);
            assertThatThrownBy(() -> NoteVerifier.ed25519(mangled)).as(mangled).isInstanceOf(FormatException.class);
            chars[i]--;
        }
        // Go: wrong length key with adjusted key hash; unknown algorithm with adjusted key hash.
        assertThatThrownBy(() -> NoteVerifier.ed25519(
                        "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="))
                .isInstanceOf(FormatException.class);
        assertThatThrownBy(() ->
                        NoteVerifier.ed25519("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"))
                .isInstanceOf(FormatException.class);
    }

    @Test
    void goSignerKeyManglingsAreRejected() {
        char[] chars = PETER_SKEY.toCharArray();
        for (int i = 0; i < chars.length; i++) {
            chars[i]++;
            String mangled = new String(chars);
            assertThatThrownBy(() -> NoteSigner.ed25519(mangled)).as(mangled).isInstanceOf(FormatException.class);
            chars[i]--;
        }
        assertThatThrownBy(() -> NoteSigner.ed25519(PETER_SKEY.substring(0, PETER_SKEY.length() - 1)))
                .isInstanceOf(FormatException.class);
    }

    @Test
    void generatedKeyPairSignsAndVerifies() {
        NoteKeys.KeyPairText keys = NoteKeys.generateEd25519("example.com/log", new SecureRandom());
        byte[] note = Notes.sign("hello\n", List.of(NoteSigner.ed25519(keys.signerKey())));
        assertThat(Notes.open(note, Verifiers.of(NoteVerifier.ed25519(keys.verifierKey())))
                        .text())
                .isEqualTo("hello\n");
        assertThat(keys.toString()).doesNotContain(keys.signerKey());
    }

    @Test
    void addingASignatureKeepsExistingLinesAndReplacesTheSameKey() {
        NoteSigner peter = NoteSigner.ed25519(PETER_SKEY);
        SignedNote withEnoch = Notes.parse(utf8(TEXT + "\n" + ENOCH_SIG + PETER_SIG.replace("LLr8pAcE", "LLr8pAcA")));
        assertThat(new String(Notes.addSignatures(withEnoch, List.of(peter)), StandardCharsets.UTF_8))
                .isEqualTo(TEXT + "\n" + ENOCH_SIG + PETER_SIG);
    }

    @Test
    void keyNamesFollowTheSpecRules() {
        for (String bad : List.of("", "a+b", "a b", "a\tb", "a\u00a0b", "a\u2003b", "a\u0001b")) {
            assertThatThrownBy(() -> NoteKeys.requireValidName(bad)).as(bad).isInstanceOf(FormatException.class);
        }
        NoteKeys.requireValidName("example.com/log42");
        NoteKeys.requireValidName("ünïcødé/名前");
    }

    @Test
    void signingRejectsTextWithoutFinalNewlineOrWithControlCharacters() {
        NoteSigner peter = NoteSigner.ed25519(PETER_SKEY);
        for (String bad : List.of("", "abc", "a\rb\n", "a\u0000\n", "\ud800\n")) {
            assertThatThrownBy(() -> Notes.sign(bad, List.of(peter))).as(bad).isInstanceOf(FormatException.class);
        }
    }

    @Test
    void duplicateKnownKeysAreRejectedAsAmbiguous() {
        NoteVerifier enoch = NoteVerifier.ed25519(ENOCH_VKEY);
        assertThatThrownBy(() -> Verifiers.of(enoch, enoch))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ambiguous key EnochRoot+af0cfe78");
    }
}
