package dev.indelible.formats.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.indelible.formats.Vectors;
import dev.indelible.formats.encoding.FormatException;
import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.merkle.ProofVerificationException;
import dev.indelible.formats.note.NoteSigner;
import dev.indelible.formats.note.NoteVerifier;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class CheckpointTest {
    // c2sp.org/tlog-checkpoint example.
    static final String SPEC_TEXT =
            "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
    static final String VECTOR = Vectors.text("cosignature-v1.txt");
    static final String SIGNED = Vectors.afterSeparator(VECTOR);
    static final NoteVerifier LOG = NoteVerifier.ed25519(Vectors.field(VECTOR, "log-vkey"));

    @Test
    void specExampleParsesAndFormatsToTheSameText() {
        Checkpoint checkpoint = Checkpoint.parse(SPEC_TEXT);
        assertThat(checkpoint.origin()).isEqualTo("example.com/behind-the-sofa");
        assertThat(checkpoint.treeSize()).isEqualTo(20852163L);
        assertThat(checkpoint.rootHash()).isEqualTo(Hash.fromBase64("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="));
        assertThat(checkpoint.extensions()).isEmpty();
        assertThat(checkpoint.format()).isEqualTo(SPEC_TEXT);
    }

    @Test
    void extensionLinesRoundTrip() {
        String text = SPEC_TEXT + "ext one\n— ext two\n";
        Checkpoint checkpoint = Checkpoint.parse(text);
        assertThat(checkpoint.extensions()).containsExactly("ext one", "— ext two");
        assertThat(checkpoint.format()).isEqualTo(text);
    }

    @Test
    void emptyTreeHasSizeZero() {
        String text = "o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n";
        assertThat(Checkpoint.parse(text).treeSize()).isZero();
    }

    @Test
    void malformedCheckpointTextsAreRejected() {
        String root = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";
        List<String> bad = List.of(
                "",
                "o\n1\n",
                "o\n1\n" + root,
                "\n1\n" + root + "\n",
                "o\n01\n" + root + "\n",
                "o\n+1\n" + root + "\n",
                "o\n-1\n" + root + "\n",
                "o\n 1\n" + root + "\n",
                "o\n1 \n" + root + "\n",
                "o\n\n" + root + "\n",
                "o\n9223372036854775808\n" + root + "\n",
                "o\n１\n" + root + "\n",
                "o\n1\n" + root.replace("=", "") + "\n",
                "o\n1\n" + root.replace("2I=", "2J=") + "\n",
                "o\n1\nAAAA\n",
                "o\n1\n" + root + "\n\n",
                "o\n1\n" + root + "\next\n\n",
                "o\r\n1\n" + root + "\n",
                "o\n1\r\n" + root + "\n",
                "o\n1\n" + root + "\r\n",
                "o\n1\n" + root + "\n" + "e\n".repeat(Checkpoint.MAX_EXTENSIONS + 1));
        for (String text : bad) {
            assertThatThrownBy(() -> Checkpoint.parse(text)).as("%s", text).isInstanceOf(FormatException.class);
        }
    }

    @Test
    void largestTreeSizeParses() {
        String text = "o\n9223372036854775807\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
        assertThat(Checkpoint.parse(text).treeSize()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void pythonSignedCheckpointVerifiesWithTheLogKey() {
        Checkpoint checkpoint = Checkpoint.verifySigned(SIGNED.getBytes(StandardCharsets.UTF_8), LOG);
        assertThat(checkpoint.origin()).isEqualTo("example.com/indelible-test");
        assertThat(checkpoint.treeSize()).isEqualTo(13);
        assertThat(checkpoint.rootHash().base64()).isEqualTo("wMEonwBgX419h4C59CZMc2zPuEzpFwjCsn5kJr/H2Kg=");
    }

    @Test
    void ourSignatureOverThePythonCheckpointIsByteIdentical() {
        NoteSigner signer = NoteSigner.ed25519(Vectors.field(VECTOR, "log-skey"));
        Checkpoint checkpoint = Checkpoint.verifySigned(SIGNED.getBytes(StandardCharsets.UTF_8), LOG);
        String ours = new String(checkpoint.sign(signer), StandardCharsets.UTF_8);
        assertThat(SIGNED).startsWith(ours);
    }

    @Test
    void alteredSignedCheckpointIsRejected() {
        String altered = SIGNED.replace("\n13\n", "\n14\n");
        assertThatThrownBy(() -> Checkpoint.verifySigned(altered.getBytes(StandardCharsets.UTF_8), LOG))
                .isInstanceOf(ProofVerificationException.class)
                .hasMessageContaining("invalid signature for key example.com/indelible-test+7c10f81d");
    }

    @Test
    void checkpointWhoseOriginIsNotTheKeyNameIsRejected() {
        NoteSigner signer = NoteSigner.ed25519(Vectors.field(VECTOR, "log-skey"));
        byte[] signed = Checkpoint.of(
                        "example.com/other-log", 1, Hash.fromBase64("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="))
                .sign(signer);
        assertThatThrownBy(() -> Checkpoint.verifySigned(signed, LOG))
                .isInstanceOf(ProofVerificationException.class)
                .hasMessageContaining("origin \"example.com/other-log\"");
    }

    @Test
    void constructorRejectsInvalidLines() {
        Hash root = Hash.fromBase64("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=");
        assertThatThrownBy(() -> Checkpoint.of("", 1, root)).isInstanceOf(FormatException.class);
        assertThatThrownBy(() -> Checkpoint.of("a\nb", 1, root)).isInstanceOf(FormatException.class);
        assertThatThrownBy(() -> Checkpoint.of("o", -1, root)).isInstanceOf(FormatException.class);
        assertThatThrownBy(() -> new Checkpoint("o", 1, root, List.of(""))).isInstanceOf(FormatException.class);
    }
}
