package org.phrcloud.research.dataset;

import org.phrcloud.database.SchemaMigrations;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The research data sets as stored in the platform database (table {@code phr_research_dataset}, Flyway
 * {@code classpath:db/research}, history table {@code phr_research_schema_history}): request, progress, outcome.
 * The released records are not here: each data set has a database of its own ({@link ReleaseFiles}).
 */
public class DataSetIndex {
    /** Lifecycle of a data set's job. */
    public enum Status { QUEUED, RUNNING, DONE, FAILED;
        public String code() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * One data set.
     *
     * @param requestId  X-Request-ID of the request that asked for it (its AuditEvents share it)
     * @param request    the request as JSON
     * @param result     for DONE: the outcome as JSON (counts, risk report, provenance, file hashes); else null
     * @param error      for FAILED: why ({@code PHR-RESEARCH-11nn}, no patient data); else null
     * @param dbPassword password of the release database's read-only user; null until released
     */
    public record Row(String id, String researcher, String researcherName, String studyId, Instant requestedAt, Instant finishedAt,
                      Status status, String phase, int percent, String requestId, String request, String result, String error,
                      String dbPassword) {
    }

    private final DataSource dataSource;

    public DataSetIndex(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Creates or upgrades the table. */
    public static void migrate(DataSource dataSource) {
        SchemaMigrations.migrate(dataSource, "research", DataSetIndex.class);
    }

    public void insert(Row r, String runner) {
        update("INSERT INTO phr_research_dataset (id, researcher, researcher_name, study_id, requested_at, status, phase, percent, "
                + "request_id, request, runner) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", r.id(), r.researcher(), r.researcherName(), r.studyId(),
                Timestamp.from(r.requestedAt()), r.status().name(), r.phase(), r.percent(), r.requestId(), r.request(), runner);
    }

    public void progress(String id, Status status, String phase, int percent) {
        update("UPDATE phr_research_dataset SET status = ?, phase = ?, percent = ? WHERE id = ?", status.name(), phase, percent, id);
    }

    public void done(String id, Instant at, String result, String dbPassword) {
        update("UPDATE phr_research_dataset SET status = ?, phase = ?, percent = 100, finished_at = ?, result = ?, db_password = ? WHERE id = ?",
                Status.DONE.name(), "done", Timestamp.from(at), result, dbPassword, id);
    }

    public void failed(String id, Instant at, String error) {
        update("UPDATE phr_research_dataset SET status = ?, finished_at = ?, error = ? WHERE id = ?", Status.FAILED.name(),
                Timestamp.from(at), error, id);
    }

    /**
     * Data sets left queued or running by this replica when it stopped (and those of no recorded replica, from before
     * replicas were recorded): failed, they are not resumed. Other replicas' jobs are left to them.
     *
     * @param runner this replica ({@code Lease.replicaId}: the same across its restarts)
     */
    public int failUnfinished(String runner, Instant at) {
        return update("UPDATE phr_research_dataset SET status = ?, finished_at = ?, error = ? WHERE status IN (?, ?) "
                        + "AND (runner = ? OR runner IS NULL)", Status.FAILED.name(),
                Timestamp.from(at), "PHR-RESEARCH-1101: the server stopped before the job finished; ask again", Status.QUEUED.name(),
                Status.RUNNING.name(), runner);
    }

    public Optional<Row> find(String id) {
        List<Row> rows = query("SELECT * FROM phr_research_dataset WHERE id = ?", id);
        return rows.stream().findFirst();
    }

    /** A researcher's data sets, newest first. */
    public List<Row> ofResearcher(String researcher) {
        return query("SELECT * FROM phr_research_dataset WHERE researcher = ? ORDER BY requested_at DESC", researcher);
    }

    private int update(String sql, Object... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setObject(i + 1, args[i]);
            }
            return s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("PHR-RESEARCH-1901: the research data set table could not be written", e);
        }
    }

    private List<Row> query(String sql, Object... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setObject(i + 1, args[i]);
            }
            List<Row> rows = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    Timestamp finished = r.getTimestamp("finished_at");
                    rows.add(new Row(r.getString("id"), r.getString("researcher"), r.getString("researcher_name"), r.getString("study_id"),
                            r.getTimestamp("requested_at").toInstant(), finished == null ? null : finished.toInstant(),
                            Status.valueOf(r.getString("status")), r.getString("phase"), r.getInt("percent"), r.getString("request_id"),
                            r.getString("request"), r.getString("result"), r.getString("error"), r.getString("db_password")));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException("PHR-RESEARCH-1902: the research data set table could not be read", e);
        }
    }
}
