package dev.indelible.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One real server JVM started from the CLI jar, bound to 127.0.0.1 on an ephemeral port. Its
 * stdout and stderr are kept (bounded) for failure messages. {@link #kill()} is a real SIGKILL.
 */
final class ServerProcess implements AutoCloseable {
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern LISTENING = Pattern.compile("Listening on (http://127\\.0\\.0\\.1:(\\d+))\\s*$");
    private static final Pattern VERIFIER = Pattern.compile("^Verifier key: (\\S+)\\s*$");
    private static final Pattern PUBLIC_KEY = Pattern.compile("^Log public key: (\\S+)\\s*$");
    private static final Pattern LOG_VERIFIER = Pattern.compile("^Verifier key of log (\\S+): (\\S+)\\s*$");
    private static final int KEPT_LINES = 2_000;

    private final Process process;
    private final ConcurrentLinkedQueue<String> output = new ConcurrentLinkedQueue<>();
    private final CompletableFuture<String> baseUrl = new CompletableFuture<>();
    private final CompletableFuture<String> verifierKey = new CompletableFuture<>();
    private final CompletableFuture<String> publicKey = new CompletableFuture<>();
    private final java.util.Map<String, String> logVerifierKeys = new java.util.concurrent.ConcurrentHashMap<>();

    private ServerProcess(Process process) {
        this.process = process;
        Thread reader = new Thread(this::pump, "server-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** The runnable CLI jar, as passed by the parent pom (or its default location when run from an IDE). */
    static Path cliJar() {
        String configured = System.getProperty("indelible.cli.jar");
        Path jar = configured != null
                ? Path.of(configured)
                : Path.of("..", "indelible-cli", "target", "indelible.jar")
                        .toAbsolutePath()
                        .normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(
                    "CLI jar not found at " + jar + "; build it with ./mvnw -DskipTests install");
        }
        return jar;
    }

    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** A command line running the CLI jar with {@code args}. */
    static List<String> cliCommand(String... args) {
        List<String> command = new ArrayList<>();
        command.add(javaBinary());
        command.add("-Xmx384m");
        command.add("-jar");
        command.add(cliJar().toString());
        command.addAll(List.of(args));
        return command;
    }

    /** Starts {@code server} on 127.0.0.1:0 over {@code data} and waits until it prints its port. */
    static ServerProcess start(Path data, long checkpointIntervalMillis, String... extraArgs) throws IOException {
        List<String> args = new ArrayList<>(List.of(
                "server",
                "--listen",
                "127.0.0.1:0",
                "--data",
                data.toString(),
                "--checkpoint-interval",
                Long.toString(checkpointIntervalMillis),
                "--origin-host",
                "it.indelible.test",
                "--auth",
                "off"));
        args.addAll(List.of(extraArgs));
        ProcessBuilder builder = new ProcessBuilder(cliCommand(args.toArray(String[]::new)));
        builder.redirectErrorStream(true);
        ServerProcess server = new ServerProcess(builder.start());
        try {
            server.baseUrl.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            server.kill();
            throw new IllegalStateException(
                    "server did not print its address within " + START_TIMEOUT + "; output:\n" + server.output(), e);
        } catch (InterruptedException e) {
            server.kill();
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return server;
    }

    private void pump() {
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                output.add(line);
                while (output.size() > KEPT_LINES) {
                    output.poll();
                }
                Matcher verifier = VERIFIER.matcher(line);
                if (verifier.find()) {
                    verifierKey.complete(verifier.group(1));
                }
                Matcher publicKeyLine = PUBLIC_KEY.matcher(line);
                if (publicKeyLine.find()) {
                    publicKey.complete(publicKeyLine.group(1));
                }
                Matcher logVerifier = LOG_VERIFIER.matcher(line);
                if (logVerifier.find()) {
                    logVerifierKeys.put(logVerifier.group(1), logVerifier.group(2));
                }
                Matcher listening = LISTENING.matcher(line);
                if (listening.find()) {
                    baseUrl.complete(listening.group(1));
                }
            }
        } catch (IOException e) {
            // the process died; whoever waits sees the timeout or the exit
        } finally {
            baseUrl.completeExceptionally(new IllegalStateException("server output ended"));
        }
    }

    URI uri(String path) {
        return URI.create(baseUrl.join() + path);
    }

    String baseUrl() {
        return baseUrl.join();
    }

    /** The verifier key the server printed at start (null if it printed none). */
    String verifierKey() {
        return verifierKey.getNow(null);
    }

    /** The base64 Ed25519 public key the server printed at start (null if none). */
    String publicKey() {
        return publicKey.getNow(null);
    }

    /** The verifier keys of existing logs the server printed at start, by log name. */
    java.util.Map<String, String> logVerifierKeys() {
        return java.util.Map.copyOf(logVerifierKeys);
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String output() {
        return String.join("\n", output);
    }

    /** kill -9: SIGKILL, no shutdown hooks run. Waits (bounded) until the process is gone. */
    void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("server pid " + process.pid() + " survived SIGKILL for 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }
}
