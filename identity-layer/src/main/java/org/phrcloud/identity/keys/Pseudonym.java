package org.phrcloud.identity.keys;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A patient's pseudonym: the lowercase hex SHA-256 (FIPS 180-4) of the DER-encoded SubjectPublicKeyInfo
 * (RFC 5280 section 4.1.2.7) of the patient's public key (ARCHITECTURE.md, "Decisions").
 * It is the only patient identifier on the chain and in research lineage; 64 hex characters.
 */
public record Pseudonym(String value) {
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

    public Pseudonym {
        if (value == null || !HEX64.matcher(value).matches()) {
            throw new IllegalArgumentException("PHR-IDENTITY-0101: a pseudonym is 64 lowercase hex characters");
        }
    }

    /** @param publicKey an EC public key; its {@link PublicKey#getEncoded()} is the DER SubjectPublicKeyInfo */
    public static Pseudonym of(PublicKey publicKey) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(publicKey.getEncoded());
            return new Pseudonym(HexFormat.of().formatHex(digest));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
