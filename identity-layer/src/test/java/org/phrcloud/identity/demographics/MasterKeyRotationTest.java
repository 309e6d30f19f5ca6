package org.phrcloud.identity.demographics;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.phrcloud.identity.institution.InstitutionKey;
import org.phrcloud.identity.institution.InstitutionKeys;
import org.phrcloud.identity.keys.EcdsaP256;
import org.phrcloud.identity.mpi.AdministrativeGender;
import org.phrcloud.identity.mpi.Demographics;
import org.phrcloud.identity.mpi.Identifier;
import org.phrcloud.identity.mpi.JdbcMasterPatientIndex;
import org.phrcloud.identity.mpi.MasterPatientIndex;
import org.phrcloud.identity.mpi.PatientIdentity;

import java.sql.Connection;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Master-key rotation re-wraps every sealed record (demographics, private keys not yet handed over, institution
 * signing keys) so that the old key can leave the ring: afterwards a ring with the new key only opens everything.
 */
class MasterKeyRotationTest {
    private static final String K1 = "k1:" + Base64.getEncoder().encodeToString(bytes(1));
    private static final String K2 = "k2:" + Base64.getEncoder().encodeToString(bytes(2));
    private static final BlindIndex BLIND_INDEX = new BlindIndex(bytes(9));

    private JdbcDataSource dataSource;

    private static byte[] bytes(int fill) {
        byte[] b = new byte[32];
        java.util.Arrays.fill(b, (byte) fill);
        return b;
    }

    @BeforeEach
    void setUp() {
        dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:rotation-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        JdbcMasterPatientIndex.migrate(dataSource);
    }

    private MasterPatientIndex mpi(MasterKeyRing ring) {
        return new JdbcMasterPatientIndex(dataSource, new EnvelopeCipher(ring), BLIND_INDEX, Clock.systemUTC());
    }

    private static Demographics person(int i) {
        return new Demographics(List.of(new Identifier("urn:test:id", "ID-" + i)), "Family" + i, List.of("Given"),
                LocalDate.of(1970 + i % 40, 1 + i % 12, 1 + i % 28), AdministrativeGender.FEMALE, null);
    }

    @Test
    void everySealedRecordMovesToTheNewKeyAndTheOldKeyCanGo() throws Exception {
        MasterKeyRing old = MasterKeyRing.parse(K1, "k1");
        List<String> pseudonyms = new ArrayList<>();
        for (int i = 0; i < 25; i++) { // keys kept sealed: registered without a passphrase
            pseudonyms.add(mpi(old).resolveOrRegister(person(i), "st-mary", "tester", null).identity().pseudonym());
        }
        InstitutionKey signing = new InstitutionKeys(dataSource, new EnvelopeCipher(old), Clock.systemUTC()).rotate("st-mary");
        MasterKeyRing both = MasterKeyRing.parse(K1 + "," + K2, "k2");
        pseudonyms.add(mpi(both).resolveOrRegister(person(99), "st-mary", "tester", null).identity().pseudonym()); // already under k2
        MasterKeyRotation rotation = new MasterKeyRotation(dataSource, both);
        assertThat(rotation.recordsByMasterKey()).isEqualTo(Map.of("k1", 51L, "k2", 2L));

        MasterKeyRotation.Result result = rotation.run(7);

        assertThat(result.rewrapped()).isEqualTo(51);
        assertThat(result.remaining()).isZero();
        assertThat(rotation.recordsByMasterKey()).isEqualTo(Map.of("k2", 53L));
        assertThat(rotation.run(7).rewrapped()).isZero();

        MasterKeyRing newOnly = MasterKeyRing.parse(K2, "k2");
        for (int i = 0; i < pseudonyms.size(); i++) {
            PatientIdentity identity = mpi(newOnly).findByPseudonym(pseudonyms.get(i)).orElseThrow();
            assertThat(identity.demographics()).isEqualTo(person(i < 25 ? i : 99));
            assertThat(mpi(newOnly).handOverKeyFile(pseudonyms.get(i), "a passphrase".toCharArray(), "tester")).isPresent();
        }
        InstitutionKeys keys = new InstitutionKeys(dataSource, new EnvelopeCipher(newOnly), Clock.systemUTC());
        byte[] signature = EcdsaP256.sign(keys.signingKey(signing.keyId()), new byte[32]);
        assertThat(EcdsaP256.verify(EcdsaP256.publicKey(signing.publicKey()), new byte[32], signature)).isTrue();
    }

    @Test
    void aRecordUnderAKeyTheRingDoesNotHoldStopsTheRunWithoutWriting() throws Exception {
        mpi(MasterKeyRing.parse(K1, "k1")).resolveOrRegister(person(1), "st-mary", "tester", null);
        MasterKeyRotation withoutK1 = new MasterKeyRotation(dataSource, MasterKeyRing.parse(K2, "k2"));

        assertThatThrownBy(() -> withoutK1.run(10)).hasMessageStartingWith("PHR-IDENTITY-0205");
        assertThat(withoutK1.recordsByMasterKey()).isEqualTo(Map.of("k1", 2L));
    }

    @Test
    void anAlteredRecordStaysUnderItsKeyAndIsCounted() throws Exception {
        MasterKeyRing old = MasterKeyRing.parse(K1, "k1");
        String altered = mpi(old).resolveOrRegister(person(1), "st-mary", "tester", null).identity().pseudonym();
        mpi(old).resolveOrRegister(person(2), "st-mary", "tester", null);
        try (Connection c = dataSource.getConnection();
             var read = c.prepareStatement("SELECT demographics FROM mpi_identity WHERE pseudonym = ?");
             var write = c.prepareStatement("UPDATE mpi_identity SET demographics = ? WHERE pseudonym = ?")) {
            read.setString(1, altered);
            byte[] stored;
            try (var r = read.executeQuery()) {
                r.next();
                stored = r.getBytes(1);
            }
            stored[5] ^= 1; // a byte of the wrapped data key: AES key wrap's integrity check fails
            write.setBytes(1, stored);
            write.setString(2, altered);
            write.executeUpdate();
        }
        MasterKeyRotation rotation = new MasterKeyRotation(dataSource, MasterKeyRing.parse(K1 + "," + K2, "k2"));

        MasterKeyRotation.Result result = rotation.run(10);

        assertThat(result.rewrapped()).isEqualTo(3); // two private keys and the other demographics
        assertThat(result.remaining()).isEqualTo(1);
        assertThat(rotation.recordsByMasterKey()).isEqualTo(Map.of("k1", 1L, "k2", 3L));
    }
}
