package org.phrcloud.ledger.anchor;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HexFormat;

/**
 * One consent state for the on-chain {@code ConsentRegistry} (contract {@code ConsentRegistry.sol}): hashes and a
 * status only, never health data. Queued with {@link #enqueue} in the transaction of the decision; the {@link Anchorer}
 * sends it with the next anchor of the patient's chain ({@code AnchorRegistry.anchorWithConsents}).
 *
 * @param key       hex SHA-256 of {@code phr-consent:<institution>:<FHIR Consent id>} ({@link #key})
 * @param pseudonym the patient's pseudonym (64 hex)
 * @param grantee   hex SHA-256 of {@code person:<user id>} or {@code institution:<id>} ({@link #sha256Hex})
 * @param scope     hex SHA-256 of the canonical terms
 * @param status    1 pending, 2 active, 3 rejected, 4 revoked
 * @param expiry    end of the grant, UNIX seconds
 * @param version   the FHIR Consent's version; the registry ignores a state not newer than the one it holds
 */
public record RegistryConsent(String key, String pseudonym, String grantee, String scope, int status, long expiry, long version) {
    public static final int PENDING = 1;
    public static final int ACTIVE = 2;
    public static final int REJECTED = 3;
    public static final int REVOKED = 4;

    public RegistryConsent {
        for (String hex : new String[]{key, pseudonym, grantee, scope}) {
            if (hex == null || hex.length() != 64) {
                throw new IllegalArgumentException("PHR-LEDGER-0601: key, pseudonym, grantee and scope are 32-byte hex");
            }
        }
        if (status < PENDING || status > REVOKED) {
            throw new IllegalArgumentException("PHR-LEDGER-0601: status is 1 to 4");
        }
    }

    /** The registry key of a consent of an institution. */
    public static String key(String institution, String consentId) {
        return sha256Hex("phr-consent:" + institution + ":" + consentId);
    }

    /** Hex SHA-256 of the UTF-8 bytes. */
    public static String sha256Hex(String text) {
        return sha256Hex(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Hex SHA-256. */
    public static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Queues this state on {@code c} (the caller's transaction). */
    public void enqueue(Connection c, Instant now) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO ledger_consent_outbox (consent_key, pseudonym, grantee_hash, scope_hash, "
                + "status, expiry, version, created_at) VALUES (?,?,?,?,?,?,?,?)")) {
            s.setString(1, key);
            s.setString(2, pseudonym);
            s.setString(3, grantee);
            s.setString(4, scope);
            s.setInt(5, status);
            s.setLong(6, expiry);
            s.setLong(7, version);
            s.setTimestamp(8, Timestamp.from(now));
            s.executeUpdate();
        }
    }
}
