package dev.indelible.formats.encoding;

/**
 * Input text or bytes do not follow the format they claim (a malformed note, checkpoint, tile path,
 * entry bundle or proof). The message names the offending value and the rule it broke. This is a
 * bad-request condition, not evidence of misbehaviour: a well-formed input that fails a signature or
 * proof check raises {@link dev.indelible.formats.merkle.ProofVerificationException} instead.
 */
public class FormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** A format violation described by {@code message}. */
    public FormatException(String message) {
        super(message);
    }
}
