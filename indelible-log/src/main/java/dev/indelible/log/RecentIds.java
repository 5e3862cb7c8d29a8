package dev.indelible.log;

import dev.indelible.log.envelope.EnvelopeWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
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
 */
public final class RecentIds {
    /** How many ids a log remembers. */
    public static final int WINDOW_MAX = 100_000;
    /** Ids longer than this (in UTF-16 chars) are never remembered, so never deduplicated. */
    public static final int ID_MAX_CHARS = 1_024;

    private final LinkedHashMap<String, Long> ids = new LinkedHashMap<>();

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
        Long first = ids.get(clientIds.get(0).get());
        if (first == null) {
            return -1;
        }
        for (int i = 1; i < clientIds.size(); i++) {
            Long at = ids.get(clientIds.get(i).get());
            if (at == null || at != first + i) {
                return -1;
            }
        }
        return first;
    }

    /** Remembers the ids of an append whose first entry landed at {@code first}, evicting the eldest. */
    public void remember(List<Optional<String>> clientIds, long first) {
        for (int i = 0; i < clientIds.size(); i++) {
            long leafIndex = first + i;
            String id = clientIds.get(i).orElse(null);
            if (id != null && id.length() <= ID_MAX_CHARS && ids.put(id, leafIndex) != null) {
                // seen before: move it to the youngest end (a put keeps an existing key's place)
                ids.remove(id);
                ids.put(id, leafIndex);
            }
        }
        Iterator<Map.Entry<String, Long>> eldest = ids.entrySet().iterator();
        while (ids.size() > WINDOW_MAX && eldest.hasNext()) {
            eldest.next();
            eldest.remove();
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

    /** The window, eldest first (a copy). */
    public LinkedHashMap<String, Long> toMap() {
        return new LinkedHashMap<>(ids);
    }

    /** Replaces the window with {@code window}, eldest first. */
    public void restore(Map<String, Long> window) {
        ids.clear();
        ids.putAll(window);
    }

    /** How many ids the window holds. */
    public int size() {
        return ids.size();
    }
}
