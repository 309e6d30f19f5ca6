package org.phrcloud.identity.token;

import org.phrcloud.identity.caller.Caller;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.ConfigurableJWTProcessor;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import org.phrcloud.identity.PhrRole;

import java.net.URI;
import java.net.URL;
import java.text.ParseException;
import java.util.Collection;
import java.util.HashSet;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Verifies Keycloak access tokens (JWS, RFC 7515 / JWT, RFC 7519) as a resource server must
 * (RFC 6750; RFC 9068 section 4): signature by a key of the realm's JWKS, {@code iss} equal to the realm,
 * {@code aud} containing this API, {@code exp}/{@code nbf} with 60 s clock skew, and {@code typ} "Bearer"
 * (so ID and refresh tokens are refused).
 *
 * <p>The JWKS is fetched lazily on the first token and cached (5 min); a key rotation in Keycloak is picked up
 * when a token names an unknown key id. While Keycloak cannot be reached, the last JWKS fetched goes on serving
 * ({@link #OUTAGE_TOLERANCE_MILLIS}), so tokens issued before the outage keep working until they expire. Thread-safe.
 */
public final class AccessTokenVerifier {

    /**
     * @param issuer   the realm URL, e.g. {@code http://127.0.0.1:8180/realms/phr} (must match the token exactly)
     * @param jwksUri  the realm's {@code /protocol/openid-connect/certs}
     * @param audience the client id this API accepts in {@code aud}, e.g. {@code phr-backend}
     */
    public record Settings(String issuer, URI jwksUri, String audience) {
        public Settings {
            Objects.requireNonNull(issuer, "issuer");
            Objects.requireNonNull(jwksUri, "jwksUri");
            Objects.requireNonNull(audience, "audience");
        }

        /** Settings for a Keycloak realm: JWKS at the realm's standard certs endpoint. */
        public static Settings forKeycloakRealm(String issuer, String audience) {
            return new Settings(issuer, URI.create(issuer + "/protocol/openid-connect/certs"), audience);
        }
    }

    /** How long the JWK Set is cached between fetches: nimbus's default, 5 min. */
    static final long CACHE_MILLIS = JWKSourceBuilder.DEFAULT_CACHE_TIME_TO_LIVE;
    /**
     * How long the last JWK Set fetched keeps serving while the issuer cannot be reached (nimbus
     * {@code OutageTolerantJWKSetSource}): 1 h, far beyond an access token's lifespan (Keycloak: 300 s), so the tokens
     * issued before a Keycloak outage stay valid until they expire.
     */
    static final long OUTAGE_TOLERANCE_MILLIS = 3_600_000L;

    private final ConfigurableJWTProcessor<SecurityContext> processor;

    public AccessTokenVerifier(Settings settings) {
        this(settings, CACHE_MILLIS);
    }

    /** @param cacheMillis how long the JWK Set is cached between fetches (shorter in tests) */
    AccessTokenVerifier(Settings settings, long cacheMillis) {
        URL jwksUrl;
        try {
            jwksUrl = settings.jwksUri().toURL();
        } catch (Exception e) {
            throw new IllegalArgumentException("PHR-TOKEN-0001: bad JWKS URI " + settings.jwksUri(), e);
        }
        // nimbus's defaults for the 5 min cache; a shorter one (tests) without refresh-ahead and rate limit, which
        // nimbus only allows below the cache's time to live
        long refreshTimeout = Math.min(JWKSourceBuilder.DEFAULT_CACHE_REFRESH_TIMEOUT, cacheMillis / 2);
        JWKSource<SecurityContext> keys = JWKSourceBuilder.create(jwksUrl).cache(cacheMillis, refreshTimeout)
                .refreshAheadCache(cacheMillis > JWKSourceBuilder.DEFAULT_REFRESH_AHEAD_TIME + refreshTimeout)
                .rateLimited(cacheMillis > JWKSourceBuilder.DEFAULT_RATE_LIMIT_MIN_INTERVAL)
                .outageTolerant(OUTAGE_TOLERANCE_MILLIS).retrying(true).build();
        processor = new DefaultJWTProcessor<>();
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, null));
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(
                new HashSet<>(Set.of(JWSAlgorithm.RS256, JWSAlgorithm.PS256, JWSAlgorithm.ES256)), keys));
        processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(
                new HashSet<>(Set.of(settings.audience())),
                new JWTClaimsSet.Builder().issuer(settings.issuer()).claim("typ", "Bearer").build(),
                new HashSet<>(Set.of("sub", "exp", "iat")),
                new HashSet<>()));
    }

    /**
     * @param bearerToken the compact JWS from {@code Authorization: Bearer ...}
     * @return what the token says about its caller
     * @throws InvalidAccessTokenException for any token that is not a valid access token of this realm and API
     */
    public Caller verify(String bearerToken) throws InvalidAccessTokenException {
        if (bearerToken == null || bearerToken.isBlank()) {
            throw new InvalidAccessTokenException("PHR-TOKEN-0002: no bearer token");
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(bearerToken, null);
        } catch (ParseException e) {
            throw new InvalidAccessTokenException("PHR-TOKEN-0003: the bearer token is not a JWT", e);
        } catch (Exception e) {
            // BadJOSEException (signature, claims, expiry) or JOSEException (key retrieval)
            throw new InvalidAccessTokenException("PHR-TOKEN-0004: the bearer token was rejected: " + e.getMessage(), e);
        }
        try {
            String username = claims.getStringClaim("preferred_username");
            String serviceClient = claims.getStringClaim("client_id");
            boolean serviceAccount = serviceClient != null && ("service-account-" + serviceClient).equals(username)
                    && claims.getClaim("sid") == null;
            return new Caller(
                    claims.getSubject(),
                    username,
                    claims.getStringClaim("azp"),
                    roles(claims),
                    claims.getStringClaim("acr"),
                    claims.getExpirationTime().toInstant(),
                    serviceAccount,
                    institutions(claims),
                    claims.getStringClaim("scope"));
        } catch (ParseException e) {
            throw new InvalidAccessTokenException("PHR-TOKEN-0005: the bearer token has malformed claims", e);
        }
    }

    /** Institution ids from the {@code institutions} claim: group paths {@code /institutions/<id>}. */
    private static Set<String> institutions(JWTClaimsSet claims) throws ParseException {
        Set<String> ids = new HashSet<>();
        List<String> paths = claims.getStringListClaim("institutions");
        if (paths != null) {
            for (String path : paths) {
                if (path.startsWith(Caller.INSTITUTION_GROUP_PREFIX)
                        && path.length() > Caller.INSTITUTION_GROUP_PREFIX.length()) {
                    ids.add(path.substring(Caller.INSTITUTION_GROUP_PREFIX.length()));
                }
            }
        }
        return ids;
    }

    /** Realm roles from the {@code groups} claim (our mapper) or Keycloak's {@code realm_access.roles}. */
    private static Set<PhrRole> roles(JWTClaimsSet claims) throws ParseException {
        Set<String> names = new HashSet<>();
        Optional.ofNullable(claims.getStringListClaim("groups")).ifPresent(names::addAll);
        Object realmAccess = claims.getClaim("realm_access");
        if (realmAccess instanceof Map<?, ?> map && map.get("roles") instanceof Collection<?> list) {
            list.forEach(r -> names.add(String.valueOf(r)));
        }
        Set<PhrRole> roles = new HashSet<>();
        for (String name : names) {
            PhrRole.fromRoleName(name).ifPresent(roles::add);
        }
        return roles;
    }

}
