package dev.indelible.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A single node deduplicates client ids across {@code kill -9}: a batch acknowledged just before
 * the crash, sent again to the restarted server (as a client that never saw the answer would),
 * appends nothing and is answered with the original leaf indexes and hashes.
 */
class RetryAfterCrashIT {
    @TempDir
    Path data;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aBatchResentAfterKillNineIsAnsweredWithItsOriginalPositions() throws Exception {
        StringBuilder batch = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            batch.append("{\"id\":\"crash-")
                    .append(i)
                    .append("\",\"n\":")
                    .append(i)
                    .append("}\n");
        }
        JsonNode original;
        try (ServerProcess server = ServerProcess.start(data, 60_000);
                Http http = new Http(server)) {
            assertThat(http.post("/v1/logs/audit/entries", "application/x-ndjson", "{\"id\":\"first\"}\n")
                            .status())
                    .isEqualTo(200);
            Http.Response answer = http.post("/v1/logs/audit/entries", "application/x-ndjson", batch.toString());
            assertThat(answer.status()).isEqualTo(200);
            original = answer.json().path("entries");
            assertThat(original.get(0).path("leafIndex").asLong()).isEqualTo(1);
            server.kill(); // right after the acknowledgement: no clean shutdown
        }
        try (ServerProcess server = ServerProcess.start(data, 60_000);
                Http http = new Http(server)) {
            Http.Response resent = http.post("/v1/logs/audit/entries", "application/x-ndjson", batch.toString());
            assertThat(resent.status()).isEqualTo(200);
            assertThat(resent.json().path("entries")).isEqualTo(original);
            JsonNode info = http.get("/v1/logs/audit").json();
            assertThat(info.path("treeSize").asLong())
                    .as("nothing appended twice")
                    .isEqualTo(51);
            assertThat(info.path("dedupWindow").asInt()).isEqualTo(100_000);
        }
    }
}
