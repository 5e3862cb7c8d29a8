package dev.indelible.cli;

import dev.indelible.client.AppendedEntry;
import dev.indelible.client.IndelibleClient;
import dev.indelible.client.Receipt;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code indelible append}: streams NDJSON events to a log through the SDK, one line per batch. */
@Command(
        name = "append",
        mixinStandardHelpOptions = true,
        description = "Append JSON events (NDJSON: one object per line) to a log, in batches. "
                + "Prints one line per batch with the leaf indices assigned, then a total.")
final class AppendCommand implements Callable<Integer> {
    @Mixin
    ServerOptions server = new ServerOptions();

    @Spec
    CommandSpec spec;

    @Option(
            names = "--log",
            paramLabel = "NAME",
            required = true,
            description = "Log to append to, [a-z0-9][a-z0-9-]{0,62}; created on first append.")
    String log;

    @Option(
            names = "--batch",
            paramLabel = "N",
            defaultValue = "1000",
            description = "Most events per request, 1..100000 (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(
            names = "--wait-checkpoint",
            description = "Wait until a signed checkpoint covers each batch (slower; proves inclusion at once).")
    boolean waitCheckpoint;

    @Parameters(
            paramLabel = "FILE",
            arity = "0..*",
            description = "NDJSON files to append in order; standard input when none is given or for '-'.")
    List<Path> files = List.of();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        long total = 0;
        try (IndelibleClient client = server.client().batchMaxEvents(batch).build()) {
            List<Path> inputs = files.isEmpty() ? List.of(Path.of("-")) : files;
            for (Path input : inputs) {
                try (InputStream in = input.toString().equals("-") ? System.in : Files.newInputStream(input)) {
                    total += waitCheckpoint
                            ? client.appendNdjsonWithReceipts(log, in, receipts -> printReceipts(out, receipts))
                            : client.appendNdjson(log, in, entries -> printEntries(out, entries));
                }
            }
        }
        out.println("appended " + count(total) + " to " + log);
        out.flush();
        return 0;
    }

    private static void printEntries(PrintWriter out, List<AppendedEntry> entries) {
        out.println("appended " + count(entries.size()) + ": leaves "
                + entries.getFirst().leafIndex() + ".." + entries.getLast().leafIndex());
        out.flush();
    }

    private static void printReceipts(PrintWriter out, List<Receipt> receipts) {
        out.println("appended " + count(receipts.size()) + ": leaves "
                + receipts.getFirst().leafIndex() + ".." + receipts.getLast().leafIndex()
                + ", in checkpoint of tree size " + receipts.getFirst().treeSize());
        out.flush();
    }

    private static String count(long entries) {
        return entries + (entries == 1 ? " entry" : " entries");
    }
}
