package dev.indelible.log;

import dev.indelible.formats.merkle.Hash;

/** A durably sequenced entry: where it is, and its leaf hash. */
public record Appended(long leafIndex, Hash leafHash) {}
