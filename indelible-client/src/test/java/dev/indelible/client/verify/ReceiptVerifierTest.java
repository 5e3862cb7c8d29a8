package dev.indelible.client.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.indelible.client.FakeLogServer;
import dev.indelible.client.IndelibleClient;
import dev.indelible.client.Receipt;
import dev.indelible.formats.merkle.ProofVerificationException;
import dev.indelible.formats.note.NoteKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReceiptVerifierTest {
    private FakeLogServer server;
    private IndelibleClient client;

    @TempDir
    Path dir;

    @BeforeEach
    void start() throws Exception {
        server = new FakeLogServer();
        client = IndelibleClient.builder().baseUrl(server.url()).build();
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aReceiptFromAnAppendVerifiesOfflineAgainstTheEntryBytes() {
        server.seed(6);
        List<Receipt> receipts = client.appendWithReceipts(FakeLogServer.LOG, List.of(utf8("{\"who\":\"alice\"}")));

        ReceiptVerifier.VerifiedReceipt verified = new ReceiptVerifier(server.verifierKey())
                .verify(utf8(receipts.getFirst().tlogProof()), utf8("{\"who\":\"alice\"}"));

        assertThat(verified.leafIndex()).isEqualTo(6);
        assertThat(verified.checkpoint().treeSize()).isEqualTo(7);
        assertThat(verified.summary()).startsWith("verified: entry ").contains("is leaf 6 of fake.example/audit");
    }

    @Test
    void aProofFromTheProofEndpointVerifiesForTheServedEntry() {
        server.seed(40);

        ReceiptVerifier.VerifiedReceipt verified = new ReceiptVerifier(server.verifierKey())
                .verify(client.tlogProof(FakeLogServer.LOG, 17), client.entry(FakeLogServer.LOG, 17));

        assertThat(verified.leafIndex()).isEqualTo(17);
    }

    @Test
    void anotherEntryDoesNotVerifyWithTheReceipt() {
        server.seed(40);
        byte[] proof = client.tlogProof(FakeLogServer.LOG, 17);

        assertThatThrownBy(() -> new ReceiptVerifier(server.verifierKey()).verify(proof, utf8("{\"n\":18}")))
                .isInstanceOf(ProofVerificationException.class)
                .hasMessageContaining("inclusion proof for leaf 17");
    }

    @Test
    void aReceiptDoesNotVerifyUnderAnotherKey() {
        server.seed(3);
        byte[] proof = client.tlogProof(FakeLogServer.LOG, 1);
        String otherKey = NoteKeys.generateEd25519(FakeLogServer.ORIGIN, new SecureRandom())
                .verifierKey();

        assertThatThrownBy(() -> new ReceiptVerifier(otherKey).verify(proof, server.entry(1)))
                .isInstanceOf(ProofVerificationException.class);
    }

    @Test
    void aMalformedProofIsAVerificationFailure() {
        assertThatThrownBy(() -> new ReceiptVerifier(server.verifierKey()).verify(utf8("hello\n"), utf8("{}")))
                .isInstanceOf(ProofVerificationException.class)
                .hasMessageStartingWith("malformed tlog-proof");
    }

    @Test
    void entryFilesLoseExactlyOneTrailingNewline() {
        assertThat(ReceiptVerifier.entryFromFile(utf8("{}\n"))).isEqualTo(utf8("{}"));
        assertThat(ReceiptVerifier.entryFromFile(utf8("{}\r\n"))).isEqualTo(utf8("{}"));
        assertThat(ReceiptVerifier.entryFromFile(utf8("{}"))).isEqualTo(utf8("{}"));
    }

    @Test
    void verifierKeysAreReadInlineOrFromAnAtFile() throws Exception {
        Path file = dir.resolve("log.vkey");
        Files.writeString(file, server.verifierKey() + "\n");

        assertThat(VerifierKeyText.resolve("@" + file)).isEqualTo(server.verifierKey());
        assertThat(VerifierKeyText.resolve(" " + server.verifierKey() + " ")).isEqualTo(server.verifierKey());
    }
}
