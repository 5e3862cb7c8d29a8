package dev.indelible.client.verify;

import dev.indelible.formats.merkle.ProofVerificationException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Parses C2SP tlog-tiles entry bundles: a sequence of entries, each a big-endian uint16 length
 * followed by that many bytes, with nothing after the last one.
 */
final class EntryBundles {
    private EntryBundles() {}

    /**
     * The entries of {@code bundle}, which must hold exactly {@code width} of them.
     *
     * @throws ProofVerificationException if the bundle is malformed or has another number of entries
     */
    static List<byte[]> parse(byte[] bundle, int width, long bundleIndex) {
        List<byte[]> entries = new ArrayList<>(width);
        int offset = 0;
        while (offset < bundle.length) {
            if (offset + 2 > bundle.length) {
                throw malformed(bundleIndex, "truncated length at byte " + offset);
            }
            int length = ((bundle[offset] & 0xff) << 8) | (bundle[offset + 1] & 0xff);
            offset += 2;
            if (offset + length > bundle.length) {
                throw malformed(bundleIndex, "entry " + entries.size() + " of " + length + " bytes overruns the bundle");
            }
            entries.add(Arrays.copyOfRange(bundle, offset, offset + length));
            offset += length;
        }
        if (entries.size() != width) {
            throw malformed(bundleIndex, "has " + entries.size() + " entries, want " + width);
        }
        return entries;
    }

    private static ProofVerificationException malformed(long bundleIndex, String detail) {
        return new ProofVerificationException("entry bundle " + bundleIndex + " " + detail);
    }
}
