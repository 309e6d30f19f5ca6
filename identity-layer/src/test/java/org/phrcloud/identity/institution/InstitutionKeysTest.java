package org.phrcloud.identity.institution;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.phrcloud.identity.demographics.EnvelopeCipher;
import org.phrcloud.identity.demographics.MasterKeyRing;
import org.phrcloud.identity.keys.EcdsaP256;
import org.phrcloud.identity.mpi.JdbcMasterPatientIndex;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.Base64;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InstitutionKeysTest {
    private JdbcDataSource dataSource;
    private InstitutionKeys keys;

    @BeforeEach
    void setUp() {
        dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:keys-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        JdbcMasterPatientIndex.migrate(dataSource);
        keys = new InstitutionKeys(dataSource, new EnvelopeCipher(MasterKeyRing.parse(
                "k1:" + Base64.getEncoder().encodeToString(new byte[32]), "k1")), Clock.systemUTC());
    }

    @Test
    void rotationRetiresTheOldKeyWhichStaysPublished() throws Exception {
        InstitutionKey first = keys.rotate("st-mary");
        InstitutionKey second = keys.rotate("st-mary");
        keys.rotate("north-clinic");

        assertThat(keys.current("st-mary")).map(InstitutionKey::keyId).contains(second.keyId());
        assertThat(keys.published()).extracting(InstitutionKey::keyId).contains(first.keyId(), second.keyId());
        assertThat(keys.published()).filteredOn(k -> k.keyId().equals(first.keyId())).singleElement()
                .satisfies(k -> assertThat(k.current()).isFalse());

        JWKSet jwks = JWKSet.parse(keys.jwkSet().toString(true));
        ECKey published = (ECKey) jwks.getKeyByKeyId(second.keyId());
        assertThat(published.isPrivate()).isFalse();
        assertThat(published.getAlgorithm().getName()).isEqualTo("ES256");
        assertThat(jwks.getKeyByKeyId(first.keyId()).getExpirationTime()).isNotNull();
        assertThat(published.getExpirationTime()).isNull();

        byte[] block = "block 7".getBytes(StandardCharsets.UTF_8);
        byte[] signature = EcdsaP256.sign(keys.signingKey(second.keyId()), block);
        assertThat(EcdsaP256.verify(published.toECPublicKey(), block, signature)).isTrue();
    }

    @Test
    void privateKeysAreSealedAtRest() throws Exception {
        InstitutionKey key = keys.rotate("st-mary");
        byte[] pkcs8 = keys.signingKey(key.keyId()).getEncoded();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT private_key FROM institution_key")) {
            r.next();
            String stored = new String(r.getBytes(1), StandardCharsets.ISO_8859_1);
            String raw = new String(pkcs8, StandardCharsets.ISO_8859_1);
            assertThat(stored).doesNotContain(raw.substring(raw.length() - 32));
        }
    }

    @Test
    void refusesMalformedInstitutionIds() {
        assertThatThrownBy(() -> keys.rotate("St Mary")).hasMessageStartingWith("PHR-IDENTITY-0401");
        assertThatThrownBy(() -> keys.signingKey("nope")).hasMessageStartingWith("PHR-IDENTITY-0403");
    }
}
