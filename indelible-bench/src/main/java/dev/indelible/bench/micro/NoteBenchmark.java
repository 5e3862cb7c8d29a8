package dev.indelible.bench.micro;

import dev.indelible.formats.note.NoteKeys;
import dev.indelible.formats.note.NoteSigner;
import dev.indelible.formats.note.NoteVerifier;
import dev.indelible.formats.note.Notes;
import dev.indelible.formats.note.SignedNote;
import dev.indelible.formats.note.Verifiers;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** C2SP signed-note signing and opening (Ed25519) of a tlog-checkpoint body. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class NoteBenchmark {
    private static final String CHECKPOINT =
            "bench.example/log\n1048576\nq0yHhbn6vwbXZ7uPnUHvXFx0m6mjRoFG1nsf4Qb7m4E=\n";

    private List<NoteSigner> signers;
    private Verifiers verifiers;
    private byte[] signed;

    /** Generates a key pair and one signed note. */
    @Setup(Level.Trial)
    public void setUp() {
        NoteKeys.KeyPairText keys = NoteKeys.generateEd25519("bench.example/log", new SecureRandom());
        signers = List.of(NoteSigner.ed25519(keys.signerKey()));
        verifiers = Verifiers.of(NoteVerifier.ed25519(keys.verifierKey()));
        signed = Notes.sign(CHECKPOINT, signers);
    }

    /** Signs one checkpoint. */
    @Benchmark
    public byte[] sign() {
        return Notes.sign(CHECKPOINT, signers);
    }

    /** Parses and verifies one signed checkpoint. */
    @Benchmark
    public SignedNote open() {
        return Notes.open(signed, verifiers);
    }
}
