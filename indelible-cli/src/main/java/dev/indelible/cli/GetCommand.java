package dev.indelible.cli;

import dev.indelible.client.IndelibleClient;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code indelible get}: prints entries' exact bytes, one per line. */
@Command(
        name = "get",
        mixinStandardHelpOptions = true,
        description = "Print the exact bytes of one entry (--index), or of a range as NDJSON (--start, --end), "
                + "each followed by a newline.")
final class GetCommand implements Callable<Integer> {
    @Mixin
    ServerOptions server = new ServerOptions();

    @Spec
    CommandSpec spec;

    /** Where entry bytes go; binary-safe, so not picocli's character writer. */
    PrintStream stdout = System.out;

    @Option(names = "--log", paramLabel = "NAME", required = true, description = "Log to read from.")
    String log;

    @Option(names = "--index", paramLabel = "I", description = "Leaf index of the one entry to print.")
    Long leafIndex;

    @Option(names = "--start", paramLabel = "S", description = "First leaf index of a range (inclusive).")
    Long start;

    @Option(names = "--end", paramLabel = "E", description = "End of a range (exclusive).")
    Long end;

    @Override
    public Integer call() {
        boolean range = start != null || end != null;
        if ((leafIndex == null) == !range || (range && (start == null || end == null))) {
            throw new ParameterException(spec.commandLine(), "give either --index I, or both --start S and --end E");
        }
        try (IndelibleClient client = server.client().build()) {
            if (leafIndex != null) {
                writeLine(client.entry(log, leafIndex));
            } else {
                client.entries(log, start, end, (entry, i) -> writeLine(entry));
            }
        }
        stdout.flush();
        return 0;
    }

    private void writeLine(byte[] entry) {
        try {
            stdout.write(entry);
            stdout.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
