package dev.indelible.log.fsck;

import dev.indelible.formats.merkle.Hash;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What {@link Fsck} found in a data directory, one {@link LogResult} per log, in name order. The
 * caller MUST look at {@link #corrupt()} (or each log's problems): a report is not a yes/no.
 *
 * @param logs every log checked
 */
public record FsckReport(List<LogResult> logs) {
    /** Copies the list. */
    public FsckReport {
        logs = List.copyOf(logs);
    }

    /** Whether any log has a problem. */
    public boolean corrupt() {
        return logs.stream().anyMatch(LogResult::corrupt);
    }

    /** The one-line summary: logs checked, corrupt, with warnings. */
    public String summary() {
        long corrupt = logs.stream().filter(LogResult::corrupt).count();
        long warned = logs.stream().filter(l -> !l.warnings().isEmpty()).count();
        return "fsck: " + logs.size() + (logs.size() == 1 ? " log" : " logs") + ", " + corrupt + " corrupt, " + warned
                + " with warnings";
    }

    /**
     * One corruption: evidence that stored bytes are wrong, never something recovery may repair.
     *
     * @param leafIndex the first leaf index the problem makes untrustworthy, or {@code -1} if it
     *     concerns no leaf (a checkpoint's signature, the metadata)
     * @param reason what is wrong, with the values that failed
     */
    public record Problem(long leafIndex, String reason) {
        /** Validates. */
        public Problem {
            Objects.requireNonNull(reason, "reason");
            if (leafIndex < -1) {
                throw new IllegalArgumentException("leafIndex " + leafIndex);
            }
        }
    }

    /**
     * The result for one log.
     *
     * @param log the log's name (its directory under {@code logs/})
     * @param entries valid entries in the segments (before any corruption)
     * @param checkpoints checkpoints read from the history
     * @param root the root hash recomputed over the {@code entries} entries
     * @param problems every corruption found (bounded), in the order found
     * @param warnings what recovery would repair on the next start (torn tails, derived data)
     */
    public record LogResult(
            String log, long entries, long checkpoints, Hash root, List<Problem> problems, List<String> warnings) {
        /** Copies the lists. */
        public LogResult {
            Objects.requireNonNull(log, "log");
            Objects.requireNonNull(root, "root");
            problems = List.copyOf(problems);
            warnings = List.copyOf(warnings);
        }

        /** Whether any problem was found. */
        public boolean corrupt() {
            return !problems.isEmpty();
        }

        /** The problem with the smallest leaf index (the first found on ties), or else the first found. */
        public Optional<Problem> firstProblem() {
            return problems.stream()
                    .filter(p -> p.leafIndex() >= 0)
                    .min(Comparator.comparingLong(Problem::leafIndex))
                    .or(() -> problems.stream().findFirst());
        }

        /** The first leaf index that cannot be trusted, if any problem concerns a leaf. */
        public OptionalLong firstBadLeafIndex() {
            return problems.stream()
                    .mapToLong(Problem::leafIndex)
                    .filter(i -> i >= 0)
                    .min();
        }

        /**
         * The report lines: {@code ok <log>: …} or {@code CORRUPT <log>: first bad leaf index <i>: <reason>},
         * then one {@code   also: …} line per further problem and one {@code warning <log>: …} per warning.
         */
        public List<String> lines() {
            List<String> lines = new ArrayList<>();
            Optional<Problem> first = firstProblem();
            if (first.isEmpty()) {
                lines.add("ok " + log + ": " + entries + " entries, " + checkpoints + " checkpoints, root "
                        + root.base64());
            } else {
                Problem p = first.get();
                String where = p.leafIndex() >= 0 ? "first bad leaf index " + p.leafIndex() + ": " : "";
                lines.add("CORRUPT " + log + ": " + where + p.reason());
                for (Problem other : problems) {
                    if (other != p) {
                        String at = other.leafIndex() >= 0 ? "leaf " + other.leafIndex() + ": " : "";
                        lines.add("  also: " + at + other.reason());
                    }
                }
            }
            for (String warning : warnings) {
                lines.add("warning " + log + ": " + warning);
            }
            return lines;
        }
    }
}
