package dev.indelible.replication;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Peer CAs and node certificates (EC P-256) made in the test, written as PEM files. */
final class PeerCertificates {
    private static final AtomicLong SERIAL = new AtomicLong(1);

    /** A key pair and its certificate. */
    record Issued(KeyPair keys, X509Certificate certificate) {}

    private PeerCertificates() {}

    static Issued ca(String cn) throws Exception {
        KeyPair keys = keys();
        X500Name name = new X500Name("CN=" + cn);
        JcaX509v3CertificateBuilder builder = builder(name, name, keys);
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        return new Issued(keys, sign(builder, keys.getPrivate()));
    }

    /**
     * A node certificate signed by {@code ca} for {@code 127.0.0.1} naming node {@code id} (SAN URI
     * {@code indelible-node:<id>}), with its PEM certificate, key
     * and {@code ca}'s certificate written under {@code dir} as a {@link PeerTls}.
     */
    static PeerTls node(Issued ca, String id, Path dir) throws Exception {
        return node(ca, id, id, dir);
    }

    /**
     * As {@link #node(Issued, String, Path)}, with files named after {@code id} but a certificate
     * naming node {@code namedId} (SAN URI {@code indelible-node:<namedId>}).
     */
    static PeerTls node(Issued ca, String id, String namedId, Path dir) throws Exception {
        KeyPair keys = keys();
        JcaX509v3CertificateBuilder builder = builder(
                new X500Name(ca.certificate().getSubjectX500Principal().getName()),
                new X500Name("CN=" + namedId),
                keys);
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
            new GeneralName(GeneralName.dNSName, "localhost"),
            new GeneralName(GeneralName.uniformResourceIdentifier, PeerTrust.NODE_URI_SCHEME + namedId)
        }));
        X509Certificate certificate = sign(builder, ca.keys().getPrivate());
        Files.createDirectories(dir);
        Path cert = Files.writeString(dir.resolve(id + ".crt"), pem("CERTIFICATE", certificate.getEncoded()));
        Path key = Files.writeString(
                dir.resolve(id + ".key"), pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
        Path caFile = Files.writeString(
                dir.resolve(id + "-ca.crt"), pem("CERTIFICATE", ca.certificate().getEncoded()));
        return new PeerTls(cert, key, caFile);
    }

    private static KeyPair keys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        return generator.generateKeyPair();
    }

    private static JcaX509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(
                issuer,
                BigInteger.valueOf(SERIAL.getAndIncrement()),
                Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(Duration.ofDays(1))),
                subject,
                keys.getPublic());
    }

    private static X509Certificate sign(JcaX509v3CertificateBuilder builder, PrivateKey signer) throws Exception {
        return new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
