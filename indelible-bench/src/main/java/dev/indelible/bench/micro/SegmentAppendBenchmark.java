package dev.indelible.bench.micro;

import dev.indelible.storage.io.FileIO;
import dev.indelible.storage.segment.SegmentOptions;
import dev.indelible.storage.segment.SegmentStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Group commit in the segment store: append {@code batch} records of 600 bytes and fsync them, in a
 * temporary directory on the machine's disk ({@code java.io.tmpdir}). Segments roll at the default
 * 64 MiB, as in the server.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SegmentAppendBenchmark {
    @Param({"1000"})
    int batch;

    private Path directory;
    private SegmentStore store;
    private List<byte[]> entries;

    /** Opens an empty store. */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
        directory = Files.createTempDirectory("indelible-segment-bench");
        store = SegmentStore.open(directory, FileIO.posix(), SegmentOptions.defaults());
        entries = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            entries.add(SampleEvents.event(600, i));
        }
    }

    /** Closes the store and deletes its files. */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        store.close();
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** One group commit: {@code batch} records appended, then one fsync. */
    @Benchmark
    public long appendAndSync() {
        store.append(entries);
        store.sync();
        return store.durableSize();
    }

    /** The same records without the fsync: the write path's CPU and page-cache cost. */
    @Benchmark
    public long appendOnly() {
        store.append(entries);
        return store.size();
    }
}
