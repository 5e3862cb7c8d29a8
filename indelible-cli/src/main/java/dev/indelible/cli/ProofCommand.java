package dev.indelible.cli;

import dev.indelible.client.IndelibleClient;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code indelible proof}: fetches an entry's receipt (C2SP tlog-proof@v1). */
@Command(
        name = "proof",
        mixinStandardHelpOptions = true,
        description = "Fetch the C2SP tlog-proof@v1 receipt of one entry: its inclusion proof bundled with a signed "
                + "checkpoint, verifiable offline with 'indelible verify-proof'.")
final class ProofCommand implements Callable<Integer> {
    @Mixin
    ServerOptions server = new ServerOptions();

    @Spec
    CommandSpec spec;

    /** Where the proof goes without --out. */
    PrintStream stdout = System.out;

    @Option(names = "--log", paramLabel = "NAME", required = true, description = "Log the entry is in.")
    String log;

    @Option(names = "--index", paramLabel = "I", required = true, description = "Leaf index of the entry.")
    long leafIndex;

    @Option(
            names = "--out",
            paramLabel = "FILE",
            description = "Write the proof to FILE (conventionally *.tlog-proof) instead of standard output.")
    Path out;

    @Override
    public Integer call() throws Exception {
        byte[] proof;
        try (IndelibleClient client = server.client().build()) {
            proof = client.tlogProof(log, leafIndex);
        }
        if (out == null) {
            stdout.write(proof);
            stdout.flush();
        } else {
            Files.write(out, proof);
            spec.commandLine().getErr().println("wrote the proof of leaf " + leafIndex + " to " + out);
        }
        return 0;
    }
}
