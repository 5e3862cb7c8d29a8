package dev.indelible.bench.peer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The events {@code indelible bench} sends (same fields, same sizes, same generator cost): one JSON
 * object per event, padded with random letters to about {@code size} bytes.
 */
final class SyntheticEvents {
    private static final String[] ACTIONS = {"create", "update", "delete", "get", "list", "login", "exec"};
    private static final char[] PADDING = randomLetters(1 << 16, new Random(0x1de11b1eL));

    private final int size;

    SyntheticEvents(int size) {
        this.size = size;
    }

    /** {@code count} events numbered from {@code firstSeq}, each as UTF-8 bytes. */
    List<byte[]> batch(long firstSeq, int count, Random random) {
        List<byte[]> events = new ArrayList<>(count);
        StringBuilder out = new StringBuilder(size + 16);
        for (int i = 0; i < count; i++) {
            out.setLength(0);
            out.append("{\"actor\":\"user-")
                    .append(random.nextInt(10_000))
                    .append("\",\"action\":\"")
                    .append(ACTIONS[random.nextInt(ACTIONS.length)])
                    .append("\",\"resource\":\"/api/v1/namespaces/ns-")
                    .append(random.nextInt(100))
                    .append("/pods/pod-")
                    .append(random.nextInt(100_000))
                    .append("\",\"outcome\":\"success\",\"seq\":")
                    .append(firstSeq + i)
                    .append(",\"pad\":\"");
            int padding = Math.max(0, size - out.length() - 2);
            int done = 0;
            while (done < padding) {
                int n = Math.min(padding - done, PADDING.length / 2);
                out.append(PADDING, random.nextInt(PADDING.length - n + 1), n);
                done += n;
            }
            out.append("\"}");
            events.add(out.toString().getBytes(StandardCharsets.UTF_8));
        }
        return events;
    }

    private static char[] randomLetters(int count, Random random) {
        char[] letters = new char[count];
        for (int i = 0; i < count; i++) {
            letters[i] = (char) ('a' + random.nextInt(26));
        }
        return letters;
    }
}
