package dev.indelible.server.auth;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Access control settings of a server.
 *
 * @param mode whether requests are authenticated at all
 * @param publicReads whether checkpoints, hash tiles, proofs and log information are served to
 *     anyone (the default: verification must never need a secret); when false they need {@code
 *     read:<log>} like entries do
 * @param oidc JWT bearer tokens from an OpenID Connect provider, if configured
 * @param certificateScopes scopes granted to a client certificate (mTLS) by subject or SAN: keys
 *     are {@code dn:<RFC 2253 subject>}, {@code dns:<name>}, {@code uri:<uri>}, {@code
 *     email:<address>} or {@code ip:<address>}
 * @param rateLimit the per-principal request rate bound
 * @param requestHeaderMaxBytes the largest request line plus headers accepted (431 beyond)
 */
public record SecurityConfig(
        Mode mode,
        boolean publicReads,
        Optional<OidcConfig> oidc,
        Map<String, Set<Scope>> certificateScopes,
        RateLimit rateLimit,
        int requestHeaderMaxBytes) {
    /** The default bound on request line plus headers: room for a large JWT. */
    public static final int DEFAULT_REQUEST_HEADER_MAX_BYTES = 16 * 1024;

    /** Whether requests are authenticated. */
    public enum Mode {
        /** Every non-public route needs a credential with the right scope (the default). */
        REQUIRED,
        /**
         * No authentication, no authorization, no rate limit and no {@code _access} records: for
         * development and tests on a loopback address only (a server refuses to bind elsewhere).
         */
        OFF
    }

    /**
     * A token bucket per principal (per address for anonymous requests and failed attempts).
     *
     * @param requestsPerSecond the sustained rate; 0 disables rate limiting
     * @param burst the bucket size
     * @param failuresPerSecond the sustained rate of failed authentications per address
     */
    public record RateLimit(double requestsPerSecond, int burst, double failuresPerSecond) {
        /** The default: generous for batching clients, tight for guessing. */
        public static final RateLimit DEFAULT = new RateLimit(2_000, 4_000, 5);

        /** Checks bounds. */
        public RateLimit {
            if (requestsPerSecond < 0 || burst < 1 || failuresPerSecond <= 0) {
                throw new IllegalArgumentException("rate limit " + requestsPerSecond + "/s burst " + burst
                        + ", failures " + failuresPerSecond + "/s: want rate >= 0, burst >= 1, failures > 0");
            }
        }
    }

    /** Checks bounds and copies. */
    public SecurityConfig {
        if (requestHeaderMaxBytes < 1024 || requestHeaderMaxBytes > 1 << 20) {
            throw new IllegalArgumentException(
                    "requestHeaderMaxBytes " + requestHeaderMaxBytes + " outside [1 KiB, 1 MiB]");
        }
        certificateScopes = Map.copyOf(certificateScopes);
    }

    /** Authentication required, public verification, no OIDC, no certificate mapping. */
    public static SecurityConfig defaults() {
        return new SecurityConfig(
                Mode.REQUIRED, true, Optional.empty(), Map.of(), RateLimit.DEFAULT, DEFAULT_REQUEST_HEADER_MAX_BYTES);
    }

    /** Access control off: for tests and development on a loopback address. */
    public static SecurityConfig off() {
        return defaults().withMode(Mode.OFF);
    }

    /** A copy with another mode. */
    public SecurityConfig withMode(Mode newMode) {
        return new SecurityConfig(newMode, publicReads, oidc, certificateScopes, rateLimit, requestHeaderMaxBytes);
    }

    /** A copy with another public-reads setting. */
    public SecurityConfig withPublicReads(boolean newPublicReads) {
        return new SecurityConfig(mode, newPublicReads, oidc, certificateScopes, rateLimit, requestHeaderMaxBytes);
    }

    /** A copy accepting JWTs from {@code newOidc}. */
    public SecurityConfig withOidc(OidcConfig newOidc) {
        return new SecurityConfig(
                mode, publicReads, Optional.of(newOidc), certificateScopes, rateLimit, requestHeaderMaxBytes);
    }

    /** A copy with another certificate mapping. */
    public SecurityConfig withCertificateScopes(Map<String, Set<Scope>> newScopes) {
        return new SecurityConfig(mode, publicReads, oidc, newScopes, rateLimit, requestHeaderMaxBytes);
    }

    /** A copy with another rate limit. */
    public SecurityConfig withRateLimit(RateLimit newRateLimit) {
        return new SecurityConfig(mode, publicReads, oidc, certificateScopes, newRateLimit, requestHeaderMaxBytes);
    }
}
