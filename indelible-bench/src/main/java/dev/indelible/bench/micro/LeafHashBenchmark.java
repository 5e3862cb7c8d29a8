package dev.indelible.bench.micro;

import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.merkle.Rfc9162;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** RFC 9162 §2.1.1 hashes: the leaf hash of a 500-byte entry, and an interior node hash. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LeafHashBenchmark {
    private final byte[] entry = SampleEvents.event(500, 1);
    private final Hash left = Rfc9162.leafHash(new byte[] {1});
    private final Hash right = Rfc9162.leafHash(new byte[] {2});

    /** One leaf hash. */
    @Benchmark
    public Hash leafHash500B() {
        return Rfc9162.leafHash(entry);
    }

    /** One interior node hash, SHA-256(0x01 || left || right): about one per appended leaf. */
    @Benchmark
    public Hash nodeHash() {
        return Rfc9162.nodeHash(left, right);
    }
}
