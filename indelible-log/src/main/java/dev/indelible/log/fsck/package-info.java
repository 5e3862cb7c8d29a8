/**
 * {@code fsck}: an offline, read-only check of a server's data directory. It re-derives everything
 * that can be derived (leaf hashes, hash rows, roots) from the entries in the segments, checks it
 * against what is stored and against every signed checkpoint, and names the first bad leaf index.
 * It reads the files through the byte layout in {@code docs/design/storage-format.md}, never through
 * the stores' {@code open} methods (which repair), and opens every file read-only.
 */
package dev.indelible.log.fsck;
