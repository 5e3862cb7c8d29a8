/**
 * C2SP tlog-proof@v1 (c2sp.org/tlog-proof): an offline-verifiable receipt holding an entry's leaf
 * index, its inclusion proof and the signed checkpoint it is proven against.
 */
package dev.indelible.formats.proof;
