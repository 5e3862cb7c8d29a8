package dev.indelible.client;

import dev.indelible.formats.merkle.Hash;

/**
 * One durably appended entry: where it sits in the log and the hash that commits to its bytes.
 *
 * @param leafIndex the entry's 0-based position in the log
 * @param leafHash {@code SHA-256(0x00 || entry bytes)} (RFC 9162 §2.1.1)
 */
public record AppendedEntry(long leafIndex, Hash leafHash) {}
