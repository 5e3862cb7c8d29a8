package dev.indelible.log;

import dev.indelible.log.envelope.EnvelopeWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The client ids (each event's top-level string {@code "id"}) of a log's most recent appends with
 * their leaf indexes, for answering a retried request with its original positions: at most {@link
 * #WINDOW_MAX} ids, the eldest evicted first. Deterministic — replicas that remember the same
 * appends in the same order hold the same window. Not thread-safe: its one writer is the thread
 * that sequences the log.
 *
 * <p>Held in primitive arrays, not a map of objects: the ids' characters in one arena, in the order
 * they were remembered, and an open-addressing table (linear probing) of positions in it. A window
 * turns over hundreds of thousands of ids a second under load, and a map's entry, boxed index and
 * string per id lived just long enough to be copied by every young collection (docs/BENCHMARKS.md,
 * session 9); here an id costs no object once remembered. The table hashes with a seed drawn at
 * start, so ids chosen to collide cannot turn lookups linear.
 */
public final class RecentIds {
    /** How many ids a log remembers. */
    public static final int WINDOW_MAX = 100_000;
    /** Ids longer than this (in UTF-16 chars) are never remembered, so never deduplicated. */
    public static final int ID_MAX_CHARS = 1_024;

    private static final long SEED = new SecureRandom().nextLong();
    private static final int EMPTY = -1;

    private final int windowMax;
    /** The ids' characters, back to back, in the order remembered (forgotten ones leave gaps). */
    private char[] chars;
    /** Characters used in {@link #chars}, including gaps. */
    private int charsEnd;
    /** Per slot (in the order remembered): where its id starts in {@link #chars}, or -1 once forgotten. */
    private int[] idStart;

    private int[] idLength;
    private int[] idHash;
    private long[] leafIndex;
    /** Slots used, including forgotten ones. */
    private int slotsEnd;
    /** The eldest slot that may still hold an id. */
    private int eldest;
    /** Ids held. */
    private int size;
    /** Open addressing: a slot number, or {@link #EMPTY}; at most half full. */
    private int[] table;

    /** A window of {@link #WINDOW_MAX} ids. */
    public RecentIds() {
        this(WINDOW_MAX);
    }

    /** A window of {@code windowMax} ids (tests). */
    RecentIds(int windowMax) {
        this.windowMax = windowMax;
        clear();
    }

    /** Forgets every id, back to the small arrays of a new window. */
    private void clear() {
        chars = new char[256];
        charsEnd = 0;
        idStart = new int[16];
        idLength = new int[16];
        idHash = new int[16];
        leafIndex = new long[16];
        slotsEnd = 0;
        eldest = 0;
        size = 0;
        table = emptyTable(32);
    }

    /**
     * The first leaf index of the earlier append that a request with {@code clientIds} repeats, or
     * -1: a request is a retry when <em>all</em> its entries carry ids that were appended
     * consecutively, in the same order, within the window. A request that only partly repeats ids
     * is not one (it is appended in full).
     */
    public long retryOf(List<Optional<String>> clientIds) {
        if (clientIds.isEmpty() || clientIds.stream().anyMatch(Optional::isEmpty)) {
            return -1;
        }
        int slot = slotOf(clientIds.get(0).get());
        if (slot < 0) {
            return -1;
        }
        long first = leafIndex[slot];
        for (int i = 1; i < clientIds.size(); i++) {
            int at = slotOf(clientIds.get(i).get());
            if (at < 0 || leafIndex[at] != first + i) {
                return -1;
            }
        }
        return first;
    }

    /**
     * Remembers the ids of an append whose first entry landed at {@code first}, evicting the eldest;
     * an id remembered again moves to the youngest end with its new leaf index.
     */
    public void remember(List<Optional<String>> clientIds, long first) {
        for (int i = 0; i < clientIds.size(); i++) {
            String id = clientIds.get(i).orElse(null);
            if (id != null && id.length() <= ID_MAX_CHARS) {
                put(id, first + i);
            }
        }
        while (size > windowMax) {
            while (idStart[eldest] < 0) {
                eldest++;
            }
            forget(eldest);
        }
    }

    /**
     * The window the latest {@link #WINDOW_MAX} entries of {@code storage} leave: each entry's client
     * id, read back from its envelope or detached body ({@link EnvelopeWriter#clientId}), remembered in
     * order. Where the appends that made them had fewer ids than entries, the window they left reached
     * further back; this one stops at those entries.
     */
    public static RecentIds ofLatestEntries(LogStorage storage) throws IOException {
        RecentIds rebuilt = new RecentIds();
        long size = storage.head().treeSize();
        long[] leafIndex = {Math.max(0, size - WINDOW_MAX)};
        try {
            storage.entries(leafIndex[0], size, entry -> {
                try {
                    rebuilt.remember(List.of(EnvelopeWriter.clientId(entry, storage::body)), leafIndex[0]++);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return rebuilt;
    }

    /** A window holding {@code window}, eldest first. */
    public static RecentIds of(Map<String, Long> window) {
        RecentIds ids = new RecentIds();
        ids.restore(window);
        return ids;
    }

    /** An independent copy of this window (array copies: cheap enough for the Raft apply thread). */
    public RecentIds copy() {
        RecentIds copy = new RecentIds(windowMax);
        copy.chars = chars.clone();
        copy.charsEnd = charsEnd;
        copy.idStart = idStart.clone();
        copy.idLength = idLength.clone();
        copy.idHash = idHash.clone();
        copy.leafIndex = leafIndex.clone();
        copy.slotsEnd = slotsEnd;
        copy.eldest = eldest;
        copy.size = size;
        copy.table = table.clone();
        return copy;
    }

    /** The window, eldest first (a copy). */
    public LinkedHashMap<String, Long> toMap() {
        LinkedHashMap<String, Long> copy = LinkedHashMap.newLinkedHashMap(size);
        for (int slot = eldest; slot < slotsEnd; slot++) {
            if (idStart[slot] >= 0) {
                copy.put(new String(chars, idStart[slot], idLength[slot]), leafIndex[slot]);
            }
        }
        return copy;
    }

    /** Replaces the window with {@code window}, eldest first. */
    public void restore(Map<String, Long> window) {
        clear();
        window.forEach(this::put);
    }

    /** How many ids the window holds. */
    public int size() {
        return size;
    }

    private void put(String id, long leaf) {
        int hash = hash(id);
        int bucket = bucketOf(id, hash);
        if (table[bucket] != EMPTY) {
            forget(table[bucket]);
        }
        if (slotsEnd == idStart.length || charsEnd + id.length() > chars.length) {
            compact(id.length());
        }
        int slot = slotsEnd++;
        id.getChars(0, id.length(), chars, charsEnd);
        idStart[slot] = charsEnd;
        idLength[slot] = id.length();
        idHash[slot] = hash;
        leafIndex[slot] = leaf;
        charsEnd += id.length();
        size++;
        table[bucketOf(id, hash)] = slot;
    }

    /** The slot holding {@code id}, or -1. */
    private int slotOf(String id) {
        return table[bucketOf(id, hash(id))];
    }

    /** The bucket holding {@code id}, or the empty bucket where it would go. */
    private int bucketOf(String id, int hash) {
        int mask = table.length - 1;
        for (int bucket = hash & mask; ; bucket = (bucket + 1) & mask) {
            int slot = table[bucket];
            if (slot == EMPTY || (idHash[slot] == hash && holds(slot, id))) {
                return bucket;
            }
        }
    }

    private boolean holds(int slot, String id) {
        if (idLength[slot] != id.length()) {
            return false;
        }
        int at = idStart[slot];
        for (int i = 0; i < id.length(); i++) {
            if (chars[at + i] != id.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Forgets the id in {@code slot}: its bucket is emptied and the run after it shifted back. */
    private void forget(int slot) {
        int mask = table.length - 1;
        int hole = idHash[slot] & mask;
        while (table[hole] != slot) {
            hole = (hole + 1) & mask;
        }
        for (int bucket = (hole + 1) & mask; table[bucket] != EMPTY; bucket = (bucket + 1) & mask) {
            int home = idHash[table[bucket]] & mask;
            // an entry may move back to the hole unless its home lies cyclically in (hole, bucket]
            boolean homeAfterHole = hole <= bucket ? hole < home && home <= bucket : hole < home || home <= bucket;
            if (!homeAfterHole) {
                table[hole] = table[bucket];
                hole = bucket;
            }
        }
        table[hole] = EMPTY;
        idStart[slot] = -1;
        size--;
    }

    /**
     * Moves the ids held to the front, in order, sizing the arrays to half as much again as they
     * hold plus one more id of {@code nextLength} characters; then rebuilds the table (at least twice
     * as many buckets as slots). Amortized: the next compaction is a third of the slots or characters
     * later.
     */
    private void compact(int nextLength) {
        int heldChars = 0;
        for (int slot = eldest; slot < slotsEnd; slot++) {
            if (idStart[slot] >= 0) {
                heldChars += idLength[slot];
            }
        }
        int slots = Math.max(16, size + 1 + (size >> 1));
        char[] newChars = new char[Math.max(256, heldChars + nextLength + (heldChars >> 1))];
        int[] newStart = new int[slots];
        int[] newLength = new int[slots];
        int[] newHash = new int[slots];
        long[] newLeaf = new long[slots];
        int kept = 0;
        int at = 0;
        for (int slot = eldest; slot < slotsEnd; slot++) {
            if (idStart[slot] >= 0) {
                System.arraycopy(chars, idStart[slot], newChars, at, idLength[slot]);
                newStart[kept] = at;
                newLength[kept] = idLength[slot];
                newHash[kept] = idHash[slot];
                newLeaf[kept] = leafIndex[slot];
                at += idLength[slot];
                kept++;
            }
        }
        chars = newChars;
        charsEnd = at;
        idStart = newStart;
        idLength = newLength;
        idHash = newHash;
        leafIndex = newLeaf;
        slotsEnd = kept;
        eldest = 0;
        table = emptyTable(Integer.highestOneBit(2 * slots - 1) << 1);
        int mask = table.length - 1;
        for (int slot = 0; slot < kept; slot++) {
            int bucket = idHash[slot] & mask;
            while (table[bucket] != EMPTY) {
                bucket = (bucket + 1) & mask;
            }
            table[bucket] = slot;
        }
    }

    private static int[] emptyTable(int buckets) {
        int[] table = new int[buckets];
        Arrays.fill(table, EMPTY);
        return table;
    }

    /** A seeded hash of the id's characters (each step a bijection of the 64-bit state). */
    private static int hash(String id) {
        long h = SEED ^ id.length();
        for (int i = 0; i < id.length(); i++) {
            h = (h ^ id.charAt(i)) * 0x9E3779B97F4A7C15L;
            h ^= h >>> 32;
        }
        h *= 0xD6E8FEB86659FD93L;
        h ^= h >>> 32;
        return (int) h;
    }
}
