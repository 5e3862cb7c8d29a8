package dev.indelible.replication;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Mutual TLS for Raft traffic between cluster nodes (gRPC), from PEM files, separate from the HTTP
 * API's TLS. Every node presents {@code certificateChain} on each connection it accepts or opens,
 * and accepts a peer only if the peer's certificate chains to a certificate in {@code ca} (only
 * those: not the JDK's default trust store) and names a node id of the cluster as a SAN URI
 * {@code indelible-node:<node-id>} ({@link PeerTrust}). A connecting node also checks that the
 * peer's certificate names (SAN) the host of the peer's Raft address.
 *
 * @param certificateChain this node's certificate followed by its intermediates (PEM {@code
 *     CERTIFICATE} blocks); the first names this node as SAN URI {@code indelible-node:<node-id>}
 * @param privateKey its private key, unencrypted PKCS#8 (PEM {@code PRIVATE KEY})
 * @param ca the CA certificates that sign every cluster node's certificate (PEM)
 */
public record PeerTls(Path certificateChain, Path privateKey, Path ca) {
    /** Checks that the three files are readable regular files, so a typo fails at start-up. */
    public PeerTls {
        for (Path file : new Path[] {certificateChain, privateKey, ca}) {
            if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                throw new IllegalArgumentException("peer TLS file " + file + " is not a readable file");
            }
        }
    }
}
