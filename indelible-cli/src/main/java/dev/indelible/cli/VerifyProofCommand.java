package dev.indelible.cli;

import dev.indelible.client.verify.ReceiptVerifier;
import dev.indelible.client.verify.VerifierKeyText;
import dev.indelible.formats.merkle.ProofVerificationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code indelible verify-proof}: checks a receipt offline; all logic is in {@link ReceiptVerifier}. */
@Command(
        name = "verify-proof",
        mixinStandardHelpOptions = true,
        description = "Verify a C2SP tlog-proof@v1 receipt for an entry offline (no network): the checkpoint's "
                + "signature against the pinned key, and the entry's inclusion in it.",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:verified", "1:could not check (files)", "2:usage error", "3:verification FAILED"})
final class VerifyProofCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--proof",
            paramLabel = "FILE",
            required = true,
            description = "The .tlog-proof file (from 'indelible proof' or an append with --wait-checkpoint).")
    Path proof;

    @Option(
            names = "--entry",
            paramLabel = "FILE",
            required = true,
            description = "The exact entry bytes (from 'indelible get --index I'); one trailing newline is ignored.")
    Path entry;

    @Option(
            names = "--vkey",
            paramLabel = "KEY",
            required = true,
            description = "Pinned verifier key <name>+<hex id>+<base64 key>, or @FILE holding it.")
    String vkey;

    @Override
    public Integer call() throws Exception {
        ReceiptVerifier verifier = new ReceiptVerifier(VerifierKeyText.resolve(vkey));
        byte[] proofBytes = Files.readAllBytes(proof);
        byte[] entryBytes = ReceiptVerifier.entryFromFile(Files.readAllBytes(entry));
        try {
            spec.commandLine()
                    .getOut()
                    .println(verifier.verify(proofBytes, entryBytes).summary());
            spec.commandLine().getOut().flush();
            return 0;
        } catch (ProofVerificationException e) {
            spec.commandLine().getErr().println("indelible verify-proof: FAILED: " + Main.oneLine(e));
            spec.commandLine().getErr().flush();
            return VerifyCommand.FAILED;
        }
    }
}
