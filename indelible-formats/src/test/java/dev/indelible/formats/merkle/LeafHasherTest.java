package dev.indelible.formats.merkle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class LeafHasherTest {
    @Test
    void matchesRfc9162LeafHashForManyEntriesInARow() {
        LeafHasher hasher = new LeafHasher();
        Random random = new Random(9162);
        for (int i = 0; i < 2_000; i++) {
            byte[] entry = new byte[random.nextInt(i < 100 ? 200 : 70_000)];
            random.nextBytes(entry);
            assertEquals(Rfc9162.leafHash(entry), hasher.leafHash(entry), "entry " + i);
            if (entry.length > 2) {
                int offset = random.nextInt(entry.length / 2);
                int length = random.nextInt(entry.length - offset);
                assertEquals(Rfc9162.leafHash(entry, offset, length), hasher.leafHash(entry, offset, length));
            }
        }
    }

    @Test
    void knownAnswerForTheEmptyEntry() {
        // SHA-256(0x00), RFC 6962 test vector for the empty leaf
        assertEquals(
                "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                new LeafHasher().leafHash(new byte[0]).hex());
    }
}
