package dev.indelible.server.auth;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import javax.security.auth.x500.X500Principal;

/**
 * Establishes the principal of a request from, in this order: the {@code Authorization: Bearer}
 * header (an {@code idl_} token or, if OIDC is configured, a JWT) — a header that is present but
 * not valid is a failure, never a fall-back to anonymous; else a client certificate verified by the
 * TLS handshake (mTLS), mapped to scopes by subject or SAN; else {@link Principal#ANONYMOUS}.
 *
 * <p>A valid {@code idl_} token counts only while the node vouches for its tokens ({@code
 * tokensVouched}: always on a single node; in a cluster, while it has applied every revocation
 * the cluster acknowledged up to a moment ago, see {@code RaftNode#vouchesForTokens}); otherwise
 * the outcome is {@link Authentication#undecided}.
 */
final class Authenticator {
    private static final String BEARER = "bearer ";

    private final TokenStore tokens;
    private final BooleanSupplier tokensVouched;
    private final Optional<JwtAuthenticator> jwt;
    private final Map<String, Set<Scope>> certificateScopes;

    Authenticator(
            TokenStore tokens,
            BooleanSupplier tokensVouched,
            Optional<JwtAuthenticator> jwt,
            Map<String, Set<Scope>> certificateScopes) {
        this.tokens = tokens;
        this.tokensVouched = tokensVouched;
        this.jwt = jwt;
        this.certificateScopes = certificateScopes;
    }

    Authentication authenticate(String authorization, X509Certificate[] clientCertificates) {
        if (authorization != null) {
            return bearer(authorization);
        }
        if (clientCertificates != null && clientCertificates.length > 0) {
            return certificate(clientCertificates[0]);
        }
        return Authentication.of(Principal.ANONYMOUS, "no credential");
    }

    private Authentication bearer(String header) {
        if (header.length() <= BEARER.length()
                || !header.substring(0, BEARER.length())
                        .toLowerCase(Locale.ROOT)
                        .equals(BEARER)) {
            return Authentication.failed("malformed authorization header");
        }
        String credential = header.substring(BEARER.length()).strip();
        if (credential.startsWith(TokenStore.TOKEN_PREFIX)) {
            TokenStore.Lookup lookup = tokens.authenticate(credential);
            if (lookup.token().isPresent() && !tokensVouched.getAsBoolean()) {
                return Authentication.undecided("token " + lookup.token().get().name()
                        + " is valid here, but this node cannot vouch that it was not revoked in the cluster");
            }
            return lookup.token()
                    .map(t -> Authentication.of(new Principal("token:" + t.name(), t.scopes()), lookup.reason()))
                    .orElseGet(() -> Authentication.failed(lookup.reason()));
        }
        if (jwt.isPresent() && JwtAuthenticator.looksLikeJwt(credential)) {
            return jwt.get().authenticate(credential);
        }
        return Authentication.failed("unrecognized bearer credential");
    }

    private Authentication certificate(X509Certificate certificate) {
        String subject = certificate.getSubjectX500Principal().getName(X500Principal.RFC2253);
        Set<Scope> scopes = new HashSet<>(certificateScopes.getOrDefault("dn:" + subject, Set.of()));
        for (String name : alternativeNames(certificate)) {
            scopes.addAll(certificateScopes.getOrDefault(name, Set.of()));
        }
        String principal = "cert:" + (subject.length() > 160 ? subject.substring(0, 160) : subject);
        return Authentication.of(
                new Principal(principal.replaceAll("[^\\x20-\\x7E]", "?"), scopes), "client certificate");
    }

    /** The SANs as {@code dns:…}, {@code uri:…}, {@code email:…}, {@code ip:…}. */
    static List<String> alternativeNames(X509Certificate certificate) {
        Collection<List<?>> names;
        try {
            names = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return List.of();
        }
        if (names == null) {
            return List.of();
        }
        return names.stream()
                .filter(n -> n.size() >= 2 && n.get(0) instanceof Integer && n.get(1) instanceof String)
                .map(n -> switch ((Integer) n.get(0)) {
                    case 1 -> "email:" + n.get(1);
                    case 2 -> "dns:" + n.get(1);
                    case 6 -> "uri:" + n.get(1);
                    case 7 -> "ip:" + n.get(1);
                    default -> "";
                })
                .filter(s -> !s.isEmpty())
                .toList();
    }
}
