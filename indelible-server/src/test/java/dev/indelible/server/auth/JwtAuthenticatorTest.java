package dev.indelible.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.indelible.log.LogName;
import dev.indelible.server.IndelibleServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JWT acceptance and every refusal RFC 8725 asks for, with keys generated in the test. */
class JwtAuthenticatorTest {
    private static final String ISSUER = "https://idp.test";
    private static final String AUDIENCE = "indelible";

    @TempDir
    Path dir;

    private RSAKey rsa;
    private ECKey ec;
    private OidcConfig config;
    private JwtAuthenticator jwt;

    @BeforeEach
    void setUp() throws Exception {
        rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        Path jwks = dir.resolve("jwks.json");
        Files.writeString(jwks, new JWKSet(List.of(rsa.toPublicJWK(), ec.toPublicJWK())).toString());
        config = new OidcConfig(
                ISSUER,
                AUDIENCE,
                jwks.toUri(),
                "groups",
                Map.of("auditors", Set.of(Scope.parse("read:audit")), "writers", Set.of(Scope.parse("append:audit"))),
                OidcConfig.DEFAULT_ALGORITHMS);
        jwt = new JwtAuthenticator(config);
    }

    private JWTClaimsSet claims(Consumer<JWTClaimsSet.Builder> change) {
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .audience(AUDIENCE)
                .subject("alice@example.com")
                .expirationTime(Date.from(Instant.now().plusSeconds(300)))
                .notBeforeTime(Date.from(Instant.now().minusSeconds(10)))
                .claim("groups", List.of("auditors", "unmapped"));
        change.accept(b);
        return b.build();
    }

    private String rs256(RSAKey key, JWTClaimsSet claims) throws Exception {
        SignedJWT signed = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.RS256)
                        .keyID(key.getKeyID())
                        .type(JOSEObjectType.JWT)
                        .build(),
                claims);
        signed.sign(new RSASSASigner(key));
        return signed.serialize();
    }

    @Test
    void validRs256AndEs256TokensMapTheirGroupsToScopes() throws Exception {
        Authentication a = jwt.authenticate(rs256(rsa, claims(b -> {})));
        assertThat(a.principal()).hasValueSatisfying(p -> {
            assertThat(p.name()).isEqualTo("oidc:alice@example.com");
            assertThat(p.scopes()).containsExactly(Scope.parse("read:audit"));
            assertThat(p.may(Scope.Kind.READ, new LogName("audit"))).isTrue();
            assertThat(p.may(Scope.Kind.APPEND, new LogName("audit"))).isFalse();
        });
        SignedJWT es = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("ec-1").build(),
                claims(b -> b.claim("groups", "writers")));
        es.sign(new ECDSASigner(ec));
        assertThat(jwt.authenticate(es.serialize()).principal())
                .hasValueSatisfying(p -> assertThat(p.scopes()).containsExactly(Scope.parse("append:audit")));
    }

    @Test
    void aTokenSignedByAnotherKeyWithTheSameKeyIdIsRefused() throws Exception {
        RSAKey attacker = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        assertThat(jwt.authenticate(rs256(attacker, claims(b -> {}))).principal())
                .isEmpty();
    }

    @Test
    void algNoneIsRefused() {
        String unsigned = new PlainJWT(claims(b -> {})).serialize();
        Authentication a = jwt.authenticate(unsigned);
        assertThat(a.principal()).isEmpty();
        assertThat(JwtAuthenticator.looksLikeJwt(unsigned)).isTrue();
    }

    @Test
    void hmacSignedWithThePublicKeyIsRefused() throws Exception {
        // Key confusion: an attacker who knows the RSA public key uses it as an HS256 secret.
        for (byte[] secret : List.of(
                rsa.toPublicKey().getEncoded(), rsa.toPublicJWK().toJSONString().getBytes())) {
            SignedJWT forged = new SignedJWT(
                    new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa-1").build(), claims(b -> {}));
            forged.sign(new MACSigner(secret));
            assertThat(jwt.authenticate(forged.serialize()).principal()).isEmpty();
        }
    }

    @Test
    void anAlgorithmOffTheAllowListIsRefusedEvenWithTheRightKey() throws Exception {
        SignedJWT rs512 = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.RS512).keyID("rsa-1").build(), claims(b -> {}));
        rs512.sign(new RSASSASigner(rsa));
        assertThat(jwt.authenticate(rs512.serialize()).principal()).isEmpty();
    }

    @Test
    void expiredNotYetValidWrongIssuerWrongAudienceAndMissingSubjectAreRefused() throws Exception {
        Map<String, Consumer<JWTClaimsSet.Builder>> cases = Map.of(
                "expired", b -> b.expirationTime(Date.from(Instant.now().minusSeconds(120))),
                "no exp", b -> b.expirationTime(null),
                "not yet valid", b -> b.notBeforeTime(Date.from(Instant.now().plusSeconds(600))),
                "wrong issuer", b -> b.issuer("https://evil.test"),
                "wrong audience", b -> b.audience("someone-else"),
                "no subject", b -> b.subject(null));
        for (Map.Entry<String, Consumer<JWTClaimsSet.Builder>> c : cases.entrySet()) {
            assertThat(jwt.authenticate(rs256(rsa, claims(c.getValue()))).principal())
                    .as(c.getKey())
                    .isEmpty();
        }
        assertThat(jwt.authenticate("not.a.jwt").principal()).isEmpty();
    }

    @Test
    void symmetricAlgorithmsCannotBeConfigured() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> new OidcConfig(ISSUER, AUDIENCE, config.jwks(), "groups", Map.of(), List.of("HS256")))
                .hasMessageContaining("HS256");
    }

    @Test
    void theServerAcceptsJwtsThroughTheBearerHeader(@TempDir Path data) throws Exception {
        try (IndelibleServer server = IndelibleServer.start(
                TestHttp.config(data, SecurityConfig.defaults().withOidc(config)))) {
            String base = "http://127.0.0.1:" + server.port();
            String writer = rs256(rsa, claims(b -> b.claim("groups", List.of("writers"))));
            String reader = rs256(rsa, claims(b -> {}));
            String expired = rs256(
                    rsa, claims(b -> b.expirationTime(Date.from(Instant.now().minusSeconds(120)))));
            assertThat(TestHttp.send("POST", URI.create(base + "/v1/logs/audit/entries"), writer, "{\"a\":1}")
                            .statusCode())
                    .isEqualTo(200);
            assertThat(TestHttp.send("GET", URI.create(base + "/v1/logs/audit/entries/0"), writer, null)
                            .statusCode())
                    .isEqualTo(403);
            assertThat(TestHttp.send("GET", URI.create(base + "/v1/logs/audit/entries/0"), reader, null)
                            .statusCode())
                    .isEqualTo(200);
            assertThat(TestHttp.send("GET", URI.create(base + "/v1/logs/audit/entries/0"), expired, null)
                            .statusCode())
                    .isEqualTo(401);
            String none = new PlainJWT(claims(b -> b.claim("groups", List.of("auditors")))).serialize();
            assertThat(TestHttp.send("GET", URI.create(base + "/v1/logs/audit/entries/0"), none, null)
                            .statusCode())
                    .isEqualTo(401);
        }
    }
}
