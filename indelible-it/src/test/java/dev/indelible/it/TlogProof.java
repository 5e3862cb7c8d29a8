package dev.indelible.it;

import dev.indelible.formats.merkle.Hash;
import java.util.ArrayList;
import java.util.List;

/**
 * A C2SP {@code tlog-proof@v1}, parsed from the spec: a header line, optional {@code extra} line,
 * {@code index N}, one base64 proof hash a line, a blank line, then the signed checkpoint.
 */
record TlogProof(long leafIndex, List<Hash> hashes, String checkpointNote) {
    static final String HEADER = "c2sp.org/tlog-proof@v1";

    static TlogProof parse(String text) {
        String[] lines = text.split("\n", -1);
        if (!lines[0].equals(HEADER)) {
            throw new IllegalArgumentException("not a tlog-proof@v1: " + text);
        }
        int i = 1;
        if (lines[i].startsWith("extra ")) {
            i++;
        }
        if (!lines[i].startsWith("index ")) {
            throw new IllegalArgumentException("no index line: " + text);
        }
        long index = Long.parseLong(lines[i].substring("index ".length()));
        i++;
        List<Hash> hashes = new ArrayList<>();
        while (i < lines.length && !lines[i].isEmpty()) {
            hashes.add(Hash.fromBase64(lines[i]));
            i++;
        }
        if (i >= lines.length) {
            throw new IllegalArgumentException("no blank line before the checkpoint: " + text);
        }
        String note = String.join("\n", java.util.Arrays.copyOfRange(lines, i + 1, lines.length));
        return new TlogProof(index, List.copyOf(hashes), note);
    }
}
