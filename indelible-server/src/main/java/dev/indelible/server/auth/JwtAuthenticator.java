package dev.indelible.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.ConfigurableJWTProcessor;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.io.IOException;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Verifies OpenID Connect JWT bearer tokens with nimbus-jose-jwt and maps a claim to scopes.
 *
 * <p>What is checked (RFC 7519, RFC 8725 "JWT Best Current Practices"): the JWS signature with a
 * key from the provider's JWKS whose algorithm is on the configured allow-list — asymmetric only,
 * so {@code alg: none} (an unsecured JWT is refused by the processor) and HS/RS key confusion (a
 * public key used as an HMAC secret) cannot pass; {@code iss} exactly; {@code aud} contains the
 * configured audience; {@code exp} is required and in the future and {@code nbf}, if present, in
 * the past (60 s clock skew); {@code sub} is required and names the principal.
 *
 * <p>A JWKS URL is fetched with 2 s timeouts and a 1 MiB size bound, cached for 15 minutes and
 * refreshed at most every 30 s when an unknown key id is seen (nimbus's rate limiting), so a
 * stream of forged tokens cannot make the server hammer the provider.
 */
final class JwtAuthenticator {
    private static final int HTTP_TIMEOUT_MILLIS = 2_000;
    private static final int JWKS_MAX_BYTES = 1 << 20;
    private static final long CACHE_TTL_MILLIS = 15 * 60_000;
    private static final long CACHE_REFRESH_TIMEOUT_MILLIS = 5_000;
    private static final long REFRESH_MIN_INTERVAL_MILLIS = 30_000;

    private final OidcConfig config;
    private final ConfigurableJWTProcessor<SecurityContext> processor;

    JwtAuthenticator(OidcConfig config) throws IOException {
        this.config = config;
        JWKSource<SecurityContext> keys = keySource(config);
        Set<JWSAlgorithm> algorithms =
                config.algorithms().stream().map(JWSAlgorithm::parse).collect(Collectors.toUnmodifiableSet());
        DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
        p.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, keys));
        p.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(
                config.audience(),
                new JWTClaimsSet.Builder().issuer(config.issuer()).build(),
                Set.of("sub", "exp", "iss", "aud")));
        this.processor = p;
    }

    private static JWKSource<SecurityContext> keySource(OidcConfig config) throws IOException {
        if (config.jwks().getScheme().equals("file")) {
            try {
                return new ImmutableJWKSet<>(JWKSet.load(Path.of(config.jwks()).toFile()));
            } catch (ParseException e) {
                throw new IOException("JWKS file " + config.jwks() + " is malformed: " + e.getMessage(), e);
            }
        }
        DefaultResourceRetriever retriever =
                new DefaultResourceRetriever(HTTP_TIMEOUT_MILLIS, HTTP_TIMEOUT_MILLIS, JWKS_MAX_BYTES);
        return JWKSourceBuilder.<SecurityContext>create(config.jwks().toURL(), retriever)
                .cache(CACHE_TTL_MILLIS, CACHE_REFRESH_TIMEOUT_MILLIS)
                .rateLimited(REFRESH_MIN_INTERVAL_MILLIS)
                .build();
    }

    /** Whether {@code bearer} looks like a compact JWS (three base64url parts). */
    static boolean looksLikeJwt(String bearer) {
        return bearer.matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]*");
    }

    /**
     * The principal a JWT establishes, or empty with the reason (for {@code _access} only).
     */
    Authentication authenticate(String jwt) {
        JWTClaimsSet claims;
        try {
            claims = processor.process(jwt, null);
        } catch (ParseException | BadJOSEException | JOSEException e) {
            return Authentication.failed("jwt refused: " + e.getMessage());
        }
        Set<Scope> scopes = new HashSet<>();
        for (String value : claimValues(claims)) {
            scopes.addAll(config.claimScopes().getOrDefault(value, Set.of()));
        }
        String subject = claims.getSubject();
        String name = "oidc:" + (subject.length() > 120 ? subject.substring(0, 120) : subject);
        return Authentication.of(new Principal(printable(name), scopes), "jwt " + name);
    }

    private List<String> claimValues(JWTClaimsSet claims) {
        Object value = claims.getClaim(config.scopeClaim());
        if (value instanceof String s) {
            return List.of(s.split(" "));
        }
        if (value instanceof List<?> list) {
            return list.stream()
                    .filter(String.class::isInstance)
                    .map(String.class::cast)
                    .toList();
        }
        return Optional.ofNullable(value).map(v -> List.<String>of()).orElse(List.of());
    }

    private static String printable(String text) {
        return text.replaceAll("[^\\x20-\\x7E]", "?");
    }
}
