package dev.indelible.storage.segment;

import dev.indelible.storage.Corruption;
import java.util.Optional;

/**
 * What {@link SegmentStore#open} found and did.
 *
 * @param segmentCount segment files in use after recovery
 * @param leafCount records available after recovery (below the corruption, if any)
 * @param truncatedBytes bytes of torn tail cut from the active segment (0 if none)
 * @param truncationReason why the tail was judged torn; empty if nothing was cut
 * @param positionTablesRebuilt position tables (derived data) rewritten from their segments
 * @param corruption the first corruption found; when present the store is in the failed state
 */
public record RecoveryReport(
        int segmentCount,
        long leafCount,
        long truncatedBytes,
        String truncationReason,
        int positionTablesRebuilt,
        Optional<Corruption> corruption) {
    /** Whether recovery found nothing to repair or report. */
    public boolean clean() {
        return truncatedBytes == 0 && positionTablesRebuilt == 0 && corruption.isEmpty();
    }
}
