/**
 * C2SP tlog-tiles (c2sp.org/tlog-tiles): tile paths, which tiles a tree size needs, entry bundles,
 * and recomputing Merkle nodes from fetched tiles. Tile height 8, full width 256.
 */
package dev.indelible.formats.tiles;
