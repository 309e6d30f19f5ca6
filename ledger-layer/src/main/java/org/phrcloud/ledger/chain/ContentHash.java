package org.phrcloud.ledger.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.erdtman.jcs.JsonCanonicalizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The content hash of a FHIR resource version, as recorded in a block {@link Entry}: SHA-256 of the resource's
 * FHIR JSON (R4 JSON representation, http://hl7.org/fhir/R4/json.html) in RFC 8785 canonical form (JSON
 * Canonicalization Scheme), with {@code meta.versionId} and {@code meta.lastUpdated} removed: the version is in
 * the entry itself and the time is the server's bookkeeping, while everything clinical, tags and security labels
 * included, is covered. A resource read back from the database later must give the same hash, or it was changed.
 */
public final class ContentHash {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ContentHash() {
    }

    /**
     * @param resourceJson one resource in FHIR JSON
     * @return 32 bytes
     * @throws IllegalArgumentException if the text is not a JSON object
     */
    public static byte[] of(String resourceJson) {
        try {
            JsonNode tree = JSON.readTree(resourceJson);
            if (!(tree instanceof ObjectNode resource)) {
                throw new IllegalArgumentException("PHR-LEDGER-0101: a resource is a JSON object");
            }
            if (resource.get("meta") instanceof ObjectNode meta) {
                meta.remove("versionId");
                meta.remove("lastUpdated");
                if (meta.isEmpty()) {
                    resource.remove("meta");
                }
            }
            byte[] canonical = new JsonCanonicalizer(JSON.writeValueAsString(resource)).getEncodedUTF8();
            return MessageDigest.getInstance("SHA-256").digest(canonical);
        } catch (IOException e) {
            throw new IllegalArgumentException("PHR-LEDGER-0101: a resource is a JSON object", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Convenience for texts already in memory as UTF-8 bytes. */
    public static byte[] of(byte[] resourceJsonUtf8) {
        return of(new String(resourceJsonUtf8, StandardCharsets.UTF_8));
    }
}
