package dev.indelible.client.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.indelible.client.FakeLogServer;
import dev.indelible.client.IndelibleClient;
import dev.indelible.client.RetryPolicy;
import dev.indelible.formats.merkle.ProofVerificationException;
import dev.indelible.formats.note.NoteKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogVerifierTest {
    private FakeLogServer server;
    private IndelibleClient client;
    private LogVerifier verifier;

    @TempDir
    Path dir;

    @BeforeEach
    void start() throws Exception {
        server = new FakeLogServer();
        client = IndelibleClient.builder()
                .baseUrl(server.url())
                .retryPolicy(RetryPolicy.none())
                .build();
        verifier = new LogVerifier(client, FakeLogServer.LOG, server.verifierKey());
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    @Test
    void verifySucceedsAndSavesTheCheckpointAsState() {
        server.seed(20);
        Path state = dir.resolve("state.json");

        VerifyResult result = verifier.verify(Optional.of(state), false, LogVerifier.ProgressListener.none());

        assertThat(result.treeSize()).isEqualTo(20);
        assertThat(result.consistencyChecked()).isFalse();
        assertThat(VerifierState.read(state)).hasValueSatisfying(s -> {
            assertThat(s.treeSize()).isEqualTo(20);
            assertThat(s.rootHash()).isEqualTo(result.rootHash());
            assertThat(s.checkpoint()).isEqualTo(new String(server.latestCheckpoint(), StandardCharsets.UTF_8));
        });
    }

    @Test
    void verifyChecksConsistencyWithThePreviousRun() {
        Path state = dir.resolve("state.json");
        server.seed(20);
        verifier.verify(Optional.of(state), false, LogVerifier.ProgressListener.none());
        server.seed(13);

        VerifyResult result = verifier.verify(Optional.of(state), false, LogVerifier.ProgressListener.none());

        assertThat(result.previousTreeSize()).isEqualTo(20);
        assertThat(result.treeSize()).isEqualTo(33);
        assertThat(result.summary()).contains("consistent with tree size 20");
        assertThat(VerifierState.read(state).orElseThrow().treeSize()).isEqualTo(33);
    }

    @Test
    void verifyRejectsACheckpointWithAForgedSignature() {
        server.seed(5);
        server.filterCheckpoints(note -> {
            String text = new String(note, StandardCharsets.UTF_8);
            return text.replaceFirst("\n5\n", "\n6\n").getBytes(StandardCharsets.UTF_8);
        });

        assertThatThrownBy(() -> verifier.verify(Optional.empty(), false, LogVerifier.ProgressListener.none()))
                .isInstanceOf(ProofVerificationException.class)
                .hasMessageContaining("invalid signature");
    }

    @Test
    void verifyRejectsACheckpointSignedByAnotherKey() {
        server.seed(5);
        String otherKey = NoteKeys.generateEd25519(FakeLogServer.ORIGIN, new SecureRandom())
                .verifierKey();
        LogVerifier pinnedElsewhere = new LogVerifier(client, FakeLogServer.LOG, otherKey);

        assertThatThrownBy(() -> pinnedElsewhere.verify(Optional.empty(), false, LogVerifier.ProgressListener.none()))
                .isInstanceOf(ProofVerificationException.class)
                .hasMessageContaining("no signature by any of 1 known keys");
    }

    @Test
    void rewrittenHistoryIsReportedWithEvidenceAndLeavesTheStateFileUntouched() throws Exception {
        Path state = dir.resolve("state.json");
        server.seed(20);
        verifier.verify(Optional.of(state), false, LogVerifier.ProgressListener.none());
        byte[] before = Files.readAllBytes(state);
        server.rewriteHistory(7);

        assertThatThrownBy(() -> verifier.verify(Optional.of(state), false, LogVerifier.ProgressListener.none()))
                .isInstanceOfSatisfying(InconsistencyException.class, e -> {
                    assertThat(e.previous().treeSize()).isEqualTo(20);
                    assertThat(e.latest().treeSize()).isEqualTo(27);
                    assertThat(e.latestNote()).isEqualTo(new String(server.latestCheckpoint(), StandardCharsets.UTF_8));
                    assertThat(e.previousNote()).startsWith(FakeLogServer.ORIGIN + "\n20\n");
                    assertThat(e.proof().hashes()).isNotEmpty();
                });
        assertThat(Files.readAllBytes(state)).isEqualTo(before);
    }

    @Test
    void aDifferentRootAtTheSameSizeIsAnInconsistency() throws Exception {
        Path state = dir.resolve("state.json");
        server.seed(9);
        verifier.verify(Optional.of(state), false, LogVerifier.ProgressListener.none());
        byte[] before = Files.readAllBytes(state);
        server.rewriteHistory(0);

        assertThatThrownBy(() -> verifier.verify(Optional.of(state), false, LogVerifier.ProgressListener.none()))
                .isInstanceOf(InconsistencyException.class)
                .hasMessageContaining("two different roots for tree size 9");
        assertThat(Files.readAllBytes(state)).isEqualTo(before);
    }

    @Test
    void fullVerifyRecomputesEveryEntryAndReportsProgress() {
        server.seed(600);
        List<Long> progress = new ArrayList<>();

        VerifyResult result = verifier.verify(Optional.empty(), true, (done, total) -> {
            assertThat(total).isEqualTo(600);
            progress.add(done);
        });

        assertThat(result.fullChecked()).isTrue();
        assertThat(result.entriesChecked()).isEqualTo(600);
        assertThat(progress).containsExactly(0L, 256L, 512L, 600L);
    }

    @Test
    void fullVerifyNamesTheLeafIndexOfAnAlteredEntryAndKeepsTheOldState() throws Exception {
        Path state = dir.resolve("state.json");
        server.seed(300);
        verifier.verify(Optional.of(state), false, LogVerifier.ProgressListener.none());
        byte[] before = Files.readAllBytes(state);
        server.seed(10);
        server.tamperBundleEntry(261, "{\"n\":999}".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> verifier.verify(Optional.of(state), true, LogVerifier.ProgressListener.none()))
                .isInstanceOfSatisfying(LeafMismatchException.class, e -> {
                    assertThat(e.leafIndex()).isEqualTo(261);
                    assertThat(e.getMessage()).startsWith("leaf 261: entry in bundle 1 hashes to");
                });
        assertThat(Files.readAllBytes(state)).isEqualTo(before);
    }

    @Test
    void fullVerifyOfAnEmptyLogChecksTheEmptyRoot() {
        server.seed(0);

        VerifyResult result = verifier.verify(Optional.empty(), true, LogVerifier.ProgressListener.none());

        assertThat(result.treeSize()).isZero();
        assertThat(result.rootHash()).isEqualTo(dev.indelible.formats.merkle.Rfc9162.EMPTY_ROOT);
    }

    @Test
    void aStateFileForAnotherKeyIsRefused() {
        Path state = dir.resolve("state.json");
        server.seed(3);
        verifier.verify(Optional.of(state), false, LogVerifier.ProgressListener.none());
        VerifierState saved = VerifierState.read(state).orElseThrow();
        new VerifierState(saved.origin(), saved.treeSize(), saved.rootHash(), "other+01020304+AQ==", "")
                .replaceAtomically(state);

        assertThatThrownBy(() -> verifier.verify(Optional.of(state), false, LogVerifier.ProgressListener.none()))
                .isInstanceOf(ProofVerificationException.class)
                .hasMessageContaining("state file was written for verifier key other+01020304+AQ==");
    }

    @Test
    void aStateSavedAtTheEmptyTreeIsConsistentWithAnyLaterTree() {
        Path state = dir.resolve("state.json");
        server.seed(0);
        verifier.verify(Optional.of(state), false, LogVerifier.ProgressListener.none());
        server.seed(4);

        VerifyResult result = verifier.verify(Optional.of(state), false, LogVerifier.ProgressListener.none());

        assertThat(result.previousTreeSize()).isZero();
        assertThat(result.treeSize()).isEqualTo(4);
    }

    @Test
    void aMalformedCheckpointIsAVerificationFailure() {
        server.seed(2);
        server.filterCheckpoints(note -> "not a note".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> verifier.verify(Optional.empty(), false, LogVerifier.ProgressListener.none()))
                .isInstanceOf(ProofVerificationException.class)
                .hasMessageStartingWith("the log served a malformed checkpoint");
    }
}
