package dev.indelible.client.verify;

import dev.indelible.client.ConsistencyProof;
import dev.indelible.formats.checkpoint.Checkpoint;
import dev.indelible.formats.merkle.ProofVerificationException;

/**
 * Evidence that a log rewrote its history: two checkpoints it signed that no append-only tree can
 * both match, and the consistency proof it served that fails between them. Callers MUST NOT
 * swallow this: keep the evidence (both signed notes and the proof) and raise an alarm.
 */
public final class InconsistencyException extends ProofVerificationException {
    private static final long serialVersionUID = 1L;

    private final transient Checkpoint previous;
    private final String previousNote;
    private final transient Checkpoint latest;
    private final String latestNote;
    private final transient ConsistencyProof proof;

    /**
     * Evidence of an inconsistency.
     *
     * @param previous the checkpoint verified earlier
     * @param previousNote its signed note, or empty if it was not kept
     * @param latest the checkpoint just verified
     * @param latestNote its signed note
     * @param proof the consistency proof that failed (empty hashes when the sizes are equal)
     */
    public InconsistencyException(
            String message,
            Checkpoint previous,
            String previousNote,
            Checkpoint latest,
            String latestNote,
            ConsistencyProof proof) {
        super(message);
        this.previous = previous;
        this.previousNote = previousNote;
        this.latest = latest;
        this.latestNote = latestNote;
        this.proof = proof;
    }

    /** The checkpoint verified earlier. */
    public Checkpoint previous() {
        return previous;
    }

    /** Its signed note text (empty if the state did not keep it). */
    public String previousNote() {
        return previousNote;
    }

    /** The checkpoint just verified. */
    public Checkpoint latest() {
        return latest;
    }

    /** Its signed note text. */
    public String latestNote() {
        return latestNote;
    }

    /** The consistency proof the log served. */
    public ConsistencyProof proof() {
        return proof;
    }
}
