package dev.indelible.server.tls;

import java.nio.file.Path;
import java.util.Optional;

/**
 * TLS for the HTTP API, from PEM files.
 *
 * @param certificateChain the server certificate followed by its intermediates (PEM {@code
 *     CERTIFICATE} blocks)
 * @param privateKey the server's private key, unencrypted PKCS#8 (PEM {@code PRIVATE KEY}; convert
 *     other forms with {@code openssl pkcs8 -topk8 -nocrypt})
 * @param clientCa the CA certificates that sign client certificates; when present the server asks
 *     for a client certificate (mTLS)
 * @param clientCertificateRequired whether a client without a certificate is refused during the
 *     handshake (true) or admitted as anonymous (false); meaningful only with {@link #clientCa}
 */
public record TlsConfig(
        Path certificateChain, Path privateKey, Optional<Path> clientCa, boolean clientCertificateRequired) {
    /** TLS without client certificates. */
    public static TlsConfig serverOnly(Path certificateChain, Path privateKey) {
        return new TlsConfig(certificateChain, privateKey, Optional.empty(), false);
    }
}
