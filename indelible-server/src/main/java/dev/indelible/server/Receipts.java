package dev.indelible.server;

import dev.indelible.formats.merkle.Hash;
import dev.indelible.formats.proof.TlogProof;
import dev.indelible.formats.tiles.EntryBundle;
import dev.indelible.log.AuditLog;
import dev.indelible.log.ErrorCode;
import dev.indelible.log.IndelibleException;
import dev.indelible.log.PublishedCheckpoint;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Builds the evidence the API hands out: verifier keys, tlog-proof receipts and entry bundles. */
final class Receipts {
    private final LogKey key;

    Receipts(LogKey key) {
        this.key = key;
    }

    /** The verifier key of {@code log}. */
    String verifierKey(AuditLog log) {
        return key.verifierKey(log.origin());
    }

    /** A C2SP tlog-proof@v1 for one leaf against a published checkpoint. */
    String tlogProof(long leafIndex, List<Hash> proof, PublishedCheckpoint checkpoint) {
        return new String(
                TlogProof.of(leafIndex, proof, checkpoint.signedNote()).format(), StandardCharsets.UTF_8);
    }

    /** The C2SP entry bundle {@code index} of {@code width} entries. */
    byte[] entryBundle(AuditLog log, long index, int width) {
        long size = log.head().treeSize();
        long start = index * 256;
        if (index < 0 || width < 1 || width > 256 || start + width > size) {
            throw new IndelibleException(
                    ErrorCode.NOT_FOUND,
                    "entry bundle " + index + " width " + width + " is not in the tree of size " + size);
        }
        List<byte[]> entries = new ArrayList<>(width);
        log.entries(start, start + width, entries::add);
        return EntryBundle.encode(entries);
    }
}
