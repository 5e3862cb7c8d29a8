package dev.indelible.server.tls;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Certificates made in the test: a CA, and leaf certificates it signs, written as PEM. */
final class TestCertificates {
    private static final AtomicLong SERIAL = new AtomicLong(1);

    /** A key pair and its certificate. */
    record Issued(KeyPair keys, X509Certificate certificate) {
        void writePem(Path certFile, Path keyFile) throws Exception {
            Files.writeString(certFile, pem("CERTIFICATE", certificate.getEncoded()));
            Files.writeString(keyFile, pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
        }

        void writeCertificatePem(Path certFile) throws Exception {
            Files.writeString(certFile, pem("CERTIFICATE", certificate.getEncoded()));
        }
    }

    private TestCertificates() {}

    static KeyPair ecKeys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        return generator.generateKeyPair();
    }

    static Issued ca(String cn) throws Exception {
        KeyPair keys = ecKeys();
        X500Name name = new X500Name("CN=" + cn);
        JcaX509v3CertificateBuilder builder = builder(name, name, keys);
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        return new Issued(keys, sign(builder, keys.getPrivate()));
    }

    /** A leaf certificate signed by {@code ca} with SANs ({@code dns:} or {@code ip:} prefixed). */
    static Issued leaf(Issued ca, String subject, String... sans) throws Exception {
        KeyPair keys = ecKeys();
        JcaX509v3CertificateBuilder builder = builder(
                new X500Name(ca.certificate().getSubjectX500Principal().getName()), new X500Name(subject), keys);
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        GeneralName[] names = new GeneralName[sans.length];
        for (int i = 0; i < sans.length; i++) {
            names[i] = sans[i].startsWith("ip:")
                    ? new GeneralName(GeneralName.iPAddress, sans[i].substring(3))
                    : new GeneralName(GeneralName.dNSName, sans[i].substring(4));
        }
        if (names.length > 0) {
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
        }
        return new Issued(keys, sign(builder, ca.keys().getPrivate()));
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

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** A client TLS context trusting {@code ca}, presenting {@code client} if not null. */
    static SSLContext clientContext(Issued ca, Issued client) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca.certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        if (client != null) {
            keys.setKeyEntry(
                    "client", client.keys().getPrivate(), "x".toCharArray(), new Certificate[] {client.certificate()});
        }
        kmf.init(keys, "x".toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
    }
}
