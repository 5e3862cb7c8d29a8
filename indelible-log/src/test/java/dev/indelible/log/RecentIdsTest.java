package dev.indelible.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
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
}
