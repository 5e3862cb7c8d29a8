package dev.indelible.formats.proof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.indelible.formats.Vectors;
import dev.indelible.formats.checkpoint.Checkpoint;
import dev.indelible.formats.encoding.FormatException;
import dev.indelible.formats.merkle.CompactRange;
import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.merkle.MerkleProofs;
import dev.indelible.formats.merkle.ProofVerificationException;
import dev.indelible.formats.merkle.Rfc9162;
import dev.indelible.formats.note.NoteKeys;
import dev.indelible.formats.note.NoteSigner;
import dev.indelible.formats.note.NoteVerifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Known answer: {@code vectors/tlog-proof-v1.txt}, computed by make_vectors.py (Python). */
class TlogProofTest {
    static final String KEYS = Vectors.text("cosignature-v1.txt");
    static final NoteVerifier LOG = NoteVerifier.ed25519(Vectors.field(KEYS, "log-vkey"));
    static final NoteSigner LOG_SIGNER = NoteSigner.ed25519(Vectors.field(KEYS, "log-skey"));
    static final String PROOF = Vectors.text("tlog-proof-v1.txt");
    static final byte[] ENTRY = Vectors.bytes("tlog-proof-v1.entry");

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void pythonProofParsesVerifiesAndFormatsByteForByte() {
        TlogProof proof = TlogProof.parse(utf8(PROOF));
        assertThat(proof.leafIndex()).isEqualTo(9);
        assertThat(proof.inclusionProof()).hasSize(4);
        assertThat(new String(proof.extraData(), StandardCharsets.UTF_8)).isEqualTo("receipt context");
        Checkpoint checkpoint = proof.verify(ENTRY, LOG);
        assertThat(checkpoint.treeSize()).isEqualTo(13);
        assertThat(new String(proof.format(), StandardCharsets.UTF_8)).isEqualTo(PROOF);
    }

    @Test
    void ourProofForTheSameTreeIsByteIdenticalToPython() {
        MemoryTree tree = new MemoryTree();
        for (int i = 0; i < 13; i++) {
            tree.append(utf8("entry " + i));
        }
        byte[] checkpoint =
                Checkpoint.of("example.com/indelible-test", 13, tree.root()).sign(LOG_SIGNER);
        TlogProof ours = new TlogProof(
                9,
                new MerkleProofs(tree).inclusionProof(9, 13),
                new String(checkpoint, StandardCharsets.UTF_8),
                utf8("receipt context"));
        assertThat(new String(ours.format(), StandardCharsets.UTF_8)).isEqualTo(PROOF);
    }

    @Test
    void anyOtherEntryIndexOrProofHashFailsVerification() {
        TlogProof proof = TlogProof.parse(utf8(PROOF));
        assertThatThrownBy(() -> proof.verify(utf8("entry 8"), LOG))
                .isInstanceOf(ProofVerificationException.class)
                .hasMessageContaining("inclusion proof for leaf 9 in tree size 13");
        for (long index : new long[] {8, 10, 12, 13, 100}) {
            TlogProof moved = new TlogProof(index, proof.inclusionProof(), proof.signedCheckpoint(), proof.extraData());
            assertThatThrownBy(() -> moved.verify(ENTRY, LOG))
                    .as("index %d", index)
                    .isInstanceOf(ProofVerificationException.class);
        }
        for (int k = 0; k < proof.inclusionProof().size(); k++) {
            List<Hash> hashes = new ArrayList<>(proof.inclusionProof());
            byte[] flipped = hashes.get(k).bytes();
            flipped[31] ^= 0x40;
            hashes.set(k, Hash.of(flipped));
            TlogProof bad = new TlogProof(9, hashes, proof.signedCheckpoint(), proof.extraData());
            assertThatThrownBy(() -> bad.verify(ENTRY, LOG)).isInstanceOf(ProofVerificationException.class);
        }
        TlogProof shorter =
                new TlogProof(9, proof.inclusionProof().subList(0, 3), proof.signedCheckpoint(), new byte[0]);
        assertThatThrownBy(() -> shorter.verify(ENTRY, LOG)).hasMessageContaining("too short");
    }

    @Test
    void aCheckpointNotSignedByTheLogKeyFailsVerification() {
        TlogProof proof = TlogProof.parse(utf8(PROOF));
        NoteVerifier stranger = NoteVerifier.ed25519(
                NoteKeys.generateEd25519("example.com/indelible-test", new java.security.SecureRandom())
                        .verifierKey());
        assertThatThrownBy(() -> proof.verify(ENTRY, stranger)).isInstanceOf(ProofVerificationException.class);
        String forged = PROOF.replace("\n13\n", "\n14\n");
        assertThatThrownBy(() -> TlogProof.parse(utf8(forged)).verify(ENTRY, LOG))
                .isInstanceOf(ProofVerificationException.class)
                .hasMessageContaining("invalid signature");
    }

    @Test
    void extraDataIsNotAuthenticatedSoDroppingItStillVerifies() {
        String withoutExtra = PROOF.replaceFirst("extra [^\n]*\n", "");
        TlogProof proof = TlogProof.parse(utf8(withoutExtra));
        assertThat(proof.extraData()).isEmpty();
        proof.verify(ENTRY, LOG);
        assertThat(new String(proof.format(), StandardCharsets.UTF_8)).isEqualTo(withoutExtra);
    }

    @Test
    void malformedProofsAreRejected() {
        String hash0 = "lJEOQnicGWJFCQhFH/mxwFCn1s3n1NLU6X8vdQlpS58=";
        List<String> bad = List.of(
                "",
                PROOF.replace("c2sp.org/tlog-proof@v1", "c2sp.org/tlog-proof@v2"),
                PROOF.replace("\nextra cmVjZWlwdCBjb250ZXh0\n", "\nextra !!notbase64!!\n"),
                PROOF.replace("\nextra cmVjZWlwdCBjb250ZXh0\n", "\nextra \n"),
                PROOF.replace("\nextra cmVjZWlwdCBjb250ZXh0\n", "\nextra cmVjZWlwdCBjb250ZXh0\nextra cmVj\n"),
                PROOF.replace("\nindex 9\n", "\nindex 09\n"),
                PROOF.replace("\nindex 9\n", "\nindex  9\n"),
                PROOF.replace("\nindex 9\n", "\nindex -9\n"),
                PROOF.replace("\nindex 9\n", "\nindex 18446744073709551615\n"),
                PROOF.replace("\nindex 9\n", "\n"),
                PROOF.replace("\nindex 9\n", "\nIndex 9\n"),
                PROOF.replace(hash0, hash0.replace("=", "")),
                PROOF.replace(hash0, "AAAA"),
                PROOF.replace(hash0, hash0 + "AAAA"),
                PROOF.replace(hash0 + "\n", hash0 + "\r\n"),
                PROOF.replace("\n\nexample.com", "\nexample.com"),
                PROOF.substring(0, PROOF.indexOf("\n\nexample.com") + 2),
                PROOF.replace("\n13\n", "\n013\n"),
                PROOF.substring(0, PROOF.lastIndexOf("—")),
                PROOF.replace("index 9\n", "index 9\n" + (hash0 + "\n").repeat(65)));
        for (String text : bad) {
            assertThatThrownBy(() -> TlogProof.parse(utf8(text))).as(text).isInstanceOf(FormatException.class);
        }
    }

    @Property(tries = 100)
    void everyProofWeIssueVerifiesAfterAFormatAndParseRoundTrip(
            @ForAll @IntRange(min = 1, max = 600) int size, @ForAll @IntRange(min = 0, max = 599) int rawIndex) {
        int index = rawIndex % size;
        MemoryTree tree = new MemoryTree();
        for (int i = 0; i < size; i++) {
            tree.append(utf8("entry " + i));
        }
        byte[] checkpoint =
                Checkpoint.of("example.com/indelible-test", size, tree.root()).sign(LOG_SIGNER);
        TlogProof issued = TlogProof.of(index, new MerkleProofs(tree).inclusionProof(index, size), checkpoint);
        TlogProof received = TlogProof.parse(issued.format());
        assertThat(received).isEqualTo(issued);
        assertThat(received.verify(utf8("entry " + index), LOG).treeSize()).isEqualTo(size);
    }

    /** A minimal in-memory tree for issuing proofs. */
    static final class MemoryTree implements dev.indelible.formats.merkle.NodeSource {
        final Map<Long, Hash> nodes = new HashMap<>();
        final CompactRange range = new CompactRange();

        void append(byte[] entry) {
            range.append(
                    Rfc9162.leafHash(entry), (level, index, hash) -> nodes.put(((long) level << 56) | index, hash));
        }

        Hash root() {
            return range.rootHash();
        }

        @Override
        public Hash node(int level, long index) {
            return nodes.get(((long) level << 56) | index);
        }
    }
}
