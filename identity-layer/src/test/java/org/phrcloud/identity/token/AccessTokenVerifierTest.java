package org.phrcloud.identity.token;

import org.phrcloud.identity.caller.Caller;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.phrcloud.identity.PhrRole;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The verifier against tokens signed here and a JWKS served over real HTTP. The same checks against a
 * real Keycloak run in the ear module's integration tests.
 */
class AccessTokenVerifierTest {
    private static final String ISSUER = "http://127.0.0.1:1/realms/phr";
    private static HttpServer jwksServer;
    private static RSAKey realmKey;
    private static AccessTokenVerifier verifier;

    @BeforeAll
    static void serveJwks() throws Exception {
        realmKey = new RSAKeyGenerator(2048).keyID("realm-key").generate();
        byte[] jwks = new JWKSet(realmKey.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
        jwksServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        jwksServer.createContext("/certs", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, jwks.length);
            exchange.getResponseBody().write(jwks);
            exchange.close();
        });
        jwksServer.start();
        URI jwksUri = URI.create("http://127.0.0.1:" + jwksServer.getAddress().getPort() + "/certs");
        verifier = new AccessTokenVerifier(new AccessTokenVerifier.Settings(ISSUER, jwksUri, "phr-backend"));
    }

    @AfterAll
    static void stop() {
        jwksServer.stop(0);
    }

    private static String token(RSAKey key, Consumer<JWTClaimsSet.Builder> change) throws Exception {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER).subject("user-1").audience(List.of("phr-backend", "account"))
                .issueTime(new Date()).expirationTime(Date.from(Instant.now().plusSeconds(300)))
                .claim("typ", "Bearer").claim("azp", "phr-portal").claim("acr", "1")
                .claim("preferred_username", "demo-patient")
                .claim("groups", List.of("patient", "offline_access"))
                .claim("realm_access", Map.of("roles", List.of("patient", "default-roles-phr")));
        change.accept(claims);
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT)
                .keyID(key.getKeyID()).build(), claims.build());
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    @Test
    void tokensIssuedBeforeTheIssuerBecameUnreachableKeepWorkingAfterTheCacheExpired() throws Exception {
        HttpServer issuer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] jwks = new JWKSet(realmKey.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
        issuer.createContext("/certs", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, jwks.length);
            exchange.getResponseBody().write(jwks);
            exchange.close();
        });
        issuer.start();
        // a cache of 200 ms instead of 5 min, so that the outage below outlasts it
        AccessTokenVerifier shortCache = new AccessTokenVerifier(new AccessTokenVerifier.Settings(ISSUER,
                URI.create("http://127.0.0.1:" + issuer.getAddress().getPort() + "/certs"), "phr-backend"), 200);
        String issued = token(realmKey, c -> { });
        assertThat(shortCache.verify(issued).subject()).isEqualTo("user-1");

        issuer.stop(0); // Keycloak down: nothing listens on the JWKS port any more
        Thread.sleep(1_000); // the cached JWK Set is now 5 times older than its time to live

        assertThat(shortCache.verify(issued).subject()).as("a token issued before the outage").isEqualTo("user-1");
        RSAKey unknown = new RSAKeyGenerator(2048).keyID("not-the-realm").generate();
        assertThatThrownBy(() -> shortCache.verify(token(unknown, c -> { }))).as("a key the last JWK Set does not hold")
                .isInstanceOf(InvalidAccessTokenException.class);
    }

    @Test
    void acceptsAValidAccessToken() throws Exception {
        Caller t = verifier.verify(token(realmKey, c -> { }));
        assertThat(t.subject()).isEqualTo("user-1");
        assertThat(t.username()).isEqualTo("demo-patient");
        assertThat(t.clientId()).isEqualTo("phr-portal");
        assertThat(t.roles()).containsExactly(PhrRole.PATIENT);
        assertThat(t.acr()).isEqualTo("1");
        assertThat(t.serviceAccount()).isFalse();
        assertThat(t.institutions()).isEmpty();
    }

    @Test
    void readsInstitutionsFromGroupPathsUnderInstitutions() throws Exception {
        Caller t = verifier.verify(token(realmKey, c -> c.claim("institutions",
                List.of("/institutions/st-mary", "/institutions/north-clinic", "/other/x", "/institutions/"))));
        assertThat(t.institutions()).containsExactlyInAnyOrder("st-mary", "north-clinic");
    }

    @Test
    void recognisesAServiceAccountByItsClientIdUsernameAndMissingSession() throws Exception {
        Caller service = verifier.verify(token(realmKey, c -> c
                .claim("preferred_username", "service-account-phr-backend").claim("client_id", "phr-backend")
                .claim("azp", "phr-backend").claim("groups", List.of())));
        assertThat(service.serviceAccount()).isTrue();

        Caller withSession = verifier.verify(token(realmKey, c -> c
                .claim("preferred_username", "service-account-phr-backend").claim("client_id", "phr-backend")
                .claim("sid", "a-browser-session")));
        assertThat(withSession.serviceAccount()).isFalse();

        Caller otherClient = verifier.verify(token(realmKey, c -> c
                .claim("preferred_username", "service-account-phr-backend").claim("client_id", "phr-portal")));
        assertThat(otherClient.serviceAccount()).isFalse();

        Caller named = verifier.verify(token(realmKey, c -> c.claim("preferred_username", "service-account-x")));
        assertThat(named.serviceAccount()).isFalse();
    }

    @Test
    void refusesAnotherIssuer() {
        assertThatThrownBy(() -> verifier.verify(token(realmKey, c -> c.issuer("http://127.0.0.1:1/realms/other"))))
                .isInstanceOf(InvalidAccessTokenException.class).hasMessageStartingWith("PHR-TOKEN-0004");
    }

    @Test
    void refusesAnotherAudience() {
        assertThatThrownBy(() -> verifier.verify(token(realmKey, c -> c.audience("account"))))
                .isInstanceOf(InvalidAccessTokenException.class).hasMessageStartingWith("PHR-TOKEN-0004");
    }

    @Test
    void refusesAnExpiredToken() {
        assertThatThrownBy(() -> verifier.verify(token(realmKey,
                c -> c.expirationTime(Date.from(Instant.now().minusSeconds(120))))))
                .isInstanceOf(InvalidAccessTokenException.class).hasMessageContaining("xpired");
    }

    @Test
    void refusesAnIdToken() {
        assertThatThrownBy(() -> verifier.verify(token(realmKey, c -> c.claim("typ", "ID"))))
                .isInstanceOf(InvalidAccessTokenException.class);
    }

    @Test
    void refusesASignatureByAnotherKeyWithTheSameKeyId() throws Exception {
        RSAKey forger = new RSAKeyGenerator(2048).keyID("realm-key").generate();
        String forged = token(forger, c -> { });
        assertThatThrownBy(() -> verifier.verify(forged)).isInstanceOf(InvalidAccessTokenException.class);
    }

    @Test
    void refusesGarbageAndAbsence() {
        assertThatThrownBy(() -> verifier.verify("not-a-jwt")).hasMessageStartingWith("PHR-TOKEN-0003");
        assertThatThrownBy(() -> verifier.verify(" ")).hasMessageStartingWith("PHR-TOKEN-0002");
        assertThatThrownBy(() -> verifier.verify(null)).hasMessageStartingWith("PHR-TOKEN-0002");
    }
}
