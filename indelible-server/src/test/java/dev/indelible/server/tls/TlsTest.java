package dev.indelible.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.indelible.log.LogConfig;
import dev.indelible.log.envelope.EventLimits;
import dev.indelible.server.IndelibleServer;
import dev.indelible.server.ServerConfig;
import dev.indelible.server.auth.Scope;
import dev.indelible.server.auth.SecurityConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS and mTLS with certificates generated in the test. */
class TlsTest {
    @TempDir
    Path dir;

    private TestCertificates.Issued ca;
    private TestCertificates.Issued clientCa;
    private Path serverCert;
    private Path serverKey;
    private Path clientCaFile;

    @BeforeEach
    void setUp() throws Exception {
        ca = TestCertificates.ca("server CA");
        clientCa = TestCertificates.ca("client CA");
        serverCert = dir.resolve("server.pem");
        serverKey = dir.resolve("server-key.pem");
        TestCertificates.leaf(ca, "CN=server", "dns:localhost", "ip:127.0.0.1").writePem(serverCert, serverKey);
        clientCaFile = dir.resolve("client-ca.pem");
        clientCa.writeCertificatePem(clientCaFile);
    }

    private ServerConfig config(Path data, SecurityConfig security, TlsConfig tls) {
        return new ServerConfig(
                        "127.0.0.1",
                        0,
                        data,
                        "tls.test",
                        ServerConfig.DEFAULT_BODY_MAX_BYTES,
                        LogConfig.defaults(),
                        EventLimits.DEFAULTS)
                .withSecurity(security)
                .withTls(tls);
    }

    private static HttpResponse<String> get(SSLContext context, String url, String method, String body)
            throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder()
                .sslContext(context)
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        request.header("Content-Type", "application/json");
        request.method(
                method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesHttpsWithAPemCertificateAndRefusesPlainHttp(@TempDir Path data) throws Exception {
        try (IndelibleServer server = IndelibleServer.start(
                config(data, SecurityConfig.defaults(), TlsConfig.serverOnly(serverCert, serverKey)))) {
            assertThat(server.scheme()).isEqualTo("https");
            String base = "https://127.0.0.1:" + server.port();
            assertThat(get(TestCertificates.clientContext(ca, null), base + "/healthz", "GET", null)
                            .statusCode())
                    .isEqualTo(200);
            // A client that does not trust the server's CA refuses the handshake.
            assertThatThrownBy(
                            () -> get(TestCertificates.clientContext(clientCa, null), base + "/healthz", "GET", null))
                    .isInstanceOf(IOException.class);
            // Plain HTTP to the TLS port gets no HTTP answer.
            HttpResponse<String> plain = null;
            try {
                plain = get(SSLContext.getDefault(), "http://127.0.0.1:" + server.port() + "/healthz", "GET", null);
            } catch (IOException expected) {
                // connection closed: fine
            }
            if (plain != null) {
                assertThat(plain.statusCode()).isEqualTo(400);
            }
        }
    }

    @Test
    void mutualTlsRequiresAClientCertificateFromTheClientCaAndMapsItsSanToScopes(@TempDir Path data) throws Exception {
        SecurityConfig security = SecurityConfig.defaults()
                .withCertificateScopes(Map.of("dns:ingest-1.test", Set.of(Scope.parse("append:k8s"))));
        TlsConfig tls = new TlsConfig(serverCert, serverKey, Optional.of(clientCaFile), true);
        try (IndelibleServer server = IndelibleServer.start(config(data, security, tls))) {
            String base = "https://127.0.0.1:" + server.port();
            TestCertificates.Issued ingest = TestCertificates.leaf(clientCa, "CN=ingest-1,O=test", "dns:ingest-1.test");
            TestCertificates.Issued stranger = TestCertificates.leaf(clientCa, "CN=stranger", "dns:stranger.test");
            TestCertificates.Issued forged = TestCertificates.leaf(ca, "CN=ingest-1,O=test", "dns:ingest-1.test");
            SSLContext ingestContext = TestCertificates.clientContext(ca, ingest);

            assertThat(get(ingestContext, base + "/v1/logs/k8s/entries", "POST", "{\"verb\":\"get\"}")
                            .statusCode())
                    .isEqualTo(200);
            assertThat(get(ingestContext, base + "/v1/logs/k8s/entries/0", "GET", null)
                            .statusCode())
                    .isEqualTo(403);
            assertThat(get(ingestContext, base + "/v1/logs/other/entries", "POST", "{\"a\":1}")
                            .statusCode())
                    .isEqualTo(403);
            assertThat(get(
                                    TestCertificates.clientContext(ca, stranger),
                                    base + "/v1/logs/k8s/entries",
                                    "POST",
                                    "{\"a\":1}")
                            .statusCode())
                    .isEqualTo(403);
            // No certificate, or one from a CA the server does not trust for clients: no handshake.
            assertThatThrownBy(() -> get(TestCertificates.clientContext(ca, null), base + "/healthz", "GET", null))
                    .isInstanceOf(IOException.class);
            assertThatThrownBy(() -> get(TestCertificates.clientContext(ca, forged), base + "/healthz", "GET", null))
                    .isInstanceOf(IOException.class);
        }
    }

    @Test
    void optionalClientCertificatesAdmitAnonymousClients(@TempDir Path data) throws Exception {
        TlsConfig tls = new TlsConfig(serverCert, serverKey, Optional.of(clientCaFile), false);
        try (IndelibleServer server = IndelibleServer.start(config(data, SecurityConfig.defaults(), tls))) {
            String base = "https://127.0.0.1:" + server.port();
            assertThat(get(TestCertificates.clientContext(ca, null), base + "/healthz", "GET", null)
                            .statusCode())
                    .isEqualTo(200);
            assertThat(get(TestCertificates.clientContext(ca, null), base + "/v1/logs/k8s/entries", "POST", "{\"a\":1}")
                            .statusCode())
                    .isEqualTo(401);
        }
    }

    @Test
    void pemFilesRejectWhatTheyCannotRead() throws Exception {
        java.nio.file.Files.writeString(dir.resolve("empty.pem"), "nothing here");
        assertThatThrownBy(() -> PemFiles.certificates(dir.resolve("empty.pem")))
                .hasMessageContaining("no PEM CERTIFICATE");
        assertThatThrownBy(() -> PemFiles.privateKey(serverCert)).hasMessageContaining("PRIVATE KEY");
        assertThat(PemFiles.privateKey(serverKey).getAlgorithm()).isEqualTo("EC");
    }
}
