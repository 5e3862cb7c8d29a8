package dev.indelible.formats.merkle;

/**
 * A proof, signature or checkpoint did not verify. This is evidence that the data, the proof or the
 * log is wrong; callers MUST NOT swallow it. The message names the values that failed.
 */
public class ProofVerificationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** A verification failure described by {@code message}. */
    public ProofVerificationException(String message) {
        super(message);
    }
}
