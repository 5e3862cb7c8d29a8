package dev.indelible.cli;

import dev.indelible.client.IndelibleClient;
import dev.indelible.client.verify.InconsistencyException;
import dev.indelible.client.verify.LogVerifier;
import dev.indelible.client.verify.VerifierKeyText;
import dev.indelible.client.verify.VerifyResult;
import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.merkle.ProofVerificationException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code indelible verify}: checks a log against a pinned key; all logic is in {@link LogVerifier}. */
@Command(
        name = "verify",
        mixinStandardHelpOptions = true,
        description = "Verify a log: the latest checkpoint's signature against a pinned verifier key, consistency "
                + "with the checkpoint saved by the previous run (--state), and with --full every entry and tile.",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:verified", "1:could not check (network, files)", "2:usage error", "3:verification FAILED"})
final class VerifyCommand implements Callable<Integer> {
    @Mixin
    ServerOptions server = new ServerOptions();

    static final int FAILED = 3;

    @Spec
    CommandSpec spec;

    @Option(names = "--log", paramLabel = "NAME", required = true, description = "Log to verify.")
    String log;

    @Option(
            names = "--vkey",
            paramLabel = "KEY",
            required = true,
            description = "Pinned verifier key <name>+<hex id>+<base64 key>, or @FILE holding it.")
    String vkey;

    @Option(
            names = "--state",
            paramLabel = "FILE",
            description = "State file: the checkpoint verified last time (consistency is proven from it) and, "
                    + "after success, this one. Left untouched when verification fails.")
    Path state;

    @Option(
            names = "--full",
            description = "Also download every entry bundle and level-0 tile, recompute every leaf hash and "
                    + "the root (progress on stderr).")
    boolean full;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (IndelibleClient client = server.client().build()) {
            LogVerifier verifier = new LogVerifier(client, log, VerifierKeyText.resolve(vkey));
            LogVerifier.ProgressListener progress = full ? progressBar(err) : LogVerifier.ProgressListener.none();
            VerifyResult result = verifier.verify(Optional.ofNullable(state), full, progress);
            out.println(result.summary());
            out.flush();
            return 0;
        } catch (InconsistencyException e) {
            err.println("indelible verify: FAILED: " + Main.oneLine(e));
            err.println("evidence: previous checkpoint:");
            err.print(e.previousNote().isEmpty() ? e.previous().format() : e.previousNote());
            err.println("evidence: latest checkpoint:");
            err.print(e.latestNote());
            err.println("evidence: consistency proof " + e.proof().from() + " -> "
                    + e.proof().to() + ":");
            e.proof().hashes().stream().map(Hash::base64).forEach(err::println);
            err.flush();
            return FAILED;
        } catch (ProofVerificationException e) {
            err.println();
            err.println("indelible verify: FAILED: " + Main.oneLine(e));
            err.flush();
            return FAILED;
        }
    }

    /** A one-line bar redrawn with carriage returns, at most once per percent. */
    static LogVerifier.ProgressListener progressBar(PrintWriter err) {
        int[] lastPercent = {-1};
        return (done, total) -> {
            int percent = total == 0 ? 100 : (int) (done * 100 / total);
            if (percent == lastPercent[0] && done != total) {
                return;
            }
            lastPercent[0] = percent;
            int filled = percent * 40 / 100;
            err.print("\r[" + "#".repeat(filled) + " ".repeat(40 - filled) + "] " + percent + "% " + done + "/" + total
                    + " entries");
            if (done == total) {
                err.println();
            }
            err.flush();
        };
    }
}
