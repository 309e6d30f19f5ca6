package org.phrcloud.identity.institution;

import java.time.Instant;

/**
 * The public half of an institution's signing key, as published.
 *
 * @param keyId       {@code <institution>-<yyyyMMddHHmmss>-<4 hex>}, the JWK {@code kid}
 * @param institution the institution id
 * @param publicKey   DER SubjectPublicKeyInfo of the ECDSA P-256 key
 * @param createdAt   when it was made
 * @param retiredAt   when a newer key replaced it (it still verifies older signatures); null while current
 */
public record InstitutionKey(String keyId, String institution, byte[] publicKey, Instant createdAt, Instant retiredAt) {
    public boolean current() {
        return retiredAt == null;
    }
}
