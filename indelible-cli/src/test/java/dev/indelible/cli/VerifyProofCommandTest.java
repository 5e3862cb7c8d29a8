package dev.indelible.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.indelible.formats.checkpoint.Checkpoint;
import dev.indelible.formats.merkle.CompactRange;
import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.merkle.MerkleProofs;
import dev.indelible.formats.merkle.Rfc9162;
import dev.indelible.formats.note.NoteKeys;
import dev.indelible.formats.note.NoteSigner;
import dev.indelible.formats.proof.TlogProof;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class VerifyProofCommandTest {
    private static final String ORIGIN = "test.example/audit";

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private NoteKeys.KeyPairText keys;
    private Path proof;

    /** A log of 5 entries {"n":i}, and the receipt of leaf 3 written to a file. */
    @BeforeEach
    void writeReceipt() throws Exception {
        keys = NoteKeys.generateEd25519(ORIGIN, new SecureRandom());
        Map<String, Hash> nodes = new HashMap<>();
        CompactRange range = new CompactRange();
        for (int i = 0; i < 5; i++) {
            range.append(Rfc9162.leafHash(entry(i)), (level, index, hash) -> nodes.put(level + "/" + index, hash));
        }
        byte[] checkpoint = Checkpoint.of(ORIGIN, 5, range.rootHash()).sign(NoteSigner.ed25519(keys.signerKey()));
        MerkleProofs proofs = new MerkleProofs((level, index) -> nodes.get(level + "/" + index));
        proof = dir.resolve("3.tlog-proof");
        Files.write(
                proof, TlogProof.of(3, proofs.inclusionProof(3, 5), checkpoint).format());
        Files.writeString(dir.resolve("vkey"), keys.verifierKey() + "\n");
    }

    private static byte[] entry(int n) {
        return ("{\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8);
    }

    private int run(String... args) {
        CommandLine cli = new CommandLine(new VerifyProofCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void aGenuineReceiptVerifiesWithExitZeroAndOneLine() throws Exception {
        Path entry = Files.write(dir.resolve("entry.json"), "{\"n\":3}\n".getBytes(StandardCharsets.UTF_8));

        int status = run("--proof", proof.toString(), "--entry", entry.toString(), "--vkey", "@" + dir.resolve("vkey"));

        assertThat(status).isZero();
        assertThat(out.toString())
                .startsWith("verified: entry ")
                .contains("is leaf 3 of " + ORIGIN)
                .hasLineCount(1);
    }

    @Test
    void anAlteredEntryFailsWithTheReason() throws Exception {
        Path entry = Files.write(dir.resolve("entry.json"), entry(4));

        int status = run("--proof", proof.toString(), "--entry", entry.toString(), "--vkey", keys.verifierKey());

        assertThat(status).isEqualTo(VerifyCommand.FAILED);
        assertThat(err.toString()).startsWith("indelible verify-proof: FAILED: inclusion proof for leaf 3");
    }

    @Test
    void anotherKeyFails() throws Exception {
        Path entry = Files.write(dir.resolve("entry.json"), entry(3));
        String other = NoteKeys.generateEd25519(ORIGIN, new SecureRandom()).verifierKey();

        int status = run("--proof", proof.toString(), "--entry", entry.toString(), "--vkey", other);

        assertThat(status).isEqualTo(VerifyCommand.FAILED);
        assertThat(err.toString()).contains("FAILED");
    }

    @Test
    void missingOptionsAreAUsageError() {
        assertThat(run("--proof", proof.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required options");
    }
}
