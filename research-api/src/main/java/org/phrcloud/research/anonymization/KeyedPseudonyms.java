package org.phrcloud.research.anonymization;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Replaces direct identifiers by keyed-hash pseudonyms, HMAC-SHA256 (RFC 2104) under a key of the
 * release: the same person gets the same pseudonym within a release (so a researcher can count
 * records per person), and nobody without the key can recompute or link them. Use a new random key per
 * release so that two releases cannot be joined on pseudonyms (ISO/IEC 20889:2018,
 * pseudonymization with a secret key). The algorithms are then called without dropping these columns.
 */
public final class KeyedPseudonyms {
    private final SecretKeySpec key;

    /** @param key at least 32 random bytes, kept with the release's provenance or discarded */
    public KeyedPseudonyms(byte[] key) {
        if (key.length < 32) {
            throw new IllegalArgumentException("PHR-RESEARCH-0004: the pseudonym key needs at least 32 bytes");
        }
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
    }

    /** @return 64 lowercase hex characters */
    public String of(String directIdentifier) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return HexFormat.of().formatHex(mac.doFinal(directIdentifier.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java platform", e);
        }
    }

    /** @return the table with the values of these columns replaced by their pseudonyms */
    public Table apply(Table table, List<String> columns) {
        int[] idx = table.indexes(columns);
        List<List<String>> rows = new ArrayList<>(table.size());
        for (List<String> row : table.rows()) {
            List<String> r = new ArrayList<>(row);
            for (int i : idx) {
                r.set(i, of(row.get(i)));
            }
            rows.add(r);
        }
        return new Table(table.columns(), rows);
    }
}
