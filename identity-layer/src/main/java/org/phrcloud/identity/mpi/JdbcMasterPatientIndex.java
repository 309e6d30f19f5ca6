package org.phrcloud.identity.mpi;

import org.phrcloud.database.SchemaMigrations;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.phrcloud.identity.demographics.BlindIndex;
import org.phrcloud.identity.demographics.EnvelopeCipher;
import org.phrcloud.identity.demographics.SealedRecord;
import org.phrcloud.database.JdbcTransactions;
import org.phrcloud.identity.keys.EcdsaP256;
import org.phrcloud.identity.keys.PatientKeyFile;
import org.phrcloud.identity.keys.Pseudonym;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@link MasterPatientIndex} in a relational database (H2 or PostgreSQL; schema in
 * {@code db/identity/V*.sql}, applied by {@link #migrate}).
 *
 * <p>Stored in the clear: the pseudonym, the public key, the home institution, the Keycloak user id, FHIR Patient
 * ids, and HMAC-SHA256 blind indexes of identifiers and birth date. Everything else of a person is in
 * {@code mpi_identity.demographics}, sealed by {@link EnvelopeCipher} with the pseudonym as additional data, so a
 * record copied onto another identity does not decrypt.
 *
 * <p>Transactions: a connection from the data source that is already in a transaction (autocommit off, as a
 * Spring {@code TransactionAwareDataSourceProxy} gives inside HAPI FHIR's transaction) is joined; otherwise each
 * method commits on its own.
 */
public final class JdbcMasterPatientIndex implements MasterPatientIndex {
    /** Blind index "system" of birth dates, the blocking key of ranked matching. */
    static final String BIRTH_DATE_SYSTEM = "urn:phr:birth-date";
    private static final String DEMOGRAPHICS_AAD = "phr-demographics|";
    private static final String PRIVATE_KEY_AAD = "phr-private-key|";
    private static final String UNIQUE_VIOLATION = "23505";

    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private final DataSource dataSource;
    private final EnvelopeCipher cipher;
    private final BlindIndex blindIndex;
    private final Clock clock;

    public JdbcMasterPatientIndex(DataSource dataSource, EnvelopeCipher cipher, BlindIndex blindIndex, Clock clock) {
        this.dataSource = dataSource;
        this.cipher = cipher;
        this.blindIndex = blindIndex;
        this.clock = clock;
    }

    /**
     * Creates or upgrades the index's tables (Flyway, history table {@code phr_identity_schema_history}); safe to
     * call at every start and next to other schemas in the same database.
     */
    public static void migrate(DataSource dataSource) {
        SchemaMigrations.migrate(dataSource, "identity", JdbcMasterPatientIndex.class);
    }

    @Override
    public Resolution resolveOrRegister(Demographics demographics, String homeInstitution, String actor, char[] passphrase) {
        return inTransaction(c -> {
            Set<String> owners = owners(c, demographics.identifiers());
            if (owners.size() > 1) {
                throw new IdentityConflictException("PHR-IDENTITY-0310: these identifiers belong to "
                        + owners.size() + " different identities");
            }
            if (owners.size() == 1) {
                String pseudonym = owners.iterator().next();
                addIdentifiers(c, pseudonym, demographics.identifiers());
                return new Resolution(load(c, pseudonym).orElseThrow(), false, null);
            }
            KeyPair keys = EcdsaP256.generate();
            String pseudonym = Pseudonym.of(keys.getPublic()).value();
            SealedRecord sealedDemographics = seal(demographics, pseudonym);
            String keyFile = passphrase == null ? null : PatientKeyFile.encrypt(keys, passphrase);
            SealedRecord sealedKey = null;
            if (keyFile == null) {
                byte[] pkcs8 = keys.getPrivate().getEncoded();
                sealedKey = cipher.seal(pkcs8, (PRIVATE_KEY_AAD + pseudonym).getBytes(StandardCharsets.US_ASCII));
                Arrays.fill(pkcs8, (byte) 0);
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO mpi_identity (pseudonym, public_key, "
                    + "demographics_key_id, demographics, private_key_key_id, private_key, birth_date_index, "
                    + "home_institution, registered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                s.setString(1, pseudonym);
                s.setBytes(2, keys.getPublic().getEncoded());
                s.setString(3, sealedDemographics.masterKeyId());
                s.setBytes(4, sealedDemographics.toBytes());
                s.setString(5, sealedKey == null ? null : sealedKey.masterKeyId());
                s.setBytes(6, sealedKey == null ? null : sealedKey.toBytes());
                s.setString(7, birthDateIndex(demographics));
                s.setString(8, homeInstitution);
                s.setTimestamp(9, Timestamp.from(clock.instant()));
                s.executeUpdate();
            }
            addIdentifiers(c, pseudonym, demographics.identifiers());
            event(c, LinkEvent.Action.REGISTER, pseudonym, pseudonym, actor);
            if (keyFile != null) {
                event(c, LinkEvent.Action.HAND_OVER_KEY, pseudonym, pseudonym, actor);
            }
            return new Resolution(load(c, pseudonym).orElseThrow(), true, keyFile);
        });
    }

    @Override
    public PatientIdentity registerMovedIn(java.security.PublicKey publicKey, String homeInstitution, String actor) {
        return inTransaction(c -> {
            String pseudonym = Pseudonym.of(publicKey).value();
            if (load(c, pseudonym).isPresent()) {
                throw new IdentityConflictException("PHR-IDENTITY-0320: an identity of this pseudonym is registered here already");
            }
            Demographics none = new Demographics(List.of(), null, List.of(), null, null, null);
            SealedRecord sealedDemographics = seal(none, pseudonym);
            try (PreparedStatement s = c.prepareStatement("INSERT INTO mpi_identity (pseudonym, public_key, demographics_key_id, "
                    + "demographics, home_institution, registered_at) VALUES (?, ?, ?, ?, ?, ?)")) {
                s.setString(1, pseudonym);
                s.setBytes(2, publicKey.getEncoded());
                s.setString(3, sealedDemographics.masterKeyId());
                s.setBytes(4, sealedDemographics.toBytes());
                s.setString(5, homeInstitution);
                s.setTimestamp(6, Timestamp.from(clock.instant()));
                s.executeUpdate();
            }
            event(c, LinkEvent.Action.MOVE_IN, pseudonym, pseudonym, actor);
            return load(c, pseudonym).orElseThrow();
        });
    }

    @Override
    public PatientIdentity updateDemographics(String pseudonym, Demographics demographics, String actor) {
        return inTransaction(c -> {
            requireIdentity(c, pseudonym);
            addIdentifiers(c, pseudonym, demographics.identifiers());
            SealedRecord sealed = seal(demographics, pseudonym);
            try (PreparedStatement s = c.prepareStatement("UPDATE mpi_identity SET demographics_key_id = ?, "
                    + "demographics = ?, birth_date_index = ? WHERE pseudonym = ?")) {
                s.setString(1, sealed.masterKeyId());
                s.setBytes(2, sealed.toBytes());
                s.setString(3, birthDateIndex(demographics));
                s.setString(4, pseudonym);
                s.executeUpdate();
            }
            event(c, LinkEvent.Action.UPDATE_DEMOGRAPHICS, pseudonym, pseudonym, actor);
            return load(c, pseudonym).orElseThrow();
        });
    }

    @Override
    public Optional<PatientIdentity> findByPseudonym(String pseudonym) {
        return inTransaction(c -> load(c, pseudonym));
    }

    @Override
    public Optional<PatientIdentity> findByIdentifier(Identifier identifier) {
        return findBy("SELECT pseudonym FROM mpi_identifier WHERE blind_index = ?",
                blindIndex.of(identifier.system(), identifier.value()));
    }

    @Override
    public Optional<PatientIdentity> findByPatientId(String patientId) {
        return findBy("SELECT pseudonym FROM mpi_patient_link WHERE patient_id = ?", patientId);
    }

    @Override
    public Optional<PatientIdentity> findByKeycloakUserId(String keycloakUserId) {
        return findBy("SELECT pseudonym FROM mpi_identity WHERE keycloak_user_id = ?", keycloakUserId);
    }

    @Override
    public Optional<String> pseudonymOfPatient(String patientId) {
        return inTransaction(c -> pseudonyms(c, "SELECT pseudonym FROM mpi_patient_link WHERE patient_id = ?", patientId)
                .stream().findFirst());
    }

    @Override
    public Set<String> patientIdsOf(String pseudonym) {
        return inTransaction(c -> new LinkedHashSet<>(pseudonyms(c, "SELECT patient_id FROM mpi_patient_link WHERE pseudonym = ?", pseudonym)));
    }

    @Override
    public Set<String> patientIdsOfLogin(String keycloakUserId) {
        return inTransaction(c -> new LinkedHashSet<>(pseudonyms(c, "SELECT l.patient_id FROM mpi_patient_link l "
                + "JOIN mpi_identity i ON i.pseudonym = l.pseudonym WHERE i.keycloak_user_id = ?", keycloakUserId)));
    }

    @Override
    public List<MatchCandidate> match(Demographics query, int limit) {
        return inTransaction(c -> {
            Map<String, MatchCandidate> found = new LinkedHashMap<>();
            for (String pseudonym : owners(c, query.identifiers())) {
                found.put(pseudonym, new MatchCandidate(load(c, pseudonym).orElseThrow(), 1.0, MatchCandidate.Grade.CERTAIN));
            }
            String birthDate = birthDateIndex(query);
            List<MatchCandidate> ranked = new ArrayList<>();
            if (birthDate != null) {
                for (String pseudonym : pseudonyms(c, "SELECT pseudonym FROM mpi_identity WHERE birth_date_index = ?", birthDate)) {
                    if (found.containsKey(pseudonym)) {
                        continue;
                    }
                    PatientIdentity candidate = load(c, pseudonym).orElseThrow();
                    double score = NameSimilarity.score(query, candidate.demographics());
                    MatchCandidate.Grade grade = score >= 0.9 ? MatchCandidate.Grade.PROBABLE
                            : score >= 0.75 ? MatchCandidate.Grade.POSSIBLE : null;
                    if (grade != null) {
                        ranked.add(new MatchCandidate(candidate, score, grade));
                    }
                }
            }
            ranked.sort(Comparator.comparingDouble(MatchCandidate::score).reversed());
            List<MatchCandidate> result = new ArrayList<>(found.values());
            result.addAll(ranked);
            return List.copyOf(result.subList(0, Math.min(limit, result.size())));
        });
    }

    @Override
    public void linkPatient(String pseudonym, String patientId, String actor) {
        inTransaction(c -> {
            requireIdentity(c, pseudonym);
            List<String> owner = pseudonyms(c, "SELECT pseudonym FROM mpi_patient_link WHERE patient_id = ?", patientId);
            if (owner.contains(pseudonym)) {
                return null;
            }
            if (!owner.isEmpty()) {
                throw new IdentityConflictException("PHR-IDENTITY-0311: Patient/" + patientId
                        + " is linked to another identity; unlink it there first");
            }
            update(c, "INSERT INTO mpi_patient_link (patient_id, pseudonym) VALUES (?, ?)", patientId, pseudonym);
            event(c, LinkEvent.Action.LINK_PATIENT, pseudonym, "Patient/" + patientId, actor);
            return null;
        });
    }

    @Override
    public void unlinkPatient(String pseudonym, String patientId, String actor) {
        inTransaction(c -> {
            if (update(c, "DELETE FROM mpi_patient_link WHERE patient_id = ? AND pseudonym = ?", patientId, pseudonym) == 0) {
                throw new UnknownIdentityException("PHR-IDENTITY-0312: Patient/" + patientId + " is not linked to this identity");
            }
            event(c, LinkEvent.Action.UNLINK_PATIENT, pseudonym, "Patient/" + patientId, actor);
            return null;
        });
    }

    @Override
    public void linkLogin(String pseudonym, String keycloakUserId, String actor) {
        inTransaction(c -> {
            requireIdentity(c, pseudonym);
            List<String> owner = pseudonyms(c, "SELECT pseudonym FROM mpi_identity WHERE keycloak_user_id = ?", keycloakUserId);
            if (owner.contains(pseudonym)) {
                return null;
            }
            if (!owner.isEmpty()) {
                throw new IdentityConflictException("PHR-IDENTITY-0313: this login is linked to another identity");
            }
            update(c, "UPDATE mpi_identity SET keycloak_user_id = ? WHERE pseudonym = ?", keycloakUserId, pseudonym);
            event(c, LinkEvent.Action.LINK_LOGIN, pseudonym, keycloakUserId, actor);
            return null;
        });
    }

    @Override
    public Set<String> patientIdsOfInstitution(String institution) {
        return inTransaction(c -> {
            Set<String> ids = new LinkedHashSet<>(pseudonyms(c, "SELECT l.patient_id FROM mpi_patient_link l "
                    + "JOIN mpi_identity i ON i.pseudonym = l.pseudonym WHERE i.home_institution = ?", institution));
            ids.addAll(pseudonyms(c, "SELECT l.patient_id FROM mpi_patient_link l JOIN mpi_care_relationship r "
                    + "ON r.pseudonym = l.pseudonym WHERE r.institution = ?", institution));
            return ids;
        });
    }

    @Override
    public boolean recordEncounter(String patientId, String institution, String actor) {
        return inTransaction(c -> {
            List<String> owner = pseudonyms(c, "SELECT pseudonym FROM mpi_patient_link WHERE patient_id = ?", patientId);
            if (owner.isEmpty()) {
                return false;
            }
            String pseudonym = owner.get(0);
            try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM mpi_care_relationship WHERE pseudonym = ? AND institution = ?")) {
                s.setString(1, pseudonym);
                s.setString(2, institution);
                try (ResultSet r = s.executeQuery()) {
                    if (r.next()) {
                        return true;
                    }
                }
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO mpi_care_relationship (pseudonym, institution, since) VALUES (?, ?, ?)")) {
                s.setString(1, pseudonym);
                s.setString(2, institution);
                s.setTimestamp(3, Timestamp.from(clock.instant()));
                s.executeUpdate();
            }
            event(c, LinkEvent.Action.ENCOUNTER, pseudonym, institution, actor);
            return true;
        });
    }

    @Override
    public Optional<String> handOverKeyFile(String pseudonym, char[] passphrase, String actor) {
        return inTransaction(c -> {
            byte[] publicKey;
            SealedRecord sealed;
            try (PreparedStatement s = c.prepareStatement("SELECT public_key, private_key_key_id, private_key "
                    + "FROM mpi_identity WHERE pseudonym = ? FOR UPDATE")) {
                s.setString(1, pseudonym);
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) {
                        throw new UnknownIdentityException("PHR-IDENTITY-0314: no identity with this pseudonym");
                    }
                    if (r.getBytes(3) == null) {
                        return Optional.<String>empty();
                    }
                    publicKey = r.getBytes(1);
                    sealed = SealedRecord.fromBytes(r.getString(2), r.getBytes(3));
                }
            }
            byte[] pkcs8 = open(sealed, PRIVATE_KEY_AAD + pseudonym);
            try {
                KeyPair keys = new KeyPair(EcdsaP256.publicKey(publicKey), EcdsaP256.privateKey(pkcs8));
                String file = PatientKeyFile.encrypt(keys, passphrase);
                update(c, "UPDATE mpi_identity SET private_key = NULL, private_key_key_id = NULL WHERE pseudonym = ?", pseudonym);
                event(c, LinkEvent.Action.HAND_OVER_KEY, pseudonym, pseudonym, actor);
                return Optional.of(file);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("PHR-IDENTITY-0315: the stored key pair does not load", e);
            } finally {
                Arrays.fill(pkcs8, (byte) 0);
            }
        });
    }

    @Override
    public List<LinkEvent> history(String pseudonym) {
        return inTransaction(c -> {
            List<LinkEvent> events = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT occurred_at, action, target, actor FROM mpi_link_event "
                    + "WHERE pseudonym = ? ORDER BY id")) {
                s.setString(1, pseudonym);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        events.add(new LinkEvent(r.getTimestamp(1).toInstant(), LinkEvent.Action.valueOf(r.getString(2)),
                                pseudonym, r.getString(3), r.getString(4)));
                    }
                }
            }
            return events;
        });
    }

    private Optional<PatientIdentity> findBy(String sql, String key) {
        return inTransaction(c -> {
            List<String> found = pseudonyms(c, sql, key);
            return found.isEmpty() ? Optional.empty() : load(c, found.get(0));
        });
    }

    private Optional<PatientIdentity> load(Connection c, String pseudonym) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT public_key, demographics_key_id, demographics, "
                + "home_institution, keycloak_user_id, private_key, registered_at FROM mpi_identity WHERE pseudonym = ?")) {
            s.setString(1, pseudonym);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    return Optional.empty();
                }
                Demographics demographics = unseal(SealedRecord.fromBytes(r.getString(2), r.getBytes(3)), pseudonym);
                Set<String> patientIds = new LinkedHashSet<>(pseudonyms(c,
                        "SELECT patient_id FROM mpi_patient_link WHERE pseudonym = ? ORDER BY patient_id", pseudonym));
                return Optional.of(new PatientIdentity(pseudonym, r.getBytes(1), demographics, r.getString(4),
                        r.getString(5), patientIds, r.getBytes(6) == null, r.getTimestamp(7).toInstant()));
            }
        }
    }

    private void requireIdentity(Connection c, String pseudonym) throws SQLException {
        if (pseudonyms(c, "SELECT pseudonym FROM mpi_identity WHERE pseudonym = ?", pseudonym).isEmpty()) {
            throw new UnknownIdentityException("PHR-IDENTITY-0314: no identity with this pseudonym");
        }
    }

    /** The distinct identities that own any of these identifiers. */
    private Set<String> owners(Connection c, List<Identifier> identifiers) throws SQLException {
        Set<String> owners = new LinkedHashSet<>();
        for (Identifier identifier : identifiers) {
            owners.addAll(pseudonyms(c, "SELECT pseudonym FROM mpi_identifier WHERE blind_index = ?",
                    blindIndex.of(identifier.system(), identifier.value())));
        }
        return owners;
    }

    private void addIdentifiers(Connection c, String pseudonym, List<Identifier> identifiers) throws SQLException {
        for (Identifier identifier : identifiers) {
            String index = blindIndex.of(identifier.system(), identifier.value());
            List<String> owner = pseudonyms(c, "SELECT pseudonym FROM mpi_identifier WHERE blind_index = ?", index);
            if (owner.isEmpty()) {
                update(c, "INSERT INTO mpi_identifier (blind_index, pseudonym) VALUES (?, ?)", index, pseudonym);
            } else if (!owner.get(0).equals(pseudonym)) {
                throw new IdentityConflictException("PHR-IDENTITY-0310: an identifier (" + identifier.system()
                        + ") belongs to another identity");
            }
        }
    }

    private String birthDateIndex(Demographics d) {
        return d.birthDate() == null ? null : blindIndex.of(BIRTH_DATE_SYSTEM, d.birthDate().toString());
    }

    private SealedRecord seal(Demographics demographics, String pseudonym) {
        try {
            return cipher.seal(JSON.writeValueAsBytes(demographics), (DEMOGRAPHICS_AAD + pseudonym).getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new IllegalStateException("PHR-IDENTITY-0316: cannot write demographics", e);
        }
    }

    private Demographics unseal(SealedRecord sealed, String pseudonym) {
        try {
            return JSON.readValue(open(sealed, DEMOGRAPHICS_AAD + pseudonym), Demographics.class);
        } catch (IOException e) {
            throw new IllegalStateException("PHR-IDENTITY-0317: stored demographics do not parse", e);
        }
    }

    private byte[] open(SealedRecord sealed, String additionalData) {
        try {
            return cipher.open(sealed, additionalData.getBytes(StandardCharsets.US_ASCII));
        } catch (EnvelopeCipher.RecordIntegrityException e) {
            throw new IllegalStateException("PHR-IDENTITY-0318: a sealed record of the index was altered or moved", e);
        }
    }

    private void event(Connection c, LinkEvent.Action action, String pseudonym, String target, String actor) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO mpi_link_event (occurred_at, action, pseudonym, target, actor) "
                + "VALUES (?, ?, ?, ?, ?)")) {
            s.setTimestamp(1, Timestamp.from(clock.instant()));
            s.setString(2, action.name());
            s.setString(3, pseudonym);
            s.setString(4, target);
            s.setString(5, actor == null ? "system" : actor);
            s.executeUpdate();
        }
    }

    private static List<String> pseudonyms(Connection c, String sql, String key) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, key);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(r.getString(1).trim());
                }
            }
        }
        return out;
    }

    private static int update(Connection c, String sql, String... values) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                s.setString(i + 1, values[i]);
            }
            return s.executeUpdate();
        }
    }

    /** Joins the caller's transaction or runs in one of its own ({@link JdbcTransactions}). */
    private <T> T inTransaction(JdbcTransactions.Work<T> work) {
        try {
            return JdbcTransactions.inTransaction(dataSource, work);
        } catch (SQLException e) {
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw new IdentityConflictException("PHR-IDENTITY-0319: another request registered the same "
                        + "identifier, Patient or login at the same time; retry");
            }
            throw new IllegalStateException("PHR-IDENTITY-0300: master patient index storage failed (SQL state "
                    + e.getSQLState() + ")", e);
        }
    }
}
