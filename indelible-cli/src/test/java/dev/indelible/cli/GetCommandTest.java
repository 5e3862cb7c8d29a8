package dev.indelible.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class GetCommandTest {
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = new CommandLine(new GetCommand());
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void neitherIndexNorRangeIsAUsageError() {
        assertThat(run("--log", "audit")).isEqualTo(2);
        assertThat(err.toString()).contains("give either --index I, or both --start S and --end E");
    }

    @Test
    void indexTogetherWithARangeIsAUsageError() {
        assertThat(run("--log", "audit", "--index", "1", "--start", "0", "--end", "2"))
                .isEqualTo(2);
    }

    @Test
    void aHalfOpenRangeIsAUsageError() {
        assertThat(run("--log", "audit", "--start", "0")).isEqualTo(2);
    }

    @Test
    void everyCommandHasHelpThatDocumentsEachOption() {
        for (Object command : new Object[] {
            new AppendCommand(), new GetCommand(), new ProofCommand(), new VerifyCommand(), new VerifyProofCommand()
        }) {
            CommandLine cli = new CommandLine(command);
            cli.getCommandSpec()
                    .options()
                    .forEach(option -> assertThat(option.description())
                            .as(cli.getCommandName() + " " + option.longestName())
                            .isNotEmpty());
            StringWriter help = new StringWriter();
            cli.setOut(new PrintWriter(help, true));
            assertThat(cli.execute("--help")).isZero();
            assertThat(help.toString()).startsWith("Usage: " + cli.getCommandName());
        }
    }
}
