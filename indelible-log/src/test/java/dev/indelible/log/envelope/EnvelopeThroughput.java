package dev.indelible.log.envelope;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * A rough, JMH-free measurement (not a test): microseconds per event to parse and canonicalize a
 * ~500-byte Kubernetes audit event, and to build its leaf envelope. Run after {@code install}:
 *
 * <pre>
 * java -cp indelible-log/target/classes:indelible-log/target/test-classes:$(cat cp.txt) \
 *     dev.indelible.log.envelope.EnvelopeThroughput
 * </pre>
 */
public final class EnvelopeThroughput {
    private static final String EVENT = "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Metadata\","
            + "\"auditID\":\"55a81824-ab56-46c5-8b02-96336f5e78d7\",\"stage\":\"ResponseComplete\","
            + "\"requestURI\":\"/api/v1/namespaces/default/secrets\",\"verb\":\"create\",\"user\":{\"username\":"
            + "\"minikube-user\",\"groups\":[\"system:masters\",\"system:authenticated\"]},\"sourceIPs\":"
            + "[\"192.168.64.1\"],\"userAgent\":\"kubectl/v1.17.3 (darwin/amd64) kubernetes/06ad960\",\"objectRef\":"
            + "{\"resource\":\"secrets\",\"namespace\":\"default\",\"name\":\"example-secret\",\"apiVersion\":\"v1\"},"
            + "\"responseStatus\":{\"metadata\":{},\"code\":201},\"requestReceivedTimestamp\":"
            + "\"2020-04-21T17:57:05.541358Z\"}";

    private EnvelopeThroughput() {}

    /** Prints µs per event: parse + canonicalize, with the envelope, and canonicalize alone. */
    public static void main(String[] args) {
        byte[] body = EVENT.getBytes(StandardCharsets.UTF_8);
        EventParser parser = new EventParser(EventLimits.DEFAULTS);
        EnvelopeWriter writer = new EnvelopeWriter();
        Source source = Source.http("127.0.0.1");
        Instant at = Instant.parse("2026-11-26T05:41:17.123456Z");
        int iterations = 1_000_000;
        long sink = 0;
        for (int round = 0; round < 5; round++) {
            long start = System.nanoTime();
            for (int i = 0; i < iterations; i++) {
                sink += parser.parse(EventParser.JSON, body).get(0).canonicalBytes().length;
            }
            long parsed = System.nanoTime();
            for (int i = 0; i < iterations; i++) {
                ParsedEvent event = parser.parse(EventParser.JSON, body).get(0);
                sink += writer.prepare(event, at, source).leafBytes().length;
            }
            long enveloped = System.nanoTime();
            JsonCanonicalizer canonicalizer = new JsonCanonicalizer();
            var tree = TestResources.tree(parser.parse(EventParser.JSON, body).get(0));
            for (int i = 0; i < iterations; i++) {
                canonicalizer.reset();
                canonicalizer.write(tree);
                sink += canonicalizer.size();
            }
            long canonicalized = System.nanoTime();
            System.out.printf(
                    "round %d: %d-byte event: parse+canonicalize %.2f µs, +envelope %.2f µs, canonicalize only %.2f µs"
                            + " (%d)%n",
                    round,
                    body.length,
                    (parsed - start) / 1e3 / iterations,
                    (enveloped - parsed) / 1e3 / iterations,
                    (canonicalized - enveloped) / 1e3 / iterations,
                    sink);
        }
    }
}
