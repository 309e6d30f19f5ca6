package org.phrcloud.consent;

import org.phrcloud.database.SchemaMigrations;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The consents as rows (table {@code phr_consent}), for the questions asked on every request: which consents are in
 * force for a grantee now, and the lists the patient and the requester see. Written only by {@link ConsentService}
 * inside the transaction that writes the FHIR Consent, so the two never disagree. Plain JDBC; the data source is
 * HAPI's through a {@code TransactionAwareDataSourceProxy}.
 */
public class ConsentIndex {
    private static final String COLUMNS = "consent_id, task_id, pseudonym, patient_id, grantee_kind, grantee_id, requester, "
            + "requester_name, resource_types, access_level, purpose, period_start, period_end, status, requested_at, decided_at, decided_by, "
            + "emergency_reason, notice_id";

    private final DataSource dataSource;

    public ConsentIndex(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Creates or upgrades the table (Flyway, history table {@code phr_consent_schema_history}). */
    public static void migrate(DataSource dataSource) {
        SchemaMigrations.migrate(dataSource, "consent", ConsentIndex.class);
    }

    void insert(Connection c, ConsentRecord r) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO phr_consent (" + COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            s.setString(1, r.consentId());
            s.setString(2, r.taskId());
            s.setString(3, r.pseudonym());
            s.setString(4, r.patientId());
            s.setString(5, r.grantee().kind().code());
            s.setString(6, r.grantee().id());
            s.setString(7, r.requester());
            s.setString(8, r.requesterName());
            s.setString(9, String.join(" ", r.terms().resourceTypes()));
            s.setString(10, r.terms().level().code());
            s.setString(11, r.terms().purpose());
            s.setTimestamp(12, Timestamp.from(r.terms().start()));
            s.setTimestamp(13, Timestamp.from(r.terms().end()));
            s.setString(14, r.status().code());
            s.setTimestamp(15, Timestamp.from(r.requestedAt()));
            s.setTimestamp(16, r.decidedAt() == null ? null : Timestamp.from(r.decidedAt()));
            s.setString(17, r.decidedBy());
            s.setString(18, r.emergency() == null ? null : r.emergency().reason());
            s.setString(19, r.emergency() == null ? null : r.emergency().communicationId());
            s.executeUpdate();
        }
    }

    /** The row, locked until the transaction ends (decisions about one consent are taken one at a time). */
    Optional<ConsentRecord> lock(Connection c, String consentId) throws SQLException {
        List<ConsentRecord> found = query(c, "SELECT " + COLUMNS + " FROM phr_consent WHERE consent_id = ? FOR UPDATE", consentId);
        return found.stream().findFirst();
    }

    void decide(Connection c, String consentId, ConsentRecord.Status status, Instant at, String by) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE phr_consent SET status = ?, decided_at = ?, decided_by = ? WHERE consent_id = ?")) {
            s.setString(1, status.code());
            s.setTimestamp(2, Timestamp.from(at));
            s.setString(3, by);
            s.setString(4, consentId);
            s.executeUpdate();
        }
    }

    void insertStudy(Connection c, ResearchStudy study) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO phr_research_study (study_id, researcher, researcher_name, created_at, "
                + "eligibility, eligible, asked) VALUES (?,?,?,?,?,?,?)")) {
            s.setString(1, study.id());
            s.setString(2, study.researcher());
            s.setString(3, study.researcherName());
            s.setTimestamp(4, Timestamp.from(study.createdAt()));
            s.setString(5, study.eligibility());
            s.setInt(6, study.eligible());
            s.setInt(7, study.consentIds().size());
            s.executeUpdate();
        }
        try (PreparedStatement s = c.prepareStatement("INSERT INTO phr_research_study_consent (study_id, consent_id) VALUES (?,?)")) {
            for (String consentId : study.consentIds()) {
                s.setString(1, study.id());
                s.setString(2, consentId);
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    /** A custodian's registered signing key. */
    public record CustodianKey(String userId, String username, byte[] publicKey, Instant registeredAt) {
    }

    /** Registers or replaces the signing key of a custodian. */
    void putCustodianKey(Connection c, CustodianKey key) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("DELETE FROM phr_custodian_key WHERE user_id = ?")) {
            s.setString(1, key.userId());
            s.executeUpdate();
        }
        try (PreparedStatement s = c.prepareStatement("INSERT INTO phr_custodian_key (user_id, username, public_key, registered_at) VALUES (?,?,?,?)")) {
            s.setString(1, key.userId());
            s.setString(2, key.username());
            s.setBytes(3, key.publicKey());
            s.setTimestamp(4, Timestamp.from(key.registeredAt()));
            s.executeUpdate();
        }
    }

    /** The key of a custodian by Keycloak user id ({@code column} user_id) or username. */
    public Optional<CustodianKey> custodianKey(String column, String value) {
        String sql = "SELECT user_id, username, public_key, registered_at FROM phr_custodian_key WHERE "
                + (column.equals("username") ? "username" : "user_id") + " = ?";
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement(sql)) {
                s.setString(1, value);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? Optional.of(new CustodianKey(r.getString(1), r.getString(2), r.getBytes(3), r.getTimestamp(4).toInstant()))
                            : Optional.<CustodianKey>empty();
                }
            }
        });
    }

    void linkCustodian(Connection c, String pseudonym, String userId, String by, Instant now) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("DELETE FROM phr_custodian WHERE pseudonym = ? AND user_id = ?")) {
            s.setString(1, pseudonym);
            s.setString(2, userId);
            s.executeUpdate();
        }
        try (PreparedStatement s = c.prepareStatement("INSERT INTO phr_custodian (pseudonym, user_id, since, registered_by) VALUES (?,?,?,?)")) {
            s.setString(1, pseudonym);
            s.setString(2, userId);
            s.setTimestamp(3, Timestamp.from(now));
            s.setString(4, by);
            s.executeUpdate();
        }
    }

    void unlinkCustodian(Connection c, String pseudonym, String userId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("DELETE FROM phr_custodian WHERE pseudonym = ? AND user_id = ?")) {
            s.setString(1, pseudonym);
            s.setString(2, userId);
            s.executeUpdate();
        }
    }

    /** The pseudonyms of the patients a custodian decides for. */
    public List<String> wardsOf(String userId) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT pseudonym FROM phr_custodian WHERE user_id = ? ORDER BY pseudonym")) {
                s.setString(1, userId);
                List<String> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.add(r.getString(1).trim());
                    }
                }
                return out;
            }
        });
    }

    /** A research study with the ids of the consents it asked for; empty if there is none with this id. */
    public Optional<ResearchStudy> findStudy(String studyId) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT study_id, researcher, researcher_name, created_at, eligibility, eligible "
                    + "FROM phr_research_study WHERE study_id = ?")) {
                s.setString(1, studyId);
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) {
                        return Optional.empty();
                    }
                    List<String> consents = new ArrayList<>();
                    try (PreparedStatement q = c.prepareStatement("SELECT consent_id FROM phr_research_study_consent WHERE study_id = ? ORDER BY consent_id")) {
                        q.setString(1, studyId);
                        try (ResultSet cr = q.executeQuery()) {
                            while (cr.next()) {
                                consents.add(cr.getString(1));
                            }
                        }
                    }
                    return Optional.of(new ResearchStudy(r.getString(1), r.getString(2), r.getString(3), r.getTimestamp(4).toInstant(),
                            r.getString(5), r.getInt(6), consents));
                }
            }
        });
    }

    /** The ids of a researcher's studies (their Keycloak subject), newest first. */
    public List<String> studyIdsOf(String researcher) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT study_id FROM phr_research_study WHERE researcher = ? "
                    + "ORDER BY created_at DESC, study_id DESC")) {
                s.setString(1, researcher);
                try (ResultSet r = s.executeQuery()) {
                    List<String> ids = new ArrayList<>();
                    while (r.next()) {
                        ids.add(r.getString(1));
                    }
                    return ids;
                }
            }
        });
    }

    /** The consents a research study asked for. */
    public List<ConsentRecord> ofStudy(String studyId) {
        return read(c -> query(c, "SELECT " + COLUMNS + " FROM phr_consent WHERE consent_id IN "
                + "(SELECT consent_id FROM phr_research_study_consent WHERE study_id = ?) ORDER BY consent_id", studyId));
    }

    public Optional<ConsentRecord> find(String consentId) {
        return read(c -> query(c, "SELECT " + COLUMNS + " FROM phr_consent WHERE consent_id = ?", consentId)).stream().findFirst();
    }

    /** Every consent about a patient, newest request first. */
    public List<ConsentRecord> ofPatient(String pseudonym) {
        return read(c -> query(c, "SELECT " + COLUMNS + " FROM phr_consent WHERE pseudonym = ? ORDER BY requested_at DESC, consent_id DESC", pseudonym));
    }

    /** Every consent a person asked for or that names them or one of their institutions as grantee, newest first. */
    public List<ConsentRecord> ofParty(String userId, Collection<String> institutions) {
        return read(c -> query(c, "SELECT " + COLUMNS + " FROM phr_consent WHERE requester = ? OR " + granteeClause(institutions)
                + " ORDER BY requested_at DESC, consent_id DESC", params(userId, userId, institutions)));
    }

    /** The consents in force at {@code now} for a person (directly or through one of their institutions). */
    public List<ConsentRecord> inForce(String userId, Collection<String> institutions, Instant now) {
        List<Object> params = new ArrayList<>(List.of(params(userId, institutions)));
        params.add(Timestamp.from(now));
        params.add(Timestamp.from(now));
        return read(c -> query(c, "SELECT " + COLUMNS + " FROM phr_consent WHERE status = 'active' AND (" + granteeClause(institutions)
                + ") AND period_start <= ? AND period_end > ?", params.toArray()));
    }

    private static String granteeClause(Collection<String> institutions) {
        String clause = "(grantee_kind = 'person' AND grantee_id = ?)";
        if (!institutions.isEmpty()) {
            clause += " OR (grantee_kind = 'institution' AND grantee_id IN (" + String.join(",", institutions.stream().map(i -> "?").toList()) + "))";
        }
        return "(" + clause + ")";
    }

    private static Object[] params(String userId, Collection<String> institutions) {
        List<Object> p = new ArrayList<>();
        p.add(userId);
        p.addAll(institutions);
        return p.toArray();
    }

    private static Object[] params(String first, String userId, Collection<String> institutions) {
        List<Object> p = new ArrayList<>();
        p.add(first);
        p.addAll(Arrays.asList(params(userId, institutions)));
        return p.toArray();
    }

    private static List<ConsentRecord> query(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            List<ConsentRecord> out = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(row(r));
                }
            }
            return out;
        }
    }

    private static ConsentRecord row(ResultSet r) throws SQLException {
        Timestamp decided = r.getTimestamp(16);
        ConsentTerms terms = new ConsentTerms(List.of(r.getString(9).split(" ")), AccessLevel.fromCode(r.getString(10)).orElseThrow(),
                r.getString(11), r.getTimestamp(12).toInstant(), r.getTimestamp(13).toInstant());
        return new ConsentRecord(r.getString(1), r.getString(2), r.getString(3), r.getString(4),
                new Grantee(Grantee.Kind.fromCode(r.getString(5)).orElseThrow(), r.getString(6)), r.getString(7), r.getString(8),
                terms, ConsentRecord.Status.valueOf(r.getString(14).toUpperCase(java.util.Locale.ROOT)), r.getTimestamp(15).toInstant(),
                decided == null ? null : decided.toInstant(), r.getString(17),
                r.getString(18) == null ? null : new ConsentRecord.Emergency(r.getString(18), r.getString(19)));
    }

    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T read(Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new IllegalStateException("PHR-CONSENT-0901: the consent index could not be read", e);
        }
    }

    DataSource dataSource() {
        return dataSource;
    }
}
