package org.phrcloud.connector;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.security.PrivateKey;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * The signed JWT a deployment authenticates itself with when it calls another deployment: an RFC 7523 client
 * assertion (section 3: {@code iss} = {@code sub} = the calling institution, {@code aud} = the receiving deployment,
 * {@code exp}, {@code jti}), signed ES256 (RFC 7518 section 3.4) with the institution's current signing key, whose
 * JWK Set the institution publishes on chain ({@code AnchorRegistry.jwks}). The institution is named by its chain
 * account as a CAIP-10 account id ({@code eip155:<chain id>:<address>}). The person it acts for travels in the UDAP
 * B2B extension object ({@code extensions.hl7-b2b}: {@code subject_id}, {@code subject_name}, {@code subject_role},
 * {@code purpose_of_use}, {@code organization_id}) and {@code acr}; the receiver authorizes and audits that person.
 * The assertion is sent as the bearer token of the one request it was made for (a new {@code jti} each).
 */
public final class ClientAssertion {
    /** The longest lifetime ({@code exp - iat}) a receiver accepts; assertions are made for this long. */
    public static final Duration LIFETIME = Duration.ofMinutes(5);
    /** Clock difference between deployments tolerated on {@code iat} and {@code exp}. */
    public static final Duration CLOCK_SKEW = Duration.ofSeconds(30);
    /** The JOSE {@code typ} of these assertions, which tells them from the realm's access tokens. */
    public static final JOSEObjectType TYPE = new JOSEObjectType("phr-federation+jwt");
    private static final String B2B = "hl7-b2b";

    private ClientAssertion() {
    }

    /**
     * What a verified assertion says.
     *
     * @param issuer         the calling institution's CAIP-10 account id
     * @param organizationId the calling deployment's endpoint as it names itself ({@code organization_id})
     * @param jti            the assertion's id, for the receiver's replay check
     * @param expiresAt      its {@code exp}
     * @param party          the person the call is made for
     */
    public record Verified(String issuer, String organizationId, String jti, Instant expiresAt, ActingParty party) {
    }

    /** The CAIP-10 account id of a chain account: {@code eip155:<chainId>:<0x address, lowercase>}. */
    public static String accountId(long chainId, String address) {
        return "eip155:" + chainId + ":" + address.toLowerCase();
    }

    /** The address of a CAIP-10 {@code eip155} account id; empty if it is not one. */
    public static Optional<String> address(String accountId) {
        String[] parts = accountId == null ? new String[0] : accountId.split(":");
        return parts.length == 3 && parts[0].equals("eip155") && parts[2].matches("0x[0-9a-fA-F]{40}")
                ? Optional.of(parts[2].toLowerCase()) : Optional.empty();
    }

    /**
     * Signs an assertion for one request.
     *
     * @param key            the institution's current P-256 signing key
     * @param keyId          its {@code kid} in the published JWK Set
     * @param issuer         the institution's CAIP-10 account id
     * @param organizationId the calling deployment's endpoint
     * @param audience       the receiving deployment's endpoint, as the registry lists it
     * @param party          the person the call is made for
     * @param now            the time of signing
     * @return the compact JWS
     */
    public static String sign(PrivateKey key, String keyId, String issuer, String organizationId, String audience,
                              ActingParty party, Instant now) {
        Map<String, Object> b2b = new LinkedHashMap<>();
        b2b.put("version", "1");
        b2b.put("subject_id", party.subjectId());
        b2b.put("subject_name", party.subjectName());
        b2b.put("subject_role", party.role());
        b2b.put("organization_id", organizationId);
        b2b.put("purpose_of_use", List.of(ActingParty.PURPOSE_OF_USE_SYSTEM + "#" + party.purposeOfUse()));
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().issuer(issuer).subject(issuer).audience(audience)
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plus(LIFETIME))).jwtID(UUID.randomUUID().toString())
                .claim("extensions", Map.of(B2B, b2b));
        if (party.acr() != null) {
            claims.claim("acr", party.acr());
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(keyId).type(TYPE).build(), claims.build());
        try {
            jwt.sign(new ECDSASigner(key, com.nimbusds.jose.jwk.Curve.P_256));
        } catch (JOSEException e) {
            throw new IllegalStateException("PHR-FEDERATION-0501: cannot sign a client assertion", e);
        }
        return jwt.serialize();
    }

    /** @return true if the token is a JWS of this type (its header only is read; nothing is verified) */
    public static boolean isAssertion(String token) {
        try {
            return TYPE.equals(SignedJWT.parse(token).getHeader().getType());
        } catch (ParseException e) {
            return false;
        }
    }

    /**
     * Verifies an assertion: ES256 signature by a key of the issuer's published JWK Set that was current when it
     * signed (a retired key's {@code exp} ends it), {@code iss} = {@code sub}, this receiver in {@code aud}, within its
     * lifetime (at most {@link #LIFETIME}, {@link #CLOCK_SKEW} tolerated), a {@code jti}, and the B2B claims.
     * The replay check on {@code jti} is the receiver's.
     *
     * @param keysOfIssuer the JWK Set an admitted issuer published on chain; empty for an issuer not admitted
     * @throws InvalidAssertionException with a {@code PHR-FEDERATION-04nn} code
     */
    public static Verified verify(String token, String audience, Function<String, Optional<JWKSet>> keysOfIssuer, Instant now)
            throws InvalidAssertionException {
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new InvalidAssertionException("PHR-FEDERATION-0401: the client assertion is not a signed JWT");
        }
        if (!JWSAlgorithm.ES256.equals(jwt.getHeader().getAlgorithm()) || !TYPE.equals(jwt.getHeader().getType())) {
            throw new InvalidAssertionException("PHR-FEDERATION-0401: the client assertion must be an ES256 JWS of type " + TYPE);
        }
        String issuer = claims.getIssuer();
        if (issuer == null || !issuer.equals(claims.getSubject()) || address(issuer).isEmpty()) {
            throw new InvalidAssertionException("PHR-FEDERATION-0402: iss and sub must both be the calling institution's account id");
        }
        JWKSet keys = keysOfIssuer.apply(issuer).orElseThrow(() ->
                new InvalidAssertionException("PHR-FEDERATION-0403: " + issuer + " is not an admitted institution with published keys"));
        JWK jwk = jwt.getHeader().getKeyID() == null ? null : keys.getKeyByKeyId(jwt.getHeader().getKeyID());
        if (!(jwk instanceof ECKey ec)) {
            throw new InvalidAssertionException("PHR-FEDERATION-0404: the signing key is not in the issuer's published JWK Set");
        }
        try {
            if (!jwt.verify(new ECDSAVerifier(ec.toECPublicKey()))) {
                throw new InvalidAssertionException("PHR-FEDERATION-0404: the client assertion's signature does not verify");
            }
        } catch (JOSEException e) {
            throw new InvalidAssertionException("PHR-FEDERATION-0404: the client assertion's signature does not verify");
        }
        if (claims.getAudience() == null || !claims.getAudience().contains(audience)) {
            throw new InvalidAssertionException("PHR-FEDERATION-0405: the client assertion is for another audience");
        }
        if (claims.getExpirationTime() == null || claims.getIssueTime() == null || claims.getJWTID() == null) {
            throw new InvalidAssertionException("PHR-FEDERATION-0406: the client assertion needs exp, iat and jti");
        }
        Instant issued = claims.getIssueTime().toInstant();
        Instant expires = claims.getExpirationTime().toInstant();
        if (!now.isBefore(expires.plus(CLOCK_SKEW)) || issued.isAfter(now.plus(CLOCK_SKEW))) {
            throw new InvalidAssertionException("PHR-FEDERATION-0407: the client assertion has expired or is not valid yet");
        }
        if (Duration.between(issued, expires).compareTo(LIFETIME) > 0) {
            throw new InvalidAssertionException("PHR-FEDERATION-0406: a client assertion lives " + LIFETIME.toMinutes() + " minutes at most");
        }
        if (ec.getExpirationTime() != null && issued.isAfter(ec.getExpirationTime().toInstant())) {
            throw new InvalidAssertionException("PHR-FEDERATION-0404: the signing key was retired before the assertion was made");
        }
        return new Verified(issuer, b2bString(claims, "organization_id"), claims.getJWTID(), expires, party(claims));
    }

    private static ActingParty party(JWTClaimsSet claims) throws InvalidAssertionException {
        String subjectId = b2bString(claims, "subject_id");
        String subjectName = b2bString(claims, "subject_name");
        String role = b2bString(claims, "subject_role");
        Object purposes = b2b(claims).get("purpose_of_use");
        String purpose = purposes instanceof List<?> list && list.size() == 1 && list.get(0) instanceof String p
                && p.startsWith(ActingParty.PURPOSE_OF_USE_SYSTEM + "#") ? p.substring(ActingParty.PURPOSE_OF_USE_SYSTEM.length() + 1) : null;
        if (subjectId == null || subjectName == null || role == null || purpose == null) {
            throw new InvalidAssertionException("PHR-FEDERATION-0408: extensions.hl7-b2b needs subject_id, subject_name, "
                    + "subject_role and one purpose_of_use");
        }
        Object acr = claims.getClaim("acr");
        return new ActingParty(subjectId, subjectName, role, acr instanceof String a ? a : null, purpose);
    }

    private static Map<?, ?> b2b(JWTClaimsSet claims) {
        return claims.getClaim("extensions") instanceof Map<?, ?> extensions && extensions.get(B2B) instanceof Map<?, ?> b2b
                ? b2b : Map.of();
    }

    private static String b2bString(JWTClaimsSet claims, String name) {
        return b2b(claims).get(name) instanceof String s && !s.isBlank() ? s : null;
    }
}
