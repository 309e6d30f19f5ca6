package org.phrcloud.identity.mpi;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.phrcloud.identity.demographics.BlindIndex;
import org.phrcloud.identity.demographics.EnvelopeCipher;
import org.phrcloud.identity.demographics.MasterKeyRing;
import org.phrcloud.identity.keys.EcdsaP256;
import org.phrcloud.identity.keys.PatientKeyFile;
import org.phrcloud.identity.keys.Pseudonym;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What every storage of the master patient index must do; run on H2 and on a real PostgreSQL. */
abstract class MasterPatientIndexContract {
    static final String NATIONAL_ID = "urn:oid:2.16.840.1.113883.4.1";
    static final String MRN_ST_MARY = "https://st-mary.example/mrn";
    private static final byte[] MASTER_KEY = bytes(32, 7);

    private DataSource dataSource;
    private MasterPatientIndex mpi;

    protected abstract DataSource dataSource();

    @BeforeEach
    void setUp() throws Exception {
        dataSource = dataSource();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            for (String table : List.of("mpi_care_relationship", "institution_key", "mpi_link_event", "mpi_patient_link", "mpi_identifier", "mpi_identity",
                    "\"phr_identity_schema_history\"")) {
                s.execute("DROP TABLE IF EXISTS " + table);
            }
        }
        JdbcMasterPatientIndex.migrate(dataSource);
        MasterKeyRing keys = MasterKeyRing.parse("k1:" + Base64.getEncoder().encodeToString(MASTER_KEY), "k1");
        mpi = new JdbcMasterPatientIndex(dataSource, new EnvelopeCipher(keys), new BlindIndex(bytes(32, 9)), Clock.systemUTC());
    }

    static Demographics maria(String nationalId) {
        return new Demographics(List.of(new Identifier(NATIONAL_ID, nationalId)), "Lindqvist", List.of("Maria", "Elena"),
                LocalDate.of(1984, 3, 17), AdministrativeGender.FEMALE,
                new Demographics.Address(List.of("Ringvägen 12"), "Uppsala", "75320", "SE"));
    }

    @Test
    void registersAnIdentityWithAPseudonymFromItsPublicKeyAndReadsItBack() throws Exception {
        MasterPatientIndex.Resolution r = mpi.resolveOrRegister(maria("850317-1234"), "st-mary", "tester");

        assertThat(r.registered()).isTrue();
        PatientIdentity identity = r.identity();
        assertThat(identity.pseudonym()).isEqualTo(HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(identity.publicKey())));
        assertThat(identity.demographics()).isEqualTo(maria("850317-1234"));
        assertThat(identity.homeInstitution()).isEqualTo("st-mary");
        assertThat(identity.keyHandedOver()).isFalse();
        assertThat(mpi.findByPseudonym(identity.pseudonym())).get().usingRecursiveComparison().isEqualTo(identity);
    }

    @Test
    void aPatientWhoseChainMovedHereIsRegisteredByHerPublicKeyAloneOnce() throws Exception {
        java.security.KeyPair keys = org.phrcloud.identity.keys.EcdsaP256.generate();
        String pseudonym = org.phrcloud.identity.keys.Pseudonym.of(keys.getPublic()).value();

        PatientIdentity moved = mpi.registerMovedIn(keys.getPublic(), "north-clinic", "federation:eip155:31337:0xabc");

        assertThat(moved.pseudonym()).isEqualTo(pseudonym);
        assertThat(moved.publicKey()).isEqualTo(keys.getPublic().getEncoded());
        assertThat(moved.homeInstitution()).isEqualTo("north-clinic");
        assertThat(moved.patientIds()).isEmpty();
        assertThat(moved.demographics().identifiers()).isEmpty();
        assertThat(moved.demographics().family()).isNull();
        assertThat(moved.keyHandedOver()).as("the server never had her private key").isTrue();
        assertThat(mpi.findByPseudonym(pseudonym).map(PatientIdentity::homeInstitution)).contains("north-clinic");
        assertThat(mpi.history(pseudonym)).extracting(LinkEvent::action).containsExactly(LinkEvent.Action.MOVE_IN);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> mpi.registerMovedIn(keys.getPublic(), "north-clinic", "again"))
                .isInstanceOf(IdentityConflictException.class).hasMessageStartingWith("PHR-IDENTITY-0320");
    }

    @Test
    void theSameIdentifierTwiceYieldsOneIdentityAndTheNewMrnIsIndexed() throws Exception {
        PatientIdentity first = mpi.resolveOrRegister(maria("850317-1234"), "st-mary", "tester").identity();
        Demographics again = new Demographics(List.of(new Identifier(NATIONAL_ID, " 8503171234 "),
                new Identifier(MRN_ST_MARY, "MRN-0042")), "Lindqvist", List.of("Maria"), null, null, null);

        MasterPatientIndex.Resolution second = mpi.resolveOrRegister(again, "north-clinic", "tester");

        assertThat(second.registered()).isFalse();
        assertThat(second.identity().pseudonym()).isEqualTo(first.pseudonym());
        assertThat(second.identity().homeInstitution()).isEqualTo("st-mary");
        assertThat(mpi.findByIdentifier(new Identifier(MRN_ST_MARY, "mrn-0042"))).map(PatientIdentity::pseudonym)
                .contains(first.pseudonym());
        assertThat(count("mpi_identity")).isEqualTo(1);
    }

    @Test
    void concurrentRegistrationsOfOneIdentifierMakeOneIdentity() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch start = new CountDownLatch(1);
        Callable<String> register = () -> {
            start.await();
            try {
                return mpi.resolveOrRegister(maria("850317-1234"), "st-mary", "tester").identity().pseudonym();
            } catch (IdentityConflictException lostTheRace) {
                return mpi.resolveOrRegister(maria("850317-1234"), "st-mary", "tester").identity().pseudonym();
            }
        };
        try {
            Future<String> a = pool.submit(register);
            Future<String> b = pool.submit(register);
            start.countDown();
            assertThat(a.get()).isEqualTo(b.get());
        } finally {
            pool.shutdownNow();
        }
        assertThat(count("mpi_identity")).isEqualTo(1);
    }

    @Test
    void identifiersOfTwoIdentitiesAreAConflictAndNothingIsWritten() throws Exception {
        mpi.resolveOrRegister(maria("850317-1234"), "st-mary", "tester");
        mpi.resolveOrRegister(maria("910101-9999"), "st-mary", "tester");
        Demographics both = new Demographics(List.of(new Identifier(NATIONAL_ID, "850317-1234"),
                new Identifier(NATIONAL_ID, "910101-9999"), new Identifier(MRN_ST_MARY, "NEW")), null, null, null, null, null);

        assertThatThrownBy(() -> mpi.resolveOrRegister(both, "st-mary", "tester"))
                .isInstanceOf(IdentityConflictException.class).hasMessageStartingWith("PHR-IDENTITY-0310");
        assertThat(mpi.findByIdentifier(new Identifier(MRN_ST_MARY, "NEW"))).isEmpty();
        assertThat(count("mpi_identifier")).isEqualTo(2);
    }

    @Test
    void rawTablesHoldNoPlaintextDemographics() throws Exception {
        mpi.resolveOrRegister(maria("850317-1234"), "st-mary", "tester");
        String everything = dumpTables().toUpperCase();

        for (String plaintext : List.of("Lindqvist", "Maria", "Elena", "1984-03-17", "19840317", "850317", "Ringvägen",
                "Uppsala", "75320", "FEMALE")) {
            assertThat(everything).as("raw tables contain %s", plaintext).doesNotContain(plaintext.toUpperCase());
        }
        assertThat(everything).contains("ST-MARY"); // the dump does see the clear columns
    }

    @Test
    void rankedMatchFindsSpellingVariantsOnTheSameBirthDateOnly() {
        PatientIdentity maria = mpi.resolveOrRegister(maria("850317-1234"), "st-mary", "tester").identity();
        Demographics other = new Demographics(List.of(new Identifier(NATIONAL_ID, "840317-5555")), "Lindqvist",
                List.of("Mario"), LocalDate.of(1984, 3, 17), AdministrativeGender.MALE, null);
        PatientIdentity mario = mpi.resolveOrRegister(other, "st-mary", "tester").identity();
        mpi.resolveOrRegister(new Demographics(List.of(), "Lindqvist", List.of("Maria"), LocalDate.of(1984, 3, 18),
                AdministrativeGender.FEMALE, null), "st-mary", "tester");

        List<MatchCandidate> candidates = mpi.match(new Demographics(List.of(), "Lindquist", List.of("Marie"),
                LocalDate.of(1984, 3, 17), AdministrativeGender.FEMALE, null), 10);

        assertThat(candidates).extracting(c -> c.identity().pseudonym()).containsExactly(maria.pseudonym(), mario.pseudonym());
        assertThat(candidates.get(0).grade()).isEqualTo(MatchCandidate.Grade.PROBABLE);
        assertThat(candidates.get(1).grade()).isEqualTo(MatchCandidate.Grade.POSSIBLE);
        assertThat(candidates.get(0).score()).isGreaterThan(candidates.get(1).score());

        List<MatchCandidate> byIdentifier = mpi.match(new Demographics(List.of(new Identifier(NATIONAL_ID, "840317-5555")),
                "Lindquist", List.of("Marie"), LocalDate.of(1984, 3, 17), AdministrativeGender.FEMALE, null), 1);
        assertThat(byIdentifier).singleElement().satisfies(c -> {
            assertThat(c.identity().pseudonym()).isEqualTo(mario.pseudonym());
            assertThat(c.grade()).isEqualTo(MatchCandidate.Grade.CERTAIN);
        });
    }

    @Test
    void linksAndUnlinksPatientsAndLoginsWithAnAuditTrail() {
        PatientIdentity maria = mpi.resolveOrRegister(maria("850317-1234"), "st-mary", "tester").identity();
        PatientIdentity other = mpi.resolveOrRegister(maria("910101-9999"), "north-clinic", "tester").identity();

        mpi.linkPatient(maria.pseudonym(), "101", "dr-a");
        mpi.linkPatient(maria.pseudonym(), "101", "dr-a"); // idempotent
        mpi.linkPatient(other.pseudonym(), "202", "dr-b");
        assertThatThrownBy(() -> mpi.linkPatient(other.pseudonym(), "101", "dr-b"))
                .isInstanceOf(IdentityConflictException.class).hasMessageStartingWith("PHR-IDENTITY-0311");
        assertThat(mpi.findByPatientId("101")).map(PatientIdentity::pseudonym).contains(maria.pseudonym());
        assertThat(mpi.pseudonymOfPatient("101")).contains(maria.pseudonym());
        assertThat(mpi.pseudonymOfPatient("999")).isEmpty();
        assertThat(mpi.patientIdsOf(maria.pseudonym())).containsExactly("101");
        assertThat(mpi.patientIdsOf("0".repeat(64))).isEmpty();
        assertThat(mpi.patientIdsOfInstitution("st-mary")).containsExactly("101");
        assertThat(mpi.patientIdsOfInstitution("north-clinic")).containsExactly("202");

        assertThat(mpi.recordEncounter("202", "st-mary", "st-mary-adt")).isTrue();
        assertThat(mpi.recordEncounter("202", "st-mary", "st-mary-adt")).isTrue(); // once per institution
        assertThat(mpi.recordEncounter("999", "st-mary", "st-mary-adt")).isFalse();
        assertThat(mpi.patientIdsOfInstitution("st-mary")).containsExactlyInAnyOrder("101", "202");
        assertThat(mpi.history(other.pseudonym())).filteredOn(e -> e.action() == LinkEvent.Action.ENCOUNTER).hasSize(1);

        mpi.linkLogin(maria.pseudonym(), "kc-user-1", "admin");
        assertThat(mpi.findByKeycloakUserId("kc-user-1")).map(PatientIdentity::pseudonym).contains(maria.pseudonym());
        assertThat(mpi.patientIdsOfLogin("kc-user-1")).containsExactly("101");
        assertThat(mpi.patientIdsOfLogin("kc-nobody")).isEmpty();
        assertThatThrownBy(() -> mpi.linkLogin(other.pseudonym(), "kc-user-1", "admin"))
                .isInstanceOf(IdentityConflictException.class);

        mpi.unlinkPatient(maria.pseudonym(), "101", "dr-a");
        assertThat(mpi.findByPatientId("101")).isEmpty();
        assertThatThrownBy(() -> mpi.unlinkPatient(maria.pseudonym(), "101", "dr-a"))
                .isInstanceOf(UnknownIdentityException.class);
        assertThatThrownBy(() -> mpi.linkPatient("0".repeat(64), "303", "dr-a"))
                .isInstanceOf(UnknownIdentityException.class);

        assertThat(mpi.history(maria.pseudonym())).extracting(LinkEvent::action, LinkEvent::target, LinkEvent::actor)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(LinkEvent.Action.REGISTER, maria.pseudonym(), "tester"),
                        org.assertj.core.groups.Tuple.tuple(LinkEvent.Action.LINK_PATIENT, "Patient/101", "dr-a"),
                        org.assertj.core.groups.Tuple.tuple(LinkEvent.Action.LINK_LOGIN, "kc-user-1", "admin"),
                        org.assertj.core.groups.Tuple.tuple(LinkEvent.Action.UNLINK_PATIENT, "Patient/101", "dr-a"));
    }

    @Test
    void thePrivateKeyIsHandedOverOnceUnderThePatientsPassphrase() throws Exception {
        PatientIdentity maria = mpi.resolveOrRegister(maria("850317-1234"), "st-mary", "tester").identity();
        char[] passphrase = "correct horse battery staple".toCharArray();

        String keyFile = mpi.handOverKeyFile(maria.pseudonym(), passphrase, "maria").orElseThrow();

        PrivateKey key = PatientKeyFile.decrypt(keyFile, passphrase);
        byte[] consent = "approve access request 7".getBytes(StandardCharsets.UTF_8);
        byte[] signature = EcdsaP256.sign(key, consent);
        PatientIdentity stored = mpi.findByPseudonym(maria.pseudonym()).orElseThrow();
        assertThat(EcdsaP256.verify(EcdsaP256.publicKey(stored.publicKey()), consent, signature)).isTrue();
        assertThat(Pseudonym.of(PatientKeyFile.publicKey(keyFile)).value()).isEqualTo(maria.pseudonym());
        assertThat(stored.keyHandedOver()).isTrue();
        assertThat(mpi.handOverKeyFile(maria.pseudonym(), passphrase, "maria")).isEmpty();
    }

    @Test
    void aPatientRegisteredInPersonGetsTheKeyFileAtOnceAndTheServerNeverStoresIt() throws Exception {
        char[] passphrase = "the patient's own passphrase".toCharArray();
        MasterPatientIndex.Resolution r = mpi.resolveOrRegister(maria("850317-1234"), "st-mary", "clerk", passphrase);

        PrivateKey key = PatientKeyFile.decrypt(r.keyFile(), passphrase);
        byte[] message = "consent".getBytes(StandardCharsets.UTF_8);
        assertThat(EcdsaP256.verify(EcdsaP256.publicKey(r.identity().publicKey()), message, EcdsaP256.sign(key, message))).isTrue();
        assertThat(r.identity().keyHandedOver()).isTrue();
        assertThat(mpi.handOverKeyFile(r.identity().pseudonym(), passphrase, "x")).isEmpty();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM mpi_identity WHERE private_key IS NOT NULL")) {
            rs.next();
            assertThat(rs.getLong(1)).isZero();
        }
        assertThat(mpi.resolveOrRegister(maria("850317-1234"), "st-mary", "clerk", passphrase).keyFile()).isNull();
    }

    @Test
    void demographicsMovedOntoAnotherIdentityDoNotDecrypt() throws Exception {
        PatientIdentity maria = mpi.resolveOrRegister(maria("850317-1234"), "st-mary", "tester").identity();
        PatientIdentity other = mpi.resolveOrRegister(maria("910101-9999"), "st-mary", "tester").identity();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE mpi_identity SET demographics = (SELECT demographics FROM mpi_identity WHERE pseudonym = '"
                    + maria.pseudonym() + "') WHERE pseudonym = '" + other.pseudonym() + "'");
        }
        assertThatThrownBy(() -> mpi.findByPseudonym(other.pseudonym()))
                .hasMessageStartingWith("PHR-IDENTITY-0318");
    }

    @Test
    void updatedDemographicsAreResealedAndNewIdentifiersIndexed() {
        PatientIdentity maria = mpi.resolveOrRegister(maria("850317-1234"), "st-mary", "tester").identity();
        Demographics married = new Demographics(List.of(new Identifier(NATIONAL_ID, "850317-1234"),
                new Identifier(MRN_ST_MARY, "77")), "Berg", List.of("Maria"), LocalDate.of(1984, 3, 17),
                AdministrativeGender.FEMALE, null);

        mpi.updateDemographics(maria.pseudonym(), married, "clerk");

        assertThat(mpi.findByIdentifier(new Identifier(MRN_ST_MARY, "77")).orElseThrow().demographics().family()).isEqualTo("Berg");
    }

    private long count(String table) throws Exception {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
            r.next();
            return r.getLong(1);
        }
    }

    /** Every column of every index table, read as text and as UTF-8 of its bytes. */
    private String dumpTables() throws Exception {
        List<String> cells = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            for (String table : List.of("mpi_identity", "mpi_identifier", "mpi_patient_link", "mpi_link_event")) {
                try (ResultSet r = s.executeQuery("SELECT * FROM " + table)) {
                    ResultSetMetaData meta = r.getMetaData();
                    while (r.next()) {
                        for (int i = 1; i <= meta.getColumnCount(); i++) {
                            Object value = r.getObject(i);
                            cells.add(value instanceof byte[] b ? new String(b, StandardCharsets.ISO_8859_1) + "|"
                                    + new String(b, StandardCharsets.UTF_8) : String.valueOf(value));
                        }
                    }
                }
            }
        }
        return String.join("\n", cells);
    }

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed * 31 + i);
        }
        return b;
    }
}
