package dev.indelible.server.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM certificates and unencrypted PKCS#8 private keys (RFC 7468) into in-memory key stores,
 * with the JDK only. Key stores never touch the disk and use a throw-away password.
 */
public final class PemFiles {
    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");
    private static final long FILE_MAX_BYTES = 1 << 20;
    static final char[] PASSWORD = "in-memory".toCharArray();

    private PemFiles() {}

    /** Every {@code CERTIFICATE} block of {@code file}, in order. */
    public static List<X509Certificate> certificates(Path file) throws IOException {
        List<X509Certificate> certificates = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (byte[] der : blocks(file, "CERTIFICATE")) {
                certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            }
        } catch (GeneralSecurityException e) {
            throw new IOException(file + ": not a valid certificate: " + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw new IOException(file + " holds no PEM CERTIFICATE block");
        }
        return certificates;
    }

    /** The one {@code PRIVATE KEY} (PKCS#8) block of {@code file}: RSA, EC or Ed25519. */
    public static PrivateKey privateKey(Path file) throws IOException {
        List<byte[]> keys = blocks(file, "PRIVATE KEY");
        if (keys.size() != 1) {
            throw new IOException(
                    file + " holds " + keys.size() + " PEM PRIVATE KEY blocks, want 1 (unencrypted PKCS#8;"
                            + " convert with openssl pkcs8 -topk8 -nocrypt)");
        }
        for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(keys.get(0)));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IOException(file + ": the private key is not RSA, EC or Ed25519 PKCS#8");
    }

    /** A key store holding the key and its certificate chain under the alias {@code server}. */
    public static KeyStore keyStore(Path certificateChain, Path privateKey) throws IOException {
        List<X509Certificate> chain = certificates(certificateChain);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", privateKey(privateKey), PASSWORD, chain.toArray(new Certificate[0]));
            return store;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use " + privateKey + " with " + certificateChain + ": " + e.getMessage(), e);
        }
    }

    /** A trust store of every certificate in {@code caFile}. */
    public static KeyStore trustStore(Path caFile) throws IOException {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int i = 0;
            for (X509Certificate ca : certificates(caFile)) {
                store.setCertificateEntry("ca-" + i++, ca);
            }
            return store;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot build a trust store from " + caFile + ": " + e.getMessage(), e);
        }
    }

    private static List<byte[]> blocks(Path file, String type) throws IOException {
        if (Files.size(file) > FILE_MAX_BYTES) {
            throw new IOException(file + " is larger than " + FILE_MAX_BYTES + " bytes");
        }
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        List<byte[]> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            if (m.group(1).equals(type)) {
                blocks.add(Base64.getMimeDecoder().decode(m.group(2)));
            }
        }
        return blocks;
    }
}
