package dev.indelible.cli;

import dev.indelible.formats.note.NoteKeys;
import dev.indelible.server.LogKey;
import dev.indelible.storage.io.FileIO;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code indelible keys}: create log signing keys and show verifier keys. */
@Command(
        name = "keys",
        mixinStandardHelpOptions = true,
        description = "Create a log signing key or show a verifier key.",
        subcommands = {KeysCommand.Generate.class, KeysCommand.Show.class})
final class KeysCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "choose generate or show");
    }

    /** {@code keys generate}: writes a new Ed25519 signer key (mode 0600) and prints its verifier key. */
    @Command(name = "generate", mixinStandardHelpOptions = true, description = "Generate an Ed25519 log signing key.")
    static final class Generate implements Callable<Integer> {
        @Option(
                names = "--name",
                required = true,
                description = "Key name, usually the origin host (e.g. audit.example.com).")
        String name;

        @Option(
                names = "--out",
                required = true,
                description = "File to create for the private key (must not exist; mode 0600).")
        Path out;

        @Override
        public Integer call() throws Exception {
            NoteKeys.KeyPairText pair = NoteKeys.generateEd25519(name, new SecureRandom());
            LogKey.createExclusive(out.toAbsolutePath(), pair.signerKey() + "\n", FileIO.posix());
            System.out.println(pair.verifierKey());
            return 0;
        }
    }

    /** {@code keys show}: prints a log's verifier key, or the public key of a signing key. */
    @Command(
            name = "show",
            mixinStandardHelpOptions = true,
            description = {
                "Print the verifier key of a log (named after its origin), or the signing key's public key.",
                "Example: indelible keys show --data data --log audit"
            })
    static final class Show implements Callable<Integer> {
        @Option(names = "--key", description = "Signing key file (default: <data>/keys/log-signing.key).")
        Path key;

        @Option(names = "--data", description = "Data directory (default: ${DEFAULT-VALUE}).", defaultValue = "data")
        Path data;

        @Option(
                names = "--log",
                description = "Log whose verifier key to print (its origin is read from <data>/logs/<log>/log.json).")
        String log;

        @Option(
                names = "--origin",
                description = "Origin to print the verifier key for, when the log does not exist yet.")
        String origin;

        @Override
        public Integer call() throws Exception {
            Path file = key != null ? key : data.resolve("keys").resolve(LogKey.FILE_NAME);
            LogKey logKey = LogKey.load(file);
            String name = origin;
            if (log != null) {
                Path meta = data.resolve("logs").resolve(log).resolve("log.json");
                name = new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(meta.toFile())
                        .path("origin")
                        .asText();
            }
            System.out.println(name == null ? logKey.publicKey() : logKey.verifierKey(name));
            return 0;
        }
    }
}
