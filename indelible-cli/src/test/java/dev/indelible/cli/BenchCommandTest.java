package dev.indelible.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.luben.zstd.Zstd;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BenchCommandTest {
    private static byte[] body(BenchCommand.Padding padding) {
        BenchCommand bench = new BenchCommand();
        bench.size = 500;
        bench.paddingLetters = padding.letters();
        return bench.body(0, 1_000, new Random(7));
    }

    private static double zstdRatio(byte[] body) {
        return (double) body.length / Zstd.compress(body, 1).length;
    }

    @Test
    void eventsHaveTheAskedSizeWhateverThePadding() throws Exception {
        ObjectMapper json = new ObjectMapper();
        for (BenchCommand.Padding padding : BenchCommand.Padding.values()) {
            String[] lines = new String(body(padding), StandardCharsets.UTF_8).split("\n");
            assertThat(lines).as("%s", padding).hasSize(1_000);
            for (int i = 0; i < lines.length; i++) {
                assertThat(lines[i].length()).as("%s event %d", padding, i).isBetween(495, 505);
                JsonNode event = json.readTree(lines[i]);
                assertThat(event.get("seq").asLong()).isEqualTo(i);
            }
        }
    }

    @Test
    void withIdsEveryEventOfARunHasItsOwnIdAndTheAskedSize() throws Exception {
        ObjectMapper json = new ObjectMapper();
        BenchCommand bench = new BenchCommand();
        bench.size = 500;
        bench.ids = true;
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (long first : new long[] {0, 1_000}) {
            for (String line :
                    new String(bench.body(first, 1_000, new Random(7)), StandardCharsets.UTF_8).split("\n")) {
                assertThat(line.length()).isBetween(495, 505);
                JsonNode event = json.readTree(line);
                assertThat(event.get("id").asText())
                        .isEqualTo(bench.idPrefix + "-" + event.get("seq").asLong());
                seen.add(event.get("id").asText());
            }
        }
        assertThat(seen).hasSize(2_000);
        assertThat(new BenchCommand().idPrefix).as("another run, other ids").isNotEqualTo(bench.idPrefix);
        assertThat(json.readTree(new String(body(BenchCommand.Padding.repeating), StandardCharsets.UTF_8)
                                .lines()
                                .findFirst()
                                .orElseThrow())
                        .has("id"))
                .as("no ids unless asked")
                .isFalse();
    }

    @Test
    void repeatingPaddingCompressesLikeAuditEventsAndUniquePaddingHardlyAtAll() {
        assertThat(zstdRatio(body(BenchCommand.Padding.repeating))).isGreaterThan(5.0);
        assertThat(zstdRatio(body(BenchCommand.Padding.unique))).isBetween(1.3, 2.2);
    }
}
