package dev.indelible.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.indelible.formats.checkpoint.Checkpoint;
import dev.indelible.formats.merkle.MerkleVerifier;
import dev.indelible.formats.note.NoteKeys;
import dev.indelible.formats.note.NoteSigner;
import dev.indelible.formats.note.NoteVerifier;
import dev.indelible.formats.note.Notes;
import dev.indelible.storage.io.FileIO;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;

/**
 * Shared set-up for the append-pipeline tests: one registry under a temporary data directory, an
 * Ed25519 key per log origin (kept across reopen, so checkpoints of a reopened log verify with the
 * same key), and helpers that build leaves and verify checkpoints through the public formats only.
 */
final class LogFixture {
    static final String ORIGIN_HOST = "log.example.test";
    static final Duration CHECKPOINT_INTERVAL = Duration.ofMillis(20);

    private final Path dataDirectory;
    private final Map<String, NoteKeys.KeyPairText> keys = new ConcurrentHashMap<>();
    private final LogConfig config;

    LogFixture(Path dataDirectory) {
        this(dataDirectory, LogConfig.defaults().withCheckpointInterval(CHECKPOINT_INTERVAL));
    }

    LogFixture(Path dataDirectory, LogConfig config) {
        this.dataDirectory = dataDirectory;
        this.config = config;
    }

    Path dataDirectory() {
        return dataDirectory;
    }

    Path logDirectory(String name) {
        return dataDirectory.resolve("logs").resolve(name);
    }

    AuditLogs open(FileIO io) throws IOException {
        return open(io, UnaryOperator.identity());
    }

    /** Opens the registry with every log's signer wrapped by {@code wrap} (to block or count signing). */
    AuditLogs open(FileIO io, UnaryOperator<CheckpointSigner> wrap) throws IOException {
        return AuditLogs.open(
                new AuditLogs.Settings(
                        dataDirectory, ORIGIN_HOST, origin -> wrap.apply(signer(origin)), config, Clock.systemUTC()),
                io);
    }

    private CheckpointSigner signer(String origin) {
        NoteSigner signer = NoteSigner.ed25519(key(origin).signerKey());
        return text -> Notes.sign(text, List.of(signer));
    }

    private NoteKeys.KeyPairText key(String origin) {
        return keys.computeIfAbsent(origin, o -> NoteKeys.generateEd25519(o, new SecureRandom()));
    }

    /** Verifies the note's signature with the origin's verifier key and returns the checkpoint. */
    Checkpoint verify(AuditLog log, PublishedCheckpoint published) {
        Checkpoint checkpoint = Checkpoint.verifySigned(
                published.signedNote(), NoteVerifier.ed25519(key(log.origin()).verifierKey()));
        assertThat(checkpoint.origin()).isEqualTo(log.origin());
        assertThat(checkpoint.treeSize()).isEqualTo(published.treeSize());
        assertThat(checkpoint.rootHash()).isEqualTo(published.rootHash());
        return checkpoint;
    }

    /** Proves {@code older} is a prefix of {@code newer} with the log's consistency proof. */
    static void verifyConsistent(AuditLog log, PublishedCheckpoint older, PublishedCheckpoint newer) {
        MerkleVerifier.verifyConsistency(
                older.treeSize(),
                newer.treeSize(),
                older.rootHash(),
                newer.rootHash(),
                log.consistencyProof(older.treeSize(), newer.treeSize()));
    }

    /** A distinct, recognisable entry: its sequence number then random padding. */
    static byte[] entry(Random random, long serial) {
        byte[] prefix = ("entry-" + serial + "-").getBytes(StandardCharsets.UTF_8);
        byte[] bytes = new byte[prefix.length + random.nextInt(64)];
        System.arraycopy(prefix, 0, bytes, 0, prefix.length);
        for (int i = prefix.length; i < bytes.length; i++) {
            bytes[i] = (byte) ('a' + random.nextInt(26));
        }
        return bytes;
    }

    static List<Leaf> leaves(Random random, long firstSerial, int count) {
        List<Leaf> leaves = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            leaves.add(Leaf.of(entry(random, firstSerial + i)));
        }
        return leaves;
    }

    static <T> T await(java.util.concurrent.CompletableFuture<T> future) {
        try {
            return future.get(20, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new AssertionError("future did not complete: " + e, e);
        }
    }
}
