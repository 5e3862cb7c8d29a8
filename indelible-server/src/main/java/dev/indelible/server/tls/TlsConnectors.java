package dev.indelible.server.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * Builds the HTTPS connector: TLS 1.3 and 1.2 only, the JDK's default cipher suites for those,
 * and, with a client CA, client certificates verified against that CA only (not the JDK's default
 * trust store). Verified client certificates reach handlers as the servlet attribute {@code
 * jakarta.servlet.request.X509Certificate}.
 */
public final class TlsConnectors {
    private TlsConnectors() {}

    /**
     * A connector on {@code host:port} serving HTTPS with {@code tls}.
     *
     * @throws UncheckedIOException if a PEM file cannot be read
     */
    public static Connector https(Server server, HttpConfiguration http, TlsConfig tls, String host, int port) {
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        try {
            ssl.setKeyStore(PemFiles.keyStore(tls.certificateChain(), tls.privateKey()));
            ssl.setKeyStorePassword(new String(PemFiles.PASSWORD));
            if (tls.clientCa().isPresent()) {
                ssl.setTrustStore(PemFiles.trustStore(tls.clientCa().get()));
                ssl.setTrustStorePassword(new String(PemFiles.PASSWORD));
                if (tls.clientCertificateRequired()) {
                    ssl.setNeedClientAuth(true);
                } else {
                    ssl.setWantClientAuth(true);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        HttpConfiguration https = new HttpConfiguration(http);
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        // Clients often connect by IP address (127.0.0.1); the certificate's SANs are the client's
        // business to check, not a reason for the server to refuse the request.
        secure.setSniHostCheck(false);
        https.addCustomizer(secure);
        ServerConnector connector = new ServerConnector(
                server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(https));
        connector.setHost(host);
        connector.setPort(port);
        return connector;
    }
}
