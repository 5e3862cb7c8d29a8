/**
 * C2SP tlog-cosignature (c2sp.org/tlog-cosignature) Ed25519 {@code cosignature/v1}: a witness or
 * cluster node's timestamped statement that it verified a checkpoint.
 */
package dev.indelible.formats.cosignature;
