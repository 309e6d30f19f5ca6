package org.phrcloud.audit;

import org.phrcloud.database.SchemaMigrations;
import ca.uhn.fhir.context.FhirContext;
import org.phrcloud.ledger.chain.ContentHash;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.phrcloud.database.JdbcTransactions;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * The audit log, append only (tables {@code phr_audit_event}, {@code phr_audit_patient}): no API changes or deletes
 * a row. {@link #append} joins the caller's database transaction when there is one (a write's AuditEvent commits with
 * the write) and runs in its own otherwise. The {@link AuditSealer} then records the rows on the audit chain.
 */
public class AuditLog {
    private static final String COLUMNS = "seq, event_id, recorded, request_id, actor, actor_name, kind, outcome, emergency, "
            + "resource_json, content_hash, sealed_height";

    private final DataSource dataSource;
    private final FhirContext fhir;

    /** @param dataSource HAPI's data source through a {@code TransactionAwareDataSourceProxy} */
    public AuditLog(DataSource dataSource, FhirContext fhir) {
        this.dataSource = dataSource;
        this.fhir = fhir;
    }

    /** Creates or upgrades the tables (Flyway, history table {@code phr_audit_schema_history}). */
    public static void migrate(DataSource dataSource) {
        SchemaMigrations.migrate(dataSource, "audit", AuditLog.class);
    }

    /**
     * The reserved pseudonym of an institution's audit chain: hex SHA-256 of {@code phr-audit-log:<institution>}. It
     * names no patient; the ledger anchors it like a patient's chain.
     */
    public static String chainPseudonym(String institution) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(("phr-audit-log:" + institution).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A stored AuditEvent. {@code sealedHeight} is the audit chain block that records it; null until sealed. */
    public record Stored(long seq, String eventId, Instant recorded, String requestId, String actor, String actorName, String kind,
                         int outcome, boolean emergency, String json, byte[] contentHash, Long sealedHeight) {
    }

    /** Stores the entry; its content hash is the ledger's {@link ContentHash} of the AuditEvent's JSON. */
    public void append(AuditEntry entry) {
        String json = fhir.newJsonParser().encodeResourceToString(entry.event());
        inTransaction(c -> {
            long seq;
            try (PreparedStatement s = c.prepareStatement("INSERT INTO phr_audit_event (event_id, recorded, request_id, actor, actor_name, "
                    + "kind, outcome, emergency, resource_json, content_hash) VALUES (?,?,?,?,?,?,?,?,?,?)", Statement.RETURN_GENERATED_KEYS)) {
                s.setString(1, entry.event().getIdElement().getIdPart());
                s.setTimestamp(2, Timestamp.from(entry.event().getRecorded().toInstant()));
                s.setString(3, entry.requestId());
                s.setString(4, entry.actor());
                s.setString(5, entry.actorName());
                s.setString(6, entry.kind());
                s.setInt(7, entry.outcome());
                s.setBoolean(8, entry.emergency());
                s.setString(9, json);
                s.setBytes(10, ContentHash.of(json));
                s.executeUpdate();
                try (ResultSet keys = s.getGeneratedKeys()) {
                    keys.next();
                    seq = keys.getLong(1);
                }
            }
            if (!entry.patientIds().isEmpty()) {
                try (PreparedStatement s = c.prepareStatement("INSERT INTO phr_audit_patient (seq, patient_id) VALUES (?, ?)")) {
                    for (String patientId : entry.patientIds()) {
                        s.setLong(1, seq);
                        s.setString(2, patientId);
                        s.addBatch();
                    }
                    s.executeBatch();
                }
            }
            return null;
        });
    }

    /**
     * The AuditEvents about any of these Patients, newest first.
     *
     * @param from   inclusive; null for no bound
     * @param to     exclusive; null for no bound
     * @param actor  Keycloak user id or username of the actor; null for any
     * @param kind   read, search, ...; null for any
     */
    public List<Stored> aboutPatients(Set<String> patientIds, Instant from, Instant to, String actor, String kind, int limit) {
        if (patientIds.isEmpty()) {
            return List.of();
        }
        StringBuilder sql = new StringBuilder("SELECT DISTINCT e." + COLUMNS.replace(", ", ", e.") + " FROM phr_audit_event e "
                + "JOIN phr_audit_patient p ON p.seq = e.seq WHERE p.patient_id IN (" + String.join(",", patientIds.stream().map(x -> "?").toList()) + ")");
        List<Object> params = new ArrayList<>(patientIds);
        if (from != null) {
            sql.append(" AND e.recorded >= ?");
            params.add(Timestamp.from(from));
        }
        if (to != null) {
            sql.append(" AND e.recorded < ?");
            params.add(Timestamp.from(to));
        }
        if (actor != null) {
            sql.append(" AND (e.actor = ? OR e.actor_name = ?)");
            params.add(actor);
            params.add(actor);
        }
        if (kind != null) {
            sql.append(" AND e.kind = ?");
            params.add(kind);
        }
        sql.append(" ORDER BY e.seq DESC LIMIT ").append(Math.max(1, Math.min(limit, 1000)));
        return query(sql.toString(), params.toArray());
    }

    /**
     * The AuditEvents of one actor, newest first.
     *
     * @param actor Keycloak user id (people) or client id (systems), as recorded
     * @param limit at most this many (1 to 1000)
     */
    public List<Stored> ofActor(String actor, int limit) {
        return query("SELECT " + COLUMNS + " FROM phr_audit_event WHERE actor = ? ORDER BY seq DESC LIMIT "
                + Math.max(1, Math.min(limit, 1000)), actor);
    }

    /** The AuditEvents of one request id, oldest first. */
    public List<Stored> ofRequest(String requestId) {
        return query("SELECT " + COLUMNS + " FROM phr_audit_event WHERE request_id = ? ORDER BY seq", requestId);
    }

    public java.util.Optional<Stored> find(String eventId) {
        return query("SELECT " + COLUMNS + " FROM phr_audit_event WHERE event_id = ?", eventId).stream().findFirst();
    }

    /** The Patient ids an AuditEvent is about. */
    public List<String> patientsOf(long seq) {
        return inTransaction(c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT patient_id FROM phr_audit_patient WHERE seq = ? ORDER BY patient_id")) {
                s.setLong(1, seq);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.add(r.getString(1));
                    }
                }
            }
            return out;
        });
    }

    /** The oldest rows not yet on the audit chain, at most {@code limit}. */
    List<Stored> unsealed(Connection c, int limit) throws SQLException {
        return query(c, "SELECT " + COLUMNS + " FROM phr_audit_event WHERE sealed_height IS NULL ORDER BY seq LIMIT " + limit);
    }

    void markSealed(Connection c, List<Stored> rows, long height) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE phr_audit_event SET sealed_height = ? WHERE seq = ?")) {
            for (Stored row : rows) {
                s.setLong(1, height);
                s.setLong(2, row.seq());
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    /** Rows in seq order from {@code afterSeq} on (for verification), at most {@code limit}. */
    public List<Stored> sealedFrom(long afterSeq, int limit) {
        return query("SELECT " + COLUMNS + " FROM phr_audit_event WHERE seq > ? AND sealed_height IS NOT NULL ORDER BY seq LIMIT " + limit, afterSeq);
    }

    public long unsealedCount() {
        return inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM phr_audit_event WHERE sealed_height IS NULL");
                 ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        });
    }

    private List<Stored> query(String sql, Object... params) {
        return inTransaction(c -> query(c, sql, params));
    }

    private static List<Stored> query(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            List<Stored> out = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    long sealed = r.getLong(12);
                    out.add(new Stored(r.getLong(1), r.getString(2), r.getTimestamp(3).toInstant(), r.getString(4), r.getString(5),
                            r.getString(6), r.getString(7), r.getInt(8), r.getBoolean(9), r.getString(10), r.getBytes(11),
                            r.wasNull() ? null : sealed));
                }
            }
            return out;
        }
    }

    /** Joins the caller's transaction or runs in one of its own ({@link JdbcTransactions}). */
    <T> T inTransaction(JdbcTransactions.Work<T> work) {
        try {
            return JdbcTransactions.inTransaction(dataSource, work);
        } catch (SQLException e) {
            throw new IllegalStateException("PHR-AUDIT-0901: the audit log could not be written or read", e);
        }
    }
}
