package dev.indelible.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManager;
import javax.net.ssl.X509KeyManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The peer trust manager: the peer CA, then a SAN URI {@code indelible-node:<id>} of a cluster node. */
class PeerTrustTest {
    @TempDir
    Path dir;

    @Test
    void acceptsAChainFromThePeerCaNamingAKnownNode() throws Exception {
        PeerCertificates.Issued ca = PeerCertificates.ca("peer CA");
        PeerTrust trust = PeerTrust.trustManager(PeerCertificates.node(ca, "n1", dir), () -> Set.of("n1", "n2"));
        X509Certificate[] n2 = chain(PeerCertificates.node(ca, "n2", dir));
        trust.checkClientTrusted(n2, "ECDHE_ECDSA");
        trust.checkServerTrusted(n2, "ECDHE_ECDSA");
        assertThat(PeerTrust.namedNodeIds(n2[0])).containsExactly("n2");
    }

    @Test
    void rejectsAChainFromThePeerCaNamingAnUnknownNode() throws Exception {
        PeerCertificates.Issued ca = PeerCertificates.ca("peer CA");
        PeerTrust trust = PeerTrust.trustManager(PeerCertificates.node(ca, "n1", dir), () -> Set.of("n1", "n2"));
        X509Certificate[] n9 = chain(PeerCertificates.node(ca, "n3", "n9", dir));
        assertThatThrownBy(() -> trust.checkClientTrusted(n9, "ECDHE_ECDSA"))
                .isInstanceOf(CertificateException.class)
                .hasMessageContaining("[n9]");
        assertThatThrownBy(() -> trust.checkServerTrusted(n9, "ECDHE_ECDSA"))
                .isInstanceOf(CertificateException.class)
                .hasMessageContaining("[n9]");
    }

    @Test
    void rejectsAChainFromAnotherCaNamingAKnownNode() throws Exception {
        PeerCertificates.Issued ca = PeerCertificates.ca("peer CA");
        PeerCertificates.Issued rogue = PeerCertificates.ca("rogue CA");
        PeerTrust trust = PeerTrust.trustManager(PeerCertificates.node(ca, "n1", dir), () -> Set.of("n1", "n2"));
        X509Certificate[] n2 = chain(PeerCertificates.node(rogue, "n2", dir.resolve("rogue")));
        assertThatThrownBy(() -> trust.checkClientTrusted(n2, "ECDHE_ECDSA")).isInstanceOf(CertificateException.class);
        assertThatThrownBy(() -> trust.checkServerTrusted(n2, "ECDHE_ECDSA")).isInstanceOf(CertificateException.class);
    }

    @Test
    void readsTheNodesIdsAtEachCheck() throws Exception {
        PeerCertificates.Issued ca = PeerCertificates.ca("peer CA");
        AtomicReference<Set<String>> ids = new AtomicReference<>(Set.of("n1"));
        PeerTrust trust = PeerTrust.trustManager(PeerCertificates.node(ca, "n1", dir), ids::get);
        X509Certificate[] n4 = chain(PeerCertificates.node(ca, "n4", dir));
        assertThatThrownBy(() -> trust.checkClientTrusted(n4, "ECDHE_ECDSA")).isInstanceOf(CertificateException.class);
        ids.set(Set.of("n1", "n4"));
        trust.checkClientTrusted(n4, "ECDHE_ECDSA");
    }

    @Test
    void keyManagerPresentsTheNodesChain() throws Exception {
        PeerCertificates.Issued ca = PeerCertificates.ca("peer CA");
        PeerTls tls = PeerCertificates.node(ca, "n1", dir);
        KeyManager manager = PeerTrust.keyManager(tls);
        X509KeyManager keys = (X509KeyManager) manager;
        String alias = keys.getServerAliases("EC", null)[0];
        assertThat(keys.getCertificateChain(alias)[0]).isEqualTo(chain(tls)[0]);
        assertThat(keys.getPrivateKey(alias)).isNotNull();
    }

    private static X509Certificate[] chain(PeerTls tls) throws Exception {
        try (var in = Files.newInputStream(tls.certificateChain())) {
            return CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
                    .map(X509Certificate.class::cast)
                    .toArray(X509Certificate[]::new);
        }
    }
}
