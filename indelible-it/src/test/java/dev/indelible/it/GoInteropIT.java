package dev.indelible.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interoperability with an implementation written by others: Go's golang.org/x/mod/sumdb/note and
 * sumdb/tlog (Debian's golang-golang-x-mod-dev) verify our signed checkpoints, authenticate our
 * C2SP hash tiles against the signed root, check inclusion proofs for every leaf and a
 * consistency proof — and notice when a stored hash has been tampered with. The program is
 * interop/go/verify.go. CI installs Go (.ci/run); elsewhere the test is skipped when Go is absent.
 */
class GoInteropIT {
    private static final Path RUN =
            Path.of("..", "interop", "go", "run.sh").toAbsolutePath().normalize();
    private static final int LEAVES = 700;

    @TempDir
    Path data;

    private ServerProcess server;

    @BeforeAll
    static void goIsInstalled() {
        boolean available = Files.isDirectory(Path.of("/usr/share/gocode/src/golang.org/x/mod/sumdb"))
                && Files.isExecutable(Path.of("/usr/bin/go"));
        if ("true".equals(System.getenv("CI"))) {
            assertThat(available)
                    .as("CI must install golang-go and golang-golang-x-mod-dev (.ci/run does)")
                    .isTrue();
        }
        assumeTrue(
                available,
                "Go and golang.org/x/mod are not installed: apt-get install golang-go golang-golang-x-mod-dev");
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.kill();
        }
    }

    @Test
    void goVerifiesCheckpointsTilesAndProofsAndRejectsAWrongKey() throws Exception {
        server = ServerProcess.start(data, 100);
        appendAndAwaitCheckpoint("go", LEAVES);
        appendAndAwaitCheckpoint("other", 1);
        String key = verifierKey("go");

        Result ok = runGo(server.baseUrl(), "go", key, "333");
        assertThat(ok.exit()).as(ok.output()).isZero();
        assertThat(ok.output())
                .startsWith("ok it.indelible.test/go: checkpoint signature, " + LEAVES + " leaves")
                .contains("consistency 333 -> " + LEAVES + " verified");

        Result wrongKey = runGo(server.baseUrl(), "go", verifierKey("other"), "333");
        assertThat(wrongKey.exit()).as(wrongKey.output()).isNotZero();
        assertThat(wrongKey.output()).contains("FAIL");
    }

    @Test
    void goNoticesATamperedLeafHashServedInATile() throws Exception {
        server = ServerProcess.start(data, 100);
        appendAndAwaitCheckpoint("go", LEAVES);
        String key = verifierKey("go");
        server.kill();

        // Flip one bit of leaf 10's stored hash: inside a complete tile, below every frontier node the
        // server re-checks at start, so the server serves it; the signed root must give it away.
        Path row0 = data.resolve("logs").resolve("go").resolve("hashes").resolve("row-0");
        try (RandomAccessFile file = new RandomAccessFile(row0.toFile(), "rw")) {
            file.seek(10 * 32 + 5);
            int b = file.read();
            file.seek(10 * 32 + 5);
            file.write(b ^ 0x01);
        }
        server = ServerProcess.start(data, 100);
        Result tampered = runGo(server.baseUrl(), "go", key);
        assertThat(tampered.exit()).as(tampered.output()).isNotZero();
        assertThat(tampered.output()).contains("FAIL");
    }

    private void appendAndAwaitCheckpoint(String log, int count) throws Exception {
        try (Http http = new Http(server)) {
            StringBuilder body = new StringBuilder();
            for (int i = 0; i < count; i++) {
                body.append("{\"seq\":").append(i).append(",\"actor\":\"go-interop\"}\n");
            }
            Http.Response appended =
                    http.post("/v1/logs/" + log + "/entries?wait=checkpoint", "application/x-ndjson", body.toString());
            assertThat(appended.status()).as(appended.toString()).isEqualTo(200);
        }
    }

    private String verifierKey(String log) throws Exception {
        try (Http http = new Http(server)) {
            return http.get("/v1/logs/" + log).json().path("verifierKey").asText();
        }
    }

    private record Result(int exit, String output) {}

    private static Result runGo(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(RUN.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("go verifier did not finish in 120 s");
        }
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8).strip());
    }
}
