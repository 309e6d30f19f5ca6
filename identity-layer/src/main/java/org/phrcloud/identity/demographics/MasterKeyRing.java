package org.phrcloud.identity.demographics;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The master keys that wrap data keys (key-encryption keys), by key id, and the id of the one that wraps
 * new data keys. Old keys stay to unwrap records not yet re-wrapped (rotation, NIST SP 800-57 part 1
 * section 5.3). Keys come from configuration, never from code.
 *
 * <p>Configuration text: {@code id1:BASE64,id2:BASE64} where each value is 32 random bytes (AES-256).
 */
public final class MasterKeyRing {
    private final Map<String, SecretKey> keys;
    private final String currentId;

    public MasterKeyRing(Map<String, SecretKey> keys, String currentId) {
        this.keys = Map.copyOf(keys);
        this.currentId = Objects.requireNonNull(currentId, "currentId");
        if (!this.keys.containsKey(currentId)) {
            throw new IllegalArgumentException("PHR-IDENTITY-0201: no master key with id " + currentId);
        }
    }

    /**
     * @param keysText  {@code id:BASE64} pairs separated by commas
     * @param currentId the id of the key that wraps new data keys
     * @throws IllegalArgumentException if a key is not 32 bytes of Base64 or an id repeats
     */
    public static MasterKeyRing parse(String keysText, String currentId) {
        Map<String, SecretKey> keys = new LinkedHashMap<>();
        for (String pair : keysText.split(",")) {
            String[] idAndKey = pair.trim().split(":", 2);
            if (idAndKey.length != 2 || idAndKey[0].isBlank()) {
                throw new IllegalArgumentException("PHR-IDENTITY-0202: master keys are id:BASE64 pairs");
            }
            byte[] raw = Base64.getDecoder().decode(idAndKey[1].trim());
            if (raw.length != 32) {
                throw new IllegalArgumentException("PHR-IDENTITY-0203: master key " + idAndKey[0] + " is not 32 bytes");
            }
            if (keys.put(idAndKey[0].trim(), new SecretKeySpec(raw, "AES")) != null) {
                throw new IllegalArgumentException("PHR-IDENTITY-0204: master key id " + idAndKey[0] + " repeats");
            }
        }
        return new MasterKeyRing(keys, currentId);
    }

    public String currentId() {
        return currentId;
    }

    SecretKey current() {
        return keys.get(currentId);
    }

    SecretKey get(String id) {
        SecretKey key = keys.get(id);
        if (key == null) {
            throw new IllegalArgumentException("PHR-IDENTITY-0205: no master key with id " + id);
        }
        return key;
    }
}
