package dev.indelible.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code indelible aot-cache} from the CLI jar: trains a 3-node cluster, writes a cache that a JVM
 * started with {@code -XX:AOTMode=on} (which refuses to start on a cache it cannot use) maps, and the
 * cache holds the leader's Ratis classes, the code a failover would otherwise run cold.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class AotCacheIT {
    @TempDir
    Path dir;

    @Test
    void writesACacheThatHoldsTheLeadersCodeAndThatTheJvmUses() throws Exception {
        assumeTrue(AotCache.supported(), "AOT caches need JDK " + AotCache.MIN_JDK + "+");
        Path cache = dir.resolve("cache").resolve("indelible.aot");
        Files.createDirectories(cache.getParent());
        Run training = run(
                "aot-cache",
                "--out",
                cache.toString(),
                "--seconds",
                "5",
                "--base-port",
                Integer.toString(LoopbackPorts.freeBase()));
        assertThat(training.exit).as(training.output).isZero();
        assertThat(training.output).contains("training: ", "wrote " + cache, "recorded on n");
        assertThat(cache).isRegularFile();
        assertThat(Files.size(cache)).isGreaterThan(1_000_000);
        assertThat(cache.resolveSibling("indelible.aot.tmp")).doesNotExist();
        // each round of training traffic sends a 1,000-event audit-shaped request, a 100-event one and
        // one or two single events: over 300 events per append (without the large one, about 50)
        Matcher trained =
                Pattern.compile("([\\d,]+) appends \\(([\\d,]+) events\\)").matcher(training.output);
        assertThat(trained.find()).as(training.output).isTrue();
        long appends = Long.parseLong(trained.group(1).replace(",", ""));
        long events = Long.parseLong(trained.group(2).replace(",", ""));
        assertThat(appends).as(training.output).isPositive();
        assertThat(events).as(training.output).isGreaterThan(300 * appends);

        Run version = run(List.of("-XX:AOTMode=on", "-XX:AOTCache=" + cache, "-Xlog:class+load=info"), "--version");
        assertThat(version.exit).as(version.output).isZero();
        for (String leaderCode : List.of(
                "org.apache.ratis.server.impl.LeaderStateImpl",
                "org.apache.ratis.grpc.server.GrpcLogAppender",
                "dev.indelible.replication.RaftNode")) {
            assertThat(version.output).contains(leaderCode + " source: shared objects file");
        }
    }

    @Test
    void refusesATrainingWithoutLoad() throws Exception {
        Run run =
                run("aot-cache", "--seconds", "0", "--out", dir.resolve("x.aot").toString());
        assertThat(run.exit).isEqualTo(2);
        assertThat(run.output).contains("--seconds must be at least 1");
        assertThat(dir.resolve("x.aot")).doesNotExist();
    }

    @Test
    void refusesABatchOutOfRange() throws Exception {
        for (String batch : List.of("-1", "5001")) {
            Run run = run(
                    "aot-cache", "--batch", batch, "--out", dir.resolve("x.aot").toString());
            assertThat(run.exit).isEqualTo(2);
            assertThat(run.output).contains("--batch must be between 0 and 5000, not " + batch);
            assertThat(dir.resolve("x.aot")).doesNotExist();
        }
    }

    record Run(int exit, String output) {}

    private Run run(String... args) throws Exception {
        return run(dir, List.of(), args);
    }

    private Run run(List<String> jvmOptions, String... args) throws Exception {
        return run(dir, jvmOptions, args);
    }

    /** Runs the CLI jar in a JVM of its own with {@code jvmOptions}; its output goes to a file in {@code dir}. */
    static Run run(Path dir, List<String> jvmOptions, String... args) throws Exception {
        String jar = System.getProperty("indelible.cli.jar");
        assertThat(jar).as("indelible.cli.jar").isNotNull();
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar));
        command.addAll(List.of(args));
        Path output = Files.createTempFile(dir, "run", ".out");
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        if (!process.waitFor(4, TimeUnit.MINUTES)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("timed out: " + command + "\n" + Files.readString(output));
        }
        return new Run(process.exitValue(), Files.readString(output));
    }
}
