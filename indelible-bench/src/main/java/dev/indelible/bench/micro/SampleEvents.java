package dev.indelible.bench.micro;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/** Synthetic 500-byte audit events shaped like the ones {@code indelible bench} sends. */
final class SampleEvents {
    private SampleEvents() {}

    /** One event of about {@code size} UTF-8 bytes, deterministic in {@code seed}. */
    static byte[] event(int size, long seed) {
        Random random = new Random(seed);
        StringBuilder out = new StringBuilder(size + 16);
        out.append("{\"actor\":\"user-")
                .append(random.nextInt(10_000))
                .append("\",\"action\":\"update\",\"resource\":\"/api/v1/namespaces/ns-")
                .append(random.nextInt(100))
                .append("/pods/pod-")
                .append(random.nextInt(100_000))
                .append("\",\"outcome\":\"success\",\"seq\":")
                .append(seed)
                .append(",\"pad\":\"");
        while (out.length() < size - 2) {
            out.append((char) ('a' + random.nextInt(26)));
        }
        out.append("\"}");
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }
}
