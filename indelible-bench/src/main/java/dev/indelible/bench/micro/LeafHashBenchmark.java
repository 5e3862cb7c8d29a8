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

/** RFC 9162 §2.1.1 leaf hash, SHA-256(0x00 || entry), of a 500-byte entry. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LeafHashBenchmark {
    private final byte[] entry = SampleEvents.event(500, 1);

    /** One leaf hash. */
    @Benchmark
    public Hash leafHash500B() {
        return Rfc9162.leafHash(entry);
    }
}
