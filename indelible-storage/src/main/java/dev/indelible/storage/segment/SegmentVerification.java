package dev.indelible.storage.segment;

import dev.indelible.storage.Corruption;
import java.util.Optional;

/**
 * The result of {@link SegmentStore#verify}, a read-only full check of every segment. The caller
 * MUST look at {@link #corruption()}: a verification result is not a yes/no.
 *
 * @param segmentCount segment files found
 * @param leafCount valid records before the first problem (all records if none)
 * @param tornTailBytes bytes of torn tail in the last segment that recovery would truncate
 * @param positionTableProblems sealed segments whose position table is missing or disagrees with
 *     the segment (derived data: recovery rebuilds it; not corruption)
 * @param corruption the first corrupt record, header or leaf-index gap, if any
 */
public record SegmentVerification(
        int segmentCount,
        long leafCount,
        long tornTailBytes,
        int positionTableProblems,
        Optional<Corruption> corruption) {
    /** Whether every byte checked out: no corruption, no torn tail, no position-table problems. */
    public boolean intact() {
        return corruption.isEmpty() && tornTailBytes == 0 && positionTableProblems == 0;
    }
}
