package dev.indelible.log;

/**
 * Signs checkpoint note text into a C2SP signed note. Implementations MUST be deterministic for the
 * same text and key (Ed25519 is) and thread-safe.
 */
@FunctionalInterface
public interface CheckpointSigner {
    /** The complete signed note: {@code text}, a blank line and at least one signature line. */
    byte[] sign(String checkpointText);
}
