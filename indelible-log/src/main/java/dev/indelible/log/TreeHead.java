package dev.indelible.log;

import dev.indelible.formats.merkle.Hash;

/** The size and root hash of the durable, integrated tree at one moment. */
public record TreeHead(long treeSize, Hash rootHash) {}
