package dev.indelible.log.fsck;

import dev.indelible.log.fsck.FsckReport.Problem;
import java.util.ArrayList;
import java.util.List;

/** What the check of one log has found so far; bounded, so that a wrecked log cannot exhaust memory. */
final class Findings {
    /** Problems kept per log; the first bad leaf index is tracked even beyond it. */
    static final int PROBLEMS_MAX = 20;
    /** Warnings kept per log. */
    static final int WARNINGS_MAX = 20;

    private final List<Problem> problems = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private long dropped;

    void problem(long leafIndex, String reason) {
        if (problems.size() < PROBLEMS_MAX) {
            problems.add(new Problem(leafIndex, reason));
            return;
        }
        dropped++;
        // Keep the earliest leaf even when the list is full: it is what the report must name.
        long first = problems.stream()
                .mapToLong(Problem::leafIndex)
                .filter(i -> i >= 0)
                .min()
                .orElse(Long.MAX_VALUE);
        if (leafIndex >= 0 && leafIndex < first) {
            problems.set(problems.size() - 1, new Problem(leafIndex, reason));
        }
    }

    void warning(String warning) {
        if (warnings.size() < WARNINGS_MAX) {
            warnings.add(warning);
        }
    }

    List<Problem> problems() {
        if (dropped == 0) {
            return problems;
        }
        List<Problem> all = new ArrayList<>(problems);
        all.add(new Problem(-1, dropped + " more problems not listed"));
        return all;
    }

    List<String> warnings() {
        return warnings;
    }
}
