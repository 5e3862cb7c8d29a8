package dev.indelible.server.auth;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How JWT bearer tokens from an OpenID Connect provider are accepted.
 *
 * @param issuer the exact {@code iss} every token must carry
 * @param audience the {@code aud} every token must include (this server's client id)
 * @param jwks where the provider's public keys are: an {@code https:} (or {@code http:}) JWKS URL,
 *     fetched with bounded timeouts and cached, or a {@code file:} URI read at start
 * @param scopeClaim the claim whose values (a string or an array of strings, e.g. {@code groups})
 *     are mapped to scopes
 * @param claimScopes the scopes each value of {@link #scopeClaim} grants; values not listed grant
 *     nothing
 * @param algorithms the accepted signature algorithms; only asymmetric ones (RS, PS, ES) are
 *     allowed, so that a public key can never be used as an HMAC secret
 */
public record OidcConfig(
        String issuer,
        String audience,
        URI jwks,
        String scopeClaim,
        Map<String, Set<Scope>> claimScopes,
        List<String> algorithms) {
    /** The algorithms accepted unless configured otherwise. */
    public static final List<String> DEFAULT_ALGORITHMS = List.of("RS256", "ES256");
    /** The claim mapped to scopes unless configured otherwise. */
    public static final String DEFAULT_SCOPE_CLAIM = "groups";

    private static final Set<String> ASYMMETRIC =
            Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512");

    /** Checks every value. */
    public OidcConfig {
        if (issuer == null || issuer.isBlank()) {
            throw new IllegalArgumentException("OIDC needs an issuer");
        }
        if (audience == null || audience.isBlank()) {
            throw new IllegalArgumentException("OIDC needs an audience");
        }
        String scheme = jwks == null ? null : jwks.getScheme();
        if (scheme == null || !Set.of("https", "http", "file").contains(scheme)) {
            throw new IllegalArgumentException("OIDC JWKS must be an https:, http: or file: URI, got " + jwks);
        }
        if (algorithms.isEmpty()) {
            throw new IllegalArgumentException("OIDC needs at least one algorithm");
        }
        for (String algorithm : algorithms) {
            if (!ASYMMETRIC.contains(algorithm)) {
                throw new IllegalArgumentException(
                        "OIDC algorithm " + algorithm + " refused; want one of " + ASYMMETRIC);
            }
        }
        claimScopes = Map.copyOf(claimScopes);
        algorithms = List.copyOf(algorithms);
    }
}
