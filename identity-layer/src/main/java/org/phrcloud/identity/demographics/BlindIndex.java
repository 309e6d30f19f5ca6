package org.phrcloud.identity.demographics;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.text.Normalizer;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Keyed hashes that let the master patient index find an identifier without decrypting anything: the
 * index stores HMAC-SHA256 (RFC 2104, FIPS 198-1) of the normalized identifier under a key of its own,
 * so equal identifiers give equal index values while the values reveal nothing without the key.
 *
 * <p>Normalization: Unicode NFKC, trimmed, upper case (ROOT locale), inner white space and hyphens
 * removed; the system (e.g. a national id namespace URI) is part of the input, so the same number in two
 * systems gives two index values. Output: 64 lowercase hex characters.
 */
public final class BlindIndex {
    private final SecretKeySpec key;

    /** @param key at least 32 bytes, from configuration, different from every master key */
    public BlindIndex(byte[] key) {
        if (key.length < 32) {
            throw new IllegalArgumentException("PHR-IDENTITY-0220: the blind index key needs at least 32 bytes");
        }
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
    }

    /**
     * @param system the identifier's namespace (FHIR Identifier.system), e.g. {@code urn:oid:1.2.410.100}
     * @param value  the identifier (FHIR Identifier.value)
     */
    public String of(String system, String value) {
        String input = system.trim() + "|" + normalize(value);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return HexFormat.of().formatHex(mac.doFinal(input.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java platform", e);
        }
    }

    static String normalize(String value) {
        return Normalizer.normalize(value, Normalizer.Form.NFKC).trim().toUpperCase(Locale.ROOT).replaceAll("[\\s-]", "");
    }
}
