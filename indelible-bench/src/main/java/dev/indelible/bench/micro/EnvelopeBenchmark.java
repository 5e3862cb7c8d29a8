package dev.indelible.bench.micro;

import dev.indelible.log.envelope.EnvelopeWriter;
import dev.indelible.log.envelope.EventLimits;
import dev.indelible.log.envelope.EventParser;
import dev.indelible.log.envelope.ParsedEvent;
import dev.indelible.log.envelope.PreparedEntry;
import dev.indelible.log.envelope.Source;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The ingestion CPU path per event: strict parse of a 500-byte JSON event with RFC 8785
 * canonicalization ({@link EventParser}), then wrapping it in the leaf envelope ({@link
 * EnvelopeWriter}). The batch benchmarks parse an NDJSON body of {@value #BATCH} events and report
 * the time per event.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EnvelopeBenchmark {
    static final int BATCH = 1000;

    private final EventParser parser = new EventParser(EventLimits.DEFAULTS);
    private final EnvelopeWriter writer = new EnvelopeWriter();
    private final Instant receivedAt = Instant.parse("2026-01-02T03:04:05.678Z");
    private final Source source = Source.http("127.0.0.1");
    private byte[] single;
    private byte[] ndjson;
    private ParsedEvent parsed;

    /** Builds the sample bodies. */
    @Setup(Level.Trial)
    public void setUp() {
        single = SampleEvents.event(500, 7);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int i = 0; i < BATCH; i++) {
            body.writeBytes(SampleEvents.event(500, i));
            body.write('\n');
        }
        ndjson = body.toByteArray();
        parsed = parser.parse(EventParser.JSON, single).get(0);
    }

    /** Parse + canonicalize one 500-byte event sent alone. */
    @Benchmark
    public List<ParsedEvent> parseCanonicalizeOne() {
        return parser.parse(EventParser.JSON, single);
    }

    /** Parse + canonicalize a 1,000-event NDJSON body; time per event. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public List<ParsedEvent> parseCanonicalizeNdjsonPerEvent() {
        return parser.parse(EventParser.NDJSON, ndjson);
    }

    /** Wrap an already canonical event in the leaf envelope. */
    @Benchmark
    public PreparedEntry envelope() {
        return writer.prepare(parsed, receivedAt, source);
    }
}
