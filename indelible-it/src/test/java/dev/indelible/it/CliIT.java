package dev.indelible.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user runs it: {@code java -jar indelible.jar ...}. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CliIT {
    @TempDir
    Path dir;

    record Run(int exitCode, String stdout, String stderr) {
        List<String> stderrLines() {
            return stderr.lines().filter(line -> !line.isBlank()).toList();
        }
    }

    private Run run(String... args) throws Exception {
        Path out = Files.createTempFile(dir, "stdout", ".txt");
        Path err = Files.createTempFile(dir, "stderr", ".txt");
        Process process = new ProcessBuilder(ServerProcess.cliCommand(args))
                .directory(dir.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError("indelible " + String.join(" ", args) + " still running after 60 s");
            }
        } finally {
            process.destroyForcibly();
        }
        return new Run(
                process.exitValue(),
                Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void helpExitsZero() throws Exception {
        Run help = run("--help");
        assertThat(help.exitCode()).as(help.toString()).isZero();
        assertThat(help.stdout()).contains("server").contains("keys");
        Run serverHelp = run("server", "--help");
        assertThat(serverHelp.exitCode()).as(serverHelp.toString()).isZero();
        assertThat(serverHelp.stdout()).contains("--listen").contains("--data");
    }

    @Test
    void anUnknownSubcommandFailsWithOneLine() throws Exception {
        Run unknown = run("frobnicate");
        assertThat(unknown.exitCode()).as(unknown.toString()).isNotZero();
        assertThat(unknown.stderrLines())
                .as("stderr of an unknown subcommand: " + unknown.stderr())
                .hasSize(1);
    }

    @Test
    void keysGenerateWritesAPrivateFileAndPrintsTheVerifierKey() throws Exception {
        Path keyFile = dir.resolve("x.key");
        Run generate = run("keys", "generate", "--name", "x", "--out", keyFile.toString());
        assertThat(generate.exitCode()).as(generate.toString()).isZero();
        assertThat(keyFile).isRegularFile();
        assertThat(Files.getPosixFilePermissions(keyFile))
                .isEqualTo(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        String verifierKey = generate.stdout().strip();
        assertThat(verifierKey).matches("x\\+[0-9a-f]{8}\\+[A-Za-z0-9+/]+={0,2}");
        String[] parts = verifierKey.split("\\+", 3);
        byte[] key = Base64.getDecoder().decode(parts[2]);
        assertThat(key).hasSize(33);
        assertThat(key[0]).as("Ed25519 algorithm byte").isEqualTo((byte) 0x01);
        assertThat(parts[1])
                .as("key hash = SHA-256(name || \\n || 0x01 || key)[:4]")
                .isEqualTo(HexFormat.of().formatHex(Checkpoint.keyHash("x", key)));
        byte[] keyBytes = Files.readAllBytes(keyFile);
        assertThat(new String(keyBytes, StandardCharsets.UTF_8))
                .as("the file holds the matching signer key")
                .startsWith("PRIVATE+KEY+x+" + parts[1] + "+");

        Run again = run("keys", "generate", "--name", "x", "--out", keyFile.toString());
        assertThat(again.exitCode())
                .as("generate over an existing file: " + again)
                .isNotZero();
        assertThat(again.stderrLines()).hasSize(1);
        assertThat(Files.readAllBytes(keyFile))
                .as("an existing key file is never overwritten")
                .isEqualTo(keyBytes);

        Run show = run("keys", "show", "--key", keyFile.toString(), "--origin", "x");
        assertThat(show.exitCode()).as(show.toString()).isZero();
        assertThat(show.stdout().strip()).isEqualTo(verifierKey);
        Run raw = run("keys", "show", "--key", keyFile.toString());
        assertThat(raw.exitCode()).as(raw.toString()).isZero();
        assertThat(raw.stdout().strip()).as("public key").isEqualTo(Checkpoint.publicKeyOf(verifierKey));
    }

    @Test
    void benchWaitsForTheFirstCheckpointOfANewLogBeforeProvingItsSample() throws Exception {
        // A checkpoint every 3 s: the run ends long before the new log has its first one (404).
        try (ServerProcess server = ServerProcess.start(dir.resolve("data"), 3_000)) {
            Run bench = run("bench", "--url", server.baseUrl(), "--log", "young", "--events", "20", "--batch", "10");
            assertThat(bench.exitCode()).as(bench.stderr()).isZero();
            assertThat(bench.stdout())
                    .contains("events acknowledged  20 (failed 0)")
                    .containsPattern("sampled appends proven in signed checkpoint of size 20");
        }
    }

    @Test
    void benchWritesWhenEachMeasuredRequestWasDueAndHowLongItTook() throws Exception {
        Path latencies = dir.resolve("latencies.csv");
        try (ServerProcess server = ServerProcess.start(dir.resolve("data"), 100)) {
            // 200 warm-up events, then 5 requests of 100 events at 1,000 events/s: one due every 100 ms.
            Run bench = run(
                    "bench",
                    "--url",
                    server.baseUrl(),
                    "--log",
                    "bench",
                    "--events",
                    "500",
                    "--batch",
                    "100",
                    "--concurrency",
                    "2",
                    "--rate",
                    "1000",
                    "--warmup",
                    "200",
                    "--latency-log",
                    latencies.toString());
            assertThat(bench.exitCode()).as(bench.stderr()).isZero();
            assertThat(bench.stdout()).contains("events acknowledged  500 (failed 0)");
        }
        List<String> lines = Files.readAllLines(latencies, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(6);
        assertThat(lines.get(0)).isEqualTo("request,due_ms,due_epoch_ms,latency_ms,status");
        long firstDueEpoch = 0;
        for (int r = 0; r < 5; r++) {
            String[] fields = lines.get(r + 1).split(",");
            assertThat(fields).hasSize(5);
            assertThat(Integer.parseInt(fields[0])).isEqualTo(r);
            assertThat(Double.parseDouble(fields[1])).isCloseTo(100.0 * r, offset(0.01));
            long dueEpoch = Long.parseLong(fields[2]);
            if (r == 0) {
                firstDueEpoch = dueEpoch;
                assertThat(dueEpoch).isBetween(System.currentTimeMillis() - 120_000, System.currentTimeMillis());
            } else {
                assertThat(dueEpoch - firstDueEpoch).isBetween(100L * r - 1, 100L * r + 1);
            }
            assertThat(Double.parseDouble(fields[3])).isPositive();
            assertThat(fields[4]).isEqualTo("200");
        }
    }
}
