package dev.indelible.log.fsck;

import dev.indelible.log.fsck.FsckReport.LogResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Offline, read-only check of a server's data directory: every log under {@code logs/}.
 *
 * <p>Per log it checks (details in {@link LogCheck}): every segment header and record CRC and the
 * continuity of leaf indexes; every stored leaf hash and higher hash-row node against the entries
 * (RFC 9162 §2.1.1); every stored checkpoint's signature (C2SP signed-note, tlog-checkpoint), origin
 * and order, and its root against the root recomputed at its tree size; that no checkpoint commits
 * to more entries than the segments hold; and that every detached body exists and has its digest.
 * What a crash legitimately leaves behind and recovery repairs (a torn tail, missing position tables,
 * hash rows ahead of the entries) is a warning, not a problem.
 *
 * <p>Contract: fsck MUST NOT modify anything. Every file is opened with {@code READ} only; the
 * stores' {@code open} methods, which recover by truncating and fsync'ing, are never called.
 * Not for a directory a running server is writing: the result would describe a moving target.
 */
public final class Fsck {
    /** Leaves between two {@link Progress} reports. */
    public static final long PROGRESS_EVERY_LEAVES = 1L << 20;

    private Fsck() {}

    /** Receives progress of a long check; called on the checking thread. */
    @FunctionalInterface
    public interface Progress {
        /** {@code checked} of {@code total} entries of {@code log} have been checked. */
        void leaves(String log, long checked, long total);

        /** Reports nothing. */
        static Progress none() {
            return (log, checked, total) -> {};
        }
    }

    /**
     * Checks every log of {@code options.dataDirectory()}, in name order.
     *
     * @throws IllegalArgumentException if the data directory does not exist or a given key is malformed
     * @throws IOException if the logs directory cannot be listed
     */
    public static FsckReport check(FsckOptions options, Progress progress) throws IOException {
        Path data = options.dataDirectory();
        if (!Files.isDirectory(data)) {
            throw new IllegalArgumentException("data directory " + data + " does not exist");
        }
        VerifierKeys keys = VerifierKeys.resolve(options);
        Path logs = data.resolve("logs");
        List<LogResult> results = new ArrayList<>();
        if (!Files.isDirectory(logs)) {
            return new FsckReport(results);
        }
        List<Path> directories;
        try (Stream<Path> children = Files.list(logs)) {
            directories = children.filter(Files::isDirectory).sorted().toList();
        }
        for (Path directory : directories) {
            results.add(LogCheck.run(directory, keys, progress));
        }
        return new FsckReport(results);
    }
}
