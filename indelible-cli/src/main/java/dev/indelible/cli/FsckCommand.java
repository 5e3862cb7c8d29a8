package dev.indelible.cli;

import dev.indelible.log.fsck.Fsck;
import dev.indelible.log.fsck.FsckOptions;
import dev.indelible.log.fsck.FsckReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code indelible fsck}: checks a data directory offline, without modifying it. Prints one line
 * per log and a summary; exits 0 if every log is intact (warnings allowed), 1 on any corruption,
 * 2 on a usage error.
 */
@Command(
        name = "fsck",
        mixinStandardHelpOptions = true,
        description = {
            "Checks a stopped server's data directory, read-only: segment records and CRCs, leaf and node hashes,"
                    + " checkpoint signatures and roots, lost entries, detached bodies.",
            "Prints 'ok <log>: …' or 'CORRUPT <log>: first bad leaf index <i>: <reason>' per log.",
            "Exit status: 0 intact (torn tails are warnings), 1 corruption, 2 usage error."
        })
final class FsckCommand implements Callable<Integer> {
    static final int EXIT_CORRUPT = 1;
    static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--data", paramLabel = "DIR", required = true, description = "The server's data directory.")
    Path data;

    @Option(
            names = "--vkey",
            paramLabel = "KEY",
            description = "Verifier key <origin>+<hex id>+<base64 key> of one log, or @FILE holding it; repeatable.")
    List<String> verifierKeys = new ArrayList<>();

    @Option(
            names = "--public-key",
            paramLabel = "BASE64",
            description = "The server's Ed25519 public key (standard base64), for every log without a --vkey.")
    String publicKey;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        FsckReport report;
        try {
            List<String> keys = new ArrayList<>();
            for (String key : verifierKeys) {
                keys.add(readKey(key));
            }
            FsckOptions options = new FsckOptions(data, keys, Optional.ofNullable(publicKey));
            report = Fsck.check(options, (log, checked, total) -> {
                err.println("fsck " + log + ": " + checked + "/" + total + " entries checked");
                err.flush();
            });
        } catch (IllegalArgumentException e) {
            // A missing data directory or a malformed key: nothing was checked.
            err.println("indelible fsck: " + Main.oneLine(e));
            return EXIT_USAGE;
        }
        for (FsckReport.LogResult log : report.logs()) {
            log.lines().forEach(out::println);
        }
        out.println(report.summary());
        out.flush();
        return report.corrupt() ? EXIT_CORRUPT : 0;
    }

    private String readKey(String option) {
        try {
            return Keys.read(option);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read key " + option + ": " + e.getMessage(), e);
        }
    }
}
