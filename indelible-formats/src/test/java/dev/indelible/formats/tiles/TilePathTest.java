package dev.indelible.formats.tiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.indelible.formats.encoding.FormatException;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class TilePathTest {
    @Test
    void specExampleIndexIsWrittenInGroupsOfThreeWithXPrefixes() {
        assertThat(TilePath.hashTile(0, 1234067, 256).format()).isEqualTo("tile/0/x001/x234/067");
        assertThat(TilePath.parse("tile/0/x001/x234/067")).isEqualTo(TilePath.hashTile(0, 1234067, 256));
    }

    @Test
    void knownPathsFormatAndParse() {
        List<Object[]> table = List.of(
                new Object[] {TilePath.hashTile(0, 0, 256), "tile/0/000"},
                new Object[] {TilePath.hashTile(1, 5, 17), "tile/1/005.p/17"},
                new Object[] {TilePath.hashTile(2, 999, 1), "tile/2/999.p/1"},
                new Object[] {TilePath.hashTile(63, 1000, 256), "tile/63/x001/000"},
                new Object[] {TilePath.entryBundle(273, 112), "tile/entries/273.p/112"},
                new Object[] {TilePath.entryBundle(1234067, 255), "tile/entries/x001/x234/067.p/255"},
                new Object[] {TilePath.hashTile(0, Long.MAX_VALUE, 256), "tile/0/x009/x223/x372/x036/x854/x775/807"});
        for (Object[] row : table) {
            assertThat(((TilePath) row[0]).format()).isEqualTo(row[1]);
            assertThat(TilePath.parse((String) row[1])).isEqualTo(row[0]);
        }
    }

    @Test
    void nonCanonicalOrMalformedPathsAreRejected() {
        List<String> bad = List.of(
                "",
                "tile/",
                "tile/0",
                "tile/0/",
                "tile/0/0",
                "tile/0/0000",
                "tile/0/01",
                "/tile/0/000",
                "tile/00/000",
                "tile/64/000",
                "tile/-1/000",
                "tile/0/x000/001",
                "tile/0/001/002",
                "tile/0/x001/x002",
                "tile/0/x01/002",
                "tile/0/000.p/0",
                "tile/0/000.p/256",
                "tile/0/000.p/01",
                "tile/0/000.p/",
                "tile/0/000.p",
                "tile/0/000/",
                "tile/0/000.p/1/",
                "tile/entries/000.p/1.p/1",
                "tile/Entries/000",
                "tile/entries",
                "tile/0/x009/x223/x372/x036/x854/x775/808",
                "tile/0/X001/000",
                "tile/0/x001/000 ",
                "tile/0/٠٠٠",
                "tile/0/x001.p/1/000",
                "tile/0/+01");
        for (String path : bad) {
            assertThatThrownBy(() -> TilePath.parse(path)).as(path).isInstanceOf(FormatException.class);
        }
    }

    @Property(tries = 1000)
    void everyPathRoundTrips(
            @ForAll @IntRange(min = -1, max = 63) int level,
            @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long index,
            @ForAll @IntRange(min = 1, max = 256) int width) {
        TilePath path = new TilePath(level, index, width);
        assertThat(TilePath.parse(path.format())).isEqualTo(path);
    }

    @Test
    void treeOf70000LeavesHasTheTilesTheSpecLists() {
        // c2sp.org/tlog-tiles §Partial Tiles: 273 full level 0 tiles, one partial of width 112, one full
        // level 1 tile, one partial level 1 tile of width 17, one partial level 2 tile of width 1.
        assertThat(TilePath.fullTileCount(0, 70_000)).isEqualTo(273);
        assertThat(TilePath.fullTileCount(1, 70_000)).isEqualTo(1);
        assertThat(TilePath.fullTileCount(2, 70_000)).isZero();
        assertThat(TilePath.partialTiles(70_000))
                .containsExactly(
                        TilePath.hashTile(0, 273, 112), TilePath.hashTile(1, 1, 17), TilePath.hashTile(2, 0, 1));
        assertThat(TilePath.hashTiles(70_000)).hasSize(273 + 1 + 1 + 1 + 1);
    }

    @Test
    void treeOf256LeavesHasOneFullTileAndAPartialLevelOneTile() {
        assertThat(TilePath.hashTiles(256)).containsExactly(TilePath.hashTile(0, 0, 256), TilePath.hashTile(1, 0, 1));
        assertThat(TilePath.hashTiles(0)).isEmpty();
        assertThat(TilePath.partialTiles(Long.MAX_VALUE)).hasSize(8);
    }

    @Test
    void nodesMapToTheTileHoldingTheirHashes() {
        assertThat(TilePath.forNode(0, 5, 10)).isEqualTo(TilePath.hashTile(0, 0, 10));
        assertThat(TilePath.forNode(3, 1, 70_000)).isEqualTo(TilePath.hashTile(0, 0, 256));
        assertThat(TilePath.forNode(8, 0, 70_000)).isEqualTo(TilePath.hashTile(1, 0, 256));
        assertThat(TilePath.forNode(9, 135, 70_000)).isEqualTo(TilePath.hashTile(1, 1, 17));
        assertThat(TilePath.forNode(16, 0, 70_000)).isEqualTo(TilePath.hashTile(2, 0, 1));
        assertThatThrownBy(() -> TilePath.forNode(0, 10, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TilePath.forNode(2, 2, 10)).hasMessageContaining("not complete");
    }

    @Test
    void leavesMapToTheirEntryBundle() {
        assertThat(TilePath.entryBundleFor(0, 1)).isEqualTo(TilePath.entryBundle(0, 1));
        assertThat(TilePath.entryBundleFor(255, 70_000)).isEqualTo(TilePath.entryBundle(0, 256));
        assertThat(TilePath.entryBundleFor(69_999, 70_000)).isEqualTo(TilePath.entryBundle(273, 112));
        assertThatThrownBy(() -> TilePath.entryBundleFor(5, 5)).isInstanceOf(IllegalArgumentException.class);
    }
}
