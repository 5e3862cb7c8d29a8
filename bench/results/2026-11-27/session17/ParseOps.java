import dev.indelible.log.envelope.EventLimits;
import dev.indelible.log.envelope.EventParser;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Microseconds per event to parse and canonicalize a 1,000-event NDJSON body shaped like
 * `indelible bench`'s (500-byte events: actor, action, resource, outcome, seq, then a padding
 * string; members out of canonical order), 8 rounds of 3,000 bodies, through EventParser's public
 * API -- so it runs against any build's jar. Session 17:
 *
 *   javac -cp indelible.jar -d /tmp/po ParseOps.java && java -cp /tmp/po:indelible.jar ParseOps
 */
public class ParseOps {
    public static void main(String[] args) {
        Random random = new Random(1);
        char[] letters = new char[65_536];
        for (int i = 0; i < letters.length; i++) {
            letters[i] = (char) ('a' + random.nextInt(26));
        }
        String[] actions = {"create", "update", "delete", "get", "list", "login", "exec"};
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 1_000; i++) {
            int lineStart = out.length();
            out.append("{\"actor\":\"user-").append(random.nextInt(10_000))
                    .append("\",\"action\":\"").append(actions[random.nextInt(actions.length)])
                    .append("\",\"resource\":\"/api/v1/namespaces/ns-").append(random.nextInt(100))
                    .append("/pods/pod-").append(random.nextInt(100_000))
                    .append("\",\"outcome\":\"success\",\"seq\":").append(1_000_000 + i)
                    .append(",\"pad\":\"");
            int pad = Math.max(0, 500 - (out.length() - lineStart) - 2);
            out.append(letters, random.nextInt(60_000), pad).append("\"}\n");
        }
        byte[] body = out.toString().getBytes(StandardCharsets.UTF_8);
        EventParser parser = new EventParser(EventLimits.DEFAULTS);
        long sink = 0;
        for (int round = 0; round < 8; round++) {
            long start = System.nanoTime();
            int n = 3_000;
            for (int i = 0; i < n; i++) {
                sink += parser.parse(EventParser.NDJSON, body).size();
            }
            System.out.printf("round %d: %.3f us/event%n", round, (System.nanoTime() - start) / 1e3 / n / 1_000);
        }
        System.out.println(sink);
    }
}
