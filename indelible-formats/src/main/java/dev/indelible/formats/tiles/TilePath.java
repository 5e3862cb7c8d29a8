package dev.indelible.formats.tiles;

import dev.indelible.formats.encoding.FormatException;
import dev.indelible.formats.encoding.StrictDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * The path of a Merkle tile {@code tile/<L>/<N>[.p/<W>]} or an entry bundle {@code
 * tile/entries/<N>[.p/<W>]} (c2sp.org/tlog-tiles §Merkle Tree, §Log entries).
 *
 * <p>{@code <N>} is written as zero-padded three-digit path elements, all but the last prefixed
 * with {@code x}: 1234067 is {@code x001/x234/067}. {@code .p/<W>} marks a partial tile of {@code
 * W} (1–255) hashes or entries. The n-th tile at level l holds, for i in 0..255, MTH(D[(n·256 +
 * i)·256^l : (n·256 + i + 1)·256^l]), i.e. the nodes at Merkle level 8·l with indexes n·256 + i.
 *
 * <p>{@link #parse} accepts exactly the strings {@link #format} produces.
 *
 * @param level tile level 0–63, or {@link #ENTRIES_LEVEL} for an entry bundle
 * @param index the tile index N within its level
 * @param width number of hashes or entries, 1–255 for a partial tile or {@link #FULL_WIDTH}
 */
public record TilePath(int level, long index, int width) {
    /** Tile height: each tile spans 8 Merkle levels. */
    public static final int HEIGHT = 8;
    /** Hashes in a full tile, entries in a full bundle. */
    public static final int FULL_WIDTH = 1 << HEIGHT;
    /** Highest tile level. */
    public static final int MAX_LEVEL = 63;
    /** The {@link #level()} of entry bundles. */
    public static final int ENTRIES_LEVEL = -1;

    private static final String PREFIX = "tile/";
    private static final String ENTRIES = "entries";
    private static final int MAX_PATH_CHARS = 64;

    /** Validates level, index and width. */
    public TilePath {
        if (level < ENTRIES_LEVEL || level > MAX_LEVEL) {
            throw new IllegalArgumentException("tile level " + level + " outside -1..63");
        }
        if (index < 0) {
            throw new IllegalArgumentException("tile index " + index + " is negative");
        }
        if (width < 1 || width > FULL_WIDTH) {
            throw new IllegalArgumentException("tile width " + width + " outside 1..256");
        }
    }

    /** The hash tile at {@code level}, {@code index} with {@code width} hashes. */
    public static TilePath hashTile(int level, long index, int width) {
        if (level < 0) {
            throw new IllegalArgumentException("hash tile level " + level + " is negative");
        }
        return new TilePath(level, index, width);
    }

    /** The entry bundle at {@code index} with {@code width} entries. */
    public static TilePath entryBundle(long index, int width) {
        return new TilePath(ENTRIES_LEVEL, index, width);
    }

    /** Whether this is an entry bundle rather than a hash tile. */
    public boolean isEntryBundle() {
        return level == ENTRIES_LEVEL;
    }

    /** Whether this tile is partial (fewer than 256 hashes or entries). */
    public boolean isPartial() {
        return width < FULL_WIDTH;
    }

    /** The path relative to the log prefix, e.g. {@code tile/1/x001/x234/067.p/8}. */
    public String format() {
        StringBuilder path = new StringBuilder(PREFIX)
                .append(isEntryBundle() ? ENTRIES : Integer.toString(level))
                .append('/');
        String digits = Long.toString(index);
        digits = "0".repeat((3 - digits.length() % 3) % 3) + digits;
        for (int i = 0; i < digits.length(); i += 3) {
            if (i + 3 < digits.length()) {
                path.append('x').append(digits, i, i + 3).append('/');
            } else {
                path.append(digits, i, i + 3);
            }
        }
        if (isPartial()) {
            path.append(".p/").append(width);
        }
        return path.toString();
    }

    /**
     * Parses a tile or entry bundle path, strictly.
     *
     * @throws FormatException if the path is not exactly what {@link #format} would produce
     */
    public static TilePath parse(String path) {
        if (path.length() > MAX_PATH_CHARS || !path.startsWith(PREFIX)) {
            throw new FormatException("not a tile path: \"" + abbreviate(path) + "\"");
        }
        String[] parts = path.substring(PREFIX.length()).split("/", -1);
        if (parts.length < 2) {
            throw new FormatException("tile path has no index: \"" + path + "\"");
        }
        int level = parts[0].equals(ENTRIES)
                ? ENTRIES_LEVEL
                : (int) boundedDecimal(parts[0], "tile level", MAX_LEVEL, path);
        int width = FULL_WIDTH;
        int last = parts.length - 1;
        if (last >= 2 && parts[last - 1].endsWith(".p")) {
            width = (int) boundedDecimal(parts[last], "partial tile width", FULL_WIDTH - 1, path);
            if (width == 0) {
                throw new FormatException("partial tile width 0 in \"" + path + "\"");
            }
            parts[last - 1] = parts[last - 1].substring(0, parts[last - 1].length() - 2);
            last--;
        }
        StringBuilder digits = new StringBuilder();
        for (int i = 1; i <= last; i++) {
            String element = parts[i];
            boolean needsX = i < last;
            if (needsX) {
                if (!element.startsWith("x")) {
                    throw new FormatException(
                            "tile index element \"" + element + "\" needs an x prefix in \"" + path + "\"");
                }
                element = element.substring(1);
            }
            if (element.length() != 3 || !element.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new FormatException(
                        "tile index element \"" + parts[i] + "\" is not 3 digits in \"" + path + "\"");
            }
            digits.append(element);
        }
        String stripped = digits.toString().replaceFirst("^0+(?=.)", "");
        TilePath parsed;
        try {
            parsed = new TilePath(level, StrictDecimal.parse(stripped, "tile index"), width);
        } catch (IllegalArgumentException e) {
            throw new FormatException("invalid tile path \"" + path + "\": " + e.getMessage());
        }
        if (!parsed.format().equals(path)) {
            throw new FormatException("tile path \"" + path + "\" is not canonical; want \"" + parsed.format() + "\"");
        }
        return parsed;
    }

    /**
     * The hash tile holding the hashes from which Merkle node ({@code nodeLevel}, {@code
     * nodeIndex}) of a tree of {@code treeSize} leaves is computed, as wide as that tree makes it.
     *
     * @throws IllegalArgumentException if that node is not complete in the tree
     */
    public static TilePath forNode(int nodeLevel, long nodeIndex, long treeSize) {
        if (nodeLevel < 0 || nodeLevel >= 64 || nodeIndex < 0 || treeSize < 0) {
            throw new IllegalArgumentException("node " + nodeLevel + "/" + nodeIndex + " of tree size " + treeSize);
        }
        int tileLevel = nodeLevel / HEIGHT;
        int below = nodeLevel % HEIGHT;
        long firstHash = nodeIndex << below;
        long endHash = (nodeIndex + 1) << below;
        long available = shiftRight(treeSize, HEIGHT * tileLevel);
        if (firstHash >>> below != nodeIndex || endHash > available) {
            throw new IllegalArgumentException(
                    "node " + nodeLevel + "/" + nodeIndex + " is not complete in tree size " + treeSize);
        }
        long tileIndex = firstHash >>> HEIGHT;
        int width = (int) Math.min(FULL_WIDTH, available - tileIndex * FULL_WIDTH);
        return hashTile(tileLevel, tileIndex, width);
    }

    /**
     * The entry bundle holding leaf {@code leafIndex} in a tree of {@code treeSize} leaves.
     *
     * @throws IllegalArgumentException unless {@code 0 <= leafIndex < treeSize}
     */
    public static TilePath entryBundleFor(long leafIndex, long treeSize) {
        if (leafIndex < 0 || leafIndex >= treeSize) {
            throw new IllegalArgumentException("leaf index " + leafIndex + " outside tree size " + treeSize);
        }
        long bundle = leafIndex >>> HEIGHT;
        return entryBundle(bundle, (int) Math.min(FULL_WIDTH, treeSize - bundle * FULL_WIDTH));
    }

    /**
     * The partial hash tiles that exist for a tree of {@code treeSize} leaves, lowest level first:
     * at level l, width floor(treeSize / 256^l) mod 256, when not zero.
     */
    public static List<TilePath> partialTiles(long treeSize) {
        requireSize(treeSize);
        List<TilePath> partial = new ArrayList<>();
        for (int level = 0; level <= MAX_LEVEL; level++) {
            long atLevel = shiftRight(treeSize, HEIGHT * level);
            if (atLevel == 0) {
                break;
            }
            int width = (int) (atLevel % FULL_WIDTH);
            if (width != 0) {
                partial.add(hashTile(level, atLevel / FULL_WIDTH, width));
            }
        }
        return partial;
    }

    /** Number of full hash tiles at {@code level} in a tree of {@code treeSize} leaves. */
    public static long fullTileCount(int level, long treeSize) {
        requireSize(treeSize);
        return shiftRight(treeSize, HEIGHT * (level + 1));
    }

    /**
     * Every hash tile of a tree of {@code treeSize} leaves, level by level, full tiles before the
     * partial one. Lazy: a billion-leaf tree has about four million tiles.
     */
    public static Stream<TilePath> hashTiles(long treeSize) {
        requireSize(treeSize);
        List<TilePath> partial = partialTiles(treeSize);
        return Stream.iterate(
                        0, level -> level <= MAX_LEVEL && shiftRight(treeSize, HEIGHT * level) > 0, level -> level + 1)
                .flatMap(level -> Stream.concat(
                        LongStream.range(0, fullTileCount(level, treeSize))
                                .mapToObj(n -> hashTile(level, n, FULL_WIDTH)),
                        partial.stream().filter(p -> p.level() == level)));
    }

    private static long shiftRight(long value, int bits) {
        return bits >= Long.SIZE ? 0 : value >>> bits;
    }

    private static void requireSize(long treeSize) {
        if (treeSize < 0) {
            throw new IllegalArgumentException("tree size " + treeSize + " is negative");
        }
    }

    private static long boundedDecimal(String text, String what, long max, String path) {
        long value = StrictDecimal.parse(text, what);
        if (value > max) {
            throw new FormatException(what + " " + value + " exceeds " + max + " in \"" + path + "\"");
        }
        return value;
    }

    private static String abbreviate(String path) {
        return path.length() > MAX_PATH_CHARS ? path.substring(0, MAX_PATH_CHARS) + "…" : path;
    }
}
