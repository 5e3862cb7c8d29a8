package dev.indelible.replication;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.apache.ratis.grpc.GrpcTlsConfig;

/**
 * The key and trust managers of peer TLS ({@link PeerTls}): this node's key and chain, and a trust
 * manager that accepts a peer only if (1) its chain validates (PKIX) to the peer CA, and then (2)
 * its leaf certificate names a node id of the cluster as a SAN URI {@code indelible-node:<node-id>}
 * (exact match, see {@link #NODE_URI_SCHEME}). Both checks apply on both sides of every connection:
 * a server checks its client ({@code checkClientTrusted}), a client its server
 * ({@code checkServerTrusted}).
 *
 * <p>The node ids come from a supplier read at each handshake, because membership changes at run
 * time. The PKIX delegate gets the {@link SSLEngine} / {@link Socket}, so the endpoint
 * identification (hostname check) the TLS client asks for still happens.
 *
 * <p>PEM is parsed with JDK APIs only: PKCS#8 {@code PRIVATE KEY} through {@link KeyFactory}
 * (EC, RSA, Ed25519, Ed448 tried in turn) and certificates through {@link CertificateFactory}.
 */
final class PeerTrust extends X509ExtendedTrustManager {
    /** The SAN URI scheme naming a node: {@code indelible-node:n1} names node {@code n1}. */
    static final String NODE_URI_SCHEME = "indelible-node:";

    /** The {@code GeneralName} tag of a URI in {@link X509Certificate#getSubjectAlternativeNames()}. */
    private static final int SAN_URI = 6;

    private static final Pattern PEM_BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");
    private static final List<String> KEY_ALGORITHMS = List.of("EC", "RSA", "Ed25519", "Ed448");

    private final X509ExtendedTrustManager pkix;
    private final Supplier<Set<String>> nodeIds;

    private PeerTrust(X509ExtendedTrustManager pkix, Supplier<Set<String>> nodeIds) {
        this.pkix = pkix;
        this.nodeIds = nodeIds;
    }

    /**
     * The Ratis mutual-TLS configuration of {@code tls}: key manager of this node's key and chain,
     * and a trust manager requiring the peer CA and a node id in {@code nodeIds} (read at each
     * handshake; it MUST be thread-safe and cheap).
     *
     * @throws UncheckedIOException if a file cannot be read or parsed
     */
    static GrpcTlsConfig grpcConfig(PeerTls tls, Supplier<Set<String>> nodeIds) {
        try {
            return new GrpcTlsConfig(keyManager(tls), trustManager(tls, nodeIds), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A key manager presenting {@code tls}'s chain with its key (a key that does not fit fails handshakes). */
    static KeyManager keyManager(PeerTls tls) throws IOException {
        List<X509Certificate> chain = certificates(tls.certificateChain());
        PrivateKey key = privateKey(tls.privateKey());
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            char[] password = new char[0];
            store.setKeyEntry("node", key, password, chain.toArray(X509Certificate[]::new));
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, password);
            return factory.getKeyManagers()[0];
        } catch (GeneralSecurityException e) {
            throw new IOException(
                    "peer TLS key " + tls.privateKey() + " with certificate chain " + tls.certificateChain() + ": "
                            + e.getMessage(),
                    e);
        }
    }

    /** A trust manager requiring {@code tls}'s CA (PKIX), then a node id in {@code nodeIds}. */
    static PeerTrust trustManager(PeerTls tls, Supplier<Set<String>> nodeIds) throws IOException {
        List<X509Certificate> cas = certificates(tls.ca());
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < cas.size(); i++) {
                store.setCertificateEntry("ca-" + i, cas.get(i));
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
            factory.init(store);
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509ExtendedTrustManager pkix) {
                    return new PeerTrust(pkix, nodeIds);
                }
            }
            throw new IOException("no PKIX X509ExtendedTrustManager in this JDK");
        } catch (GeneralSecurityException e) {
            throw new IOException("peer TLS CA " + tls.ca() + ": " + e.getMessage(), e);
        }
    }

    /** The node ids {@code certificate} names as SAN URIs {@code indelible-node:<id>}. */
    static Set<String> namedNodeIds(X509Certificate certificate) throws CertificateParsingException {
        Set<String> ids = new TreeSet<>();
        Collection<List<?>> names = certificate.getSubjectAlternativeNames();
        if (names == null) {
            return ids;
        }
        for (List<?> name : names) {
            if (name.size() >= 2
                    && name.get(0) instanceof Integer tag
                    && tag == SAN_URI
                    && name.get(1) instanceof String uri
                    && uri.startsWith(NODE_URI_SCHEME)
                    && uri.length() > NODE_URI_SCHEME.length()) {
                ids.add(uri.substring(NODE_URI_SCHEME.length()));
            }
        }
        return ids;
    }

    /** Requires the leaf of a chain PKIX accepted to name a current node id. */
    private void requireNodeId(X509Certificate[] chain) throws CertificateException {
        Set<String> named = namedNodeIds(chain[0]);
        Set<String> known = nodeIds.get();
        for (String id : named) {
            if (known.contains(id)) {
                return;
            }
        }
        throw new CertificateException("peer certificate " + chain[0].getSubjectX500Principal() + " names node ids "
                + named + " (SAN URI " + NODE_URI_SCHEME + "<id>), none of the cluster's " + new TreeSet<>(known));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        pkix.checkClientTrusted(chain, authType);
        requireNodeId(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        pkix.checkClientTrusted(chain, authType, socket);
        requireNodeId(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        pkix.checkClientTrusted(chain, authType, engine);
        requireNodeId(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        pkix.checkServerTrusted(chain, authType);
        requireNodeId(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        pkix.checkServerTrusted(chain, authType, socket);
        requireNodeId(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        pkix.checkServerTrusted(chain, authType, engine);
        requireNodeId(chain);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return pkix.getAcceptedIssuers();
    }

    private static List<X509Certificate> certificates(Path file) throws IOException {
        List<X509Certificate> certificates = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (byte[] der : pemBlocks(file, "CERTIFICATE")) {
                certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            }
        } catch (CertificateException e) {
            throw new IOException("peer TLS file " + file + ": " + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw new IOException("peer TLS file " + file + " holds no PEM CERTIFICATE block");
        }
        return certificates;
    }

    private static PrivateKey privateKey(Path file) throws IOException {
        List<byte[]> blocks = pemBlocks(file, "PRIVATE KEY");
        if (blocks.size() != 1) {
            throw new IOException("peer TLS key " + file + " holds " + blocks.size()
                    + " PEM PRIVATE KEY blocks (unencrypted PKCS#8), want 1");
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(blocks.get(0));
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // not this algorithm: try the next
            }
        }
        throw new IOException("peer TLS key " + file + " is not an EC, RSA, Ed25519 or Ed448 PKCS#8 key");
    }

    private static List<byte[]> pemBlocks(Path file, String type) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        List<byte[]> blocks = new ArrayList<>();
        Matcher matcher = PEM_BLOCK.matcher(text);
        while (matcher.find()) {
            if (matcher.group(1).equals(type)) {
                try {
                    blocks.add(Base64.getMimeDecoder().decode(matcher.group(2)));
                } catch (IllegalArgumentException e) {
                    throw new IOException("peer TLS file " + file + ": bad base64 in a PEM " + type + " block", e);
                }
            }
        }
        return blocks;
    }
}
