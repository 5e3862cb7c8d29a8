package dev.indelible.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class RecentIdsTest {
    private static List<Optional<String>> ids(String... ids) {
        return java.util.Arrays.stream(ids).map(Optional::ofNullable).toList();
    }

    @Test
    void aRetryRepeatsEveryIdConsecutivelyInOrder() {
        RecentIds recent = new RecentIds();
        recent.remember(ids("a", "b", "c"), 10);
        assertThat(recent.retryOf(ids("a", "b", "c"))).isEqualTo(10);
        assertThat(recent.retryOf(ids("b", "c")))
                .as("a tail of it is a retry too")
                .isEqualTo(11);
        assertThat(recent.retryOf(ids("a", "c"))).as("not consecutive").isEqualTo(-1);
        assertThat(recent.retryOf(ids("b", "a"))).as("another order").isEqualTo(-1);
        assertThat(recent.retryOf(ids("a", "new"))).as("partly new").isEqualTo(-1);
        assertThat(recent.retryOf(ids("a", null))).as("an entry without id").isEqualTo(-1);
        assertThat(recent.retryOf(List.of())).isEqualTo(-1);
    }

    @Test
    void anIdRemembersItsLatestPositionAndTheEldestAreEvicted() {
        RecentIds recent = new RecentIds();
        recent.remember(ids("a", null, "b"), 0);
        recent.remember(ids("a"), 7);
        assertThat(recent.retryOf(ids("a"))).isEqualTo(7);
        assertThat(recent.retryOf(ids("b"))).isEqualTo(2);

        recent.remember(
                IntStream.range(0, RecentIds.WINDOW_MAX)
                        .mapToObj(i -> Optional.of("x" + i))
                        .toList(),
                100);
        assertThat(recent.size()).isEqualTo(RecentIds.WINDOW_MAX);
        assertThat(recent.retryOf(ids("b"))).as("evicted").isEqualTo(-1);
        assertThat(recent.retryOf(ids("x0", "x1"))).isEqualTo(100);
    }

    @Test
    void tooLongIdsAreNotRemembered() {
        RecentIds recent = new RecentIds();
        String tooLong = "y".repeat(RecentIds.ID_MAX_CHARS + 1);
        String longest = "z".repeat(RecentIds.ID_MAX_CHARS);
        recent.remember(ids(tooLong, longest), 0);
        assertThat(recent.retryOf(ids(tooLong))).isEqualTo(-1);
        assertThat(recent.retryOf(ids(longest))).isEqualTo(1);
    }

    @Test
    void theWindowCopiesOutAndRestoresInOrder() {
        RecentIds recent = new RecentIds();
        recent.remember(ids("a", "b"), 3);
        RecentIds restored = new RecentIds();
        restored.restore(recent.toMap());
        assertThat(restored.toMap()).containsExactly(java.util.Map.entry("a", 3L), java.util.Map.entry("b", 4L));
        assertThat(restored.retryOf(ids("a", "b"))).isEqualTo(3);
    }

    @Test
    void idsWithEqualStringHashCodesAndLongIdsAreTold() {
        RecentIds recent = new RecentIds();
        String longId = "\u00e9".repeat(RecentIds.ID_MAX_CHARS); // beyond the arena's first size
        recent.remember(ids("Aa", "BB", longId, "AaAa", "BBBB"), 0);
        assertThat("Aa".hashCode()).isEqualTo("BB".hashCode());
        assertThat(recent.retryOf(ids("BB", longId, "AaAa"))).isEqualTo(1);
        assertThat(recent.retryOf(ids("BBBB"))).isEqualTo(4);
        assertThat(recent.retryOf(ids("AaBB"))).isEqualTo(-1);
        assertThat(recent.toMap().keySet()).containsExactly("Aa", "BB", longId, "AaAa", "BBBB");
    }

    /**
     * Random remembers and lookups over a small alphabet (ids remembered again, entries without
     * ids, evictions, compactions) answer exactly as an insertion-ordered map with eviction of the
     * eldest does: the window's rule, written the plain way.
     */
    @Property(tries = 300)
    void behavesLikeAnInsertionOrderedMapThatEvictsItsEldest(
            @ForAll("operations") List<List<Integer>> operations, @ForAll @IntRange(min = 1, max = 40) int window) {
        RecentIds recent = new RecentIds(window);
        LinkedHashMap<String, Long> model = new LinkedHashMap<>();
        long next = 0;
        for (List<Integer> operation : operations) {
            List<Optional<String>> clientIds = operation.subList(1, operation.size()).stream()
                    .map(k -> k % 13 == 0 ? Optional.<String>empty() : Optional.of("id-" + k % 50))
                    .toList();
            if (operation.get(0) % 3 == 0) {
                assertThat(recent.retryOf(clientIds)).isEqualTo(modelRetryOf(model, clientIds));
            } else {
                recent.remember(clientIds, next);
                modelRemember(model, clientIds, next, window);
                next += clientIds.size();
            }
            assertThat(recent.size()).isEqualTo(model.size());
        }
        assertThat(recent.toMap()).containsExactlyEntriesOf(model);
        RecentIds restored = new RecentIds(window);
        restored.restore(recent.toMap());
        assertThat(restored.toMap()).containsExactlyEntriesOf(model);
    }

    @Provide
    Arbitrary<List<List<Integer>>> operations() {
        return Arbitraries.integers()
                .between(0, 1_000)
                .list()
                .ofMinSize(1)
                .ofMaxSize(12)
                .list()
                .ofMaxSize(200);
    }

    private static long modelRetryOf(Map<String, Long> model, List<Optional<String>> clientIds) {
        if (clientIds.isEmpty() || clientIds.stream().anyMatch(Optional::isEmpty)) {
            return -1;
        }
        Long first = model.get(clientIds.get(0).get());
        if (first == null) {
            return -1;
        }
        for (int i = 1; i < clientIds.size(); i++) {
            Long at = model.get(clientIds.get(i).get());
            if (at == null || at != first + i) {
                return -1;
            }
        }
        return first;
    }

    private static void modelRemember(
            LinkedHashMap<String, Long> model, List<Optional<String>> clientIds, long first, int window) {
        for (int i = 0; i < clientIds.size(); i++) {
            int e = i;
            clientIds.get(i).ifPresent(id -> {
                model.remove(id);
                model.put(id, first + e);
            });
        }
        Iterator<String> eldest = new ArrayList<>(model.keySet()).iterator();
        while (model.size() > window) {
            model.remove(eldest.next());
        }
    }
}
