package org.phrcloud.identity.institution;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import org.phrcloud.identity.demographics.EnvelopeCipher;
import org.phrcloud.identity.demographics.SealedRecord;
import org.phrcloud.database.JdbcTransactions;
import org.phrcloud.identity.keys.EcdsaP256;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Signing keys of institutions (ARCHITECTURE.md "Identity": institutions have signing keys; ledger blocks carry
 * the author institution's signature). ECDSA P-256, one current key per institution; {@link #rotate} makes a new
 * one and retires the old, which stays published for verification. Private keys are sealed at rest with
 * {@link EnvelopeCipher} under the master key ring. Tables: {@code institution_key} (see
 * {@code db/identity/V2__institution_keys.sql}, applied with the master patient index's migrations).
 */
public final class InstitutionKeys {
    private static final DateTimeFormatter KEY_TIME = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final DataSource dataSource;
    private final EnvelopeCipher cipher;
    private final Clock clock;

    public InstitutionKeys(DataSource dataSource, EnvelopeCipher cipher, Clock clock) {
        this.dataSource = dataSource;
        this.cipher = cipher;
        this.clock = clock;
    }

    /**
     * Makes a new current signing key for the institution and retires the previous one.
     *
     * @param institution an institution id: lowercase letters, digits and hyphens, 2 to 48 characters
     * @return the new key's public half
     * @throws IllegalArgumentException if the id is malformed
     */
    public InstitutionKey rotate(String institution) {
        if (institution == null || !institution.matches("[a-z0-9][a-z0-9-]{1,47}")) {
            throw new IllegalArgumentException("PHR-IDENTITY-0401: an institution id is 2 to 48 lowercase letters, digits or hyphens");
        }
        Instant now = clock.instant();
        byte[] suffix = new byte[2];
        RANDOM.nextBytes(suffix);
        String keyId = institution + "-" + KEY_TIME.format(now) + "-" + HexFormat.of().formatHex(suffix);
        KeyPair keys = EcdsaP256.generate();
        byte[] pkcs8 = keys.getPrivate().getEncoded();
        SealedRecord sealed = cipher.seal(pkcs8, keyId.getBytes(StandardCharsets.US_ASCII));
        Arrays.fill(pkcs8, (byte) 0);
        try {
            JdbcTransactions.inTransaction(dataSource, c -> {
                try (PreparedStatement s = c.prepareStatement(
                        "UPDATE institution_key SET retired_at = ? WHERE institution = ? AND retired_at IS NULL")) {
                    s.setTimestamp(1, Timestamp.from(now));
                    s.setString(2, institution);
                    s.executeUpdate();
                }
                try (PreparedStatement s = c.prepareStatement("INSERT INTO institution_key (key_id, institution, public_key, "
                        + "private_key_key_id, private_key, created_at) VALUES (?, ?, ?, ?, ?, ?)")) {
                    s.setString(1, keyId);
                    s.setString(2, institution);
                    s.setBytes(3, keys.getPublic().getEncoded());
                    s.setString(4, sealed.masterKeyId());
                    s.setBytes(5, sealed.toBytes());
                    s.setTimestamp(6, Timestamp.from(now));
                    s.executeUpdate();
                }
                return null;
            });
        } catch (SQLException e) {
            throw new IllegalStateException("PHR-IDENTITY-0402: cannot store an institution key", e);
        }
        return new InstitutionKey(keyId, institution, keys.getPublic().getEncoded(), now, null);
    }

    /** Every published key, current and retired, oldest first. */
    public List<InstitutionKey> published() {
        return query("SELECT key_id, institution, public_key, created_at, retired_at FROM institution_key ORDER BY created_at, key_id", null);
    }

    /** The institution's current key, if it has one. */
    public Optional<InstitutionKey> current(String institution) {
        return query("SELECT key_id, institution, public_key, created_at, retired_at FROM institution_key "
                + "WHERE institution = ? AND retired_at IS NULL", institution).stream().findFirst();
    }

    /**
     * The private half of a key, for signing inside the server (ledger blocks).
     *
     * @throws IllegalArgumentException if there is no such key
     */
    public PrivateKey signingKey(String keyId) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT private_key_key_id, private_key FROM institution_key WHERE key_id = ?")) {
            s.setString(1, keyId);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    throw new IllegalArgumentException("PHR-IDENTITY-0403: no institution key " + keyId);
                }
                byte[] pkcs8 = cipher.open(SealedRecord.fromBytes(r.getString(1), r.getBytes(2)), keyId.getBytes(StandardCharsets.US_ASCII));
                try {
                    return EcdsaP256.privateKey(pkcs8);
                } finally {
                    Arrays.fill(pkcs8, (byte) 0);
                }
            }
        } catch (SQLException | GeneralSecurityException | EnvelopeCipher.RecordIntegrityException e) {
            throw new IllegalStateException("PHR-IDENTITY-0404: cannot load institution key " + keyId, e);
        }
    }

    /**
     * The published keys as a JWK Set (RFC 7517): EC P-256 public keys with {@code use=sig}, {@code alg=ES256}
     * (RFC 7518 section 3.4) and {@code kid} the key id; {@code iat} is the creation time and, for a retired key,
     * {@code exp} the time it was retired (the JWK timestamp members nimbus-jose-jwt writes): a verifier accepts a
     * retired key only for signatures made before then.
     */
    public JWKSet jwkSet() {
        return jwkSet(published());
    }

    /**
     * As {@link #jwkSet()}, with one institution's keys only: what its deployment publishes on chain for other
     * deployments (ARCHITECTURE.md "Federation").
     */
    public JWKSet jwkSet(String institution) {
        return jwkSet(published().stream().filter(k -> k.institution().equals(institution)).toList());
    }

    private static JWKSet jwkSet(List<InstitutionKey> keys) {
        List<com.nimbusds.jose.jwk.JWK> jwks = new ArrayList<>();
        for (InstitutionKey key : keys) {
            try {
                jwks.add(new ECKey.Builder(Curve.P_256, (ECPublicKey) EcdsaP256.publicKey(key.publicKey()))
                        .keyID(key.keyId()).keyUse(KeyUse.SIGNATURE).algorithm(com.nimbusds.jose.JWSAlgorithm.ES256)
                        .issueTime(java.util.Date.from(key.createdAt()))
                        .expirationTime(key.retiredAt() == null ? null : java.util.Date.from(key.retiredAt()))
                        .build());
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("PHR-IDENTITY-0405: a stored institution key does not load", e);
            }
        }
        return new JWKSet(jwks);
    }

    private List<InstitutionKey> query(String sql, String institution) {
        List<InstitutionKey> keys = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            if (institution != null) {
                s.setString(1, institution);
            }
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    Timestamp retired = r.getTimestamp(5);
                    keys.add(new InstitutionKey(r.getString(1), r.getString(2), r.getBytes(3), r.getTimestamp(4).toInstant(),
                            retired == null ? null : retired.toInstant()));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("PHR-IDENTITY-0406: cannot read institution keys", e);
        }
        return keys;
    }
}
