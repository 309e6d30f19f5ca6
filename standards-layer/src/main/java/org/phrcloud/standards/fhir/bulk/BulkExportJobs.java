package org.phrcloud.standards.fhir.bulk;

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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The Bulk Data exports and their NDJSON files (tables {@code phr_bulk_export_job}, {@code phr_bulk_export_file}, Flyway
 * schema {@code bulk}), on the FHIR database so that every replica answers the polling and the downloads.
 *
 * <p>Errors: {@link IllegalStateException} with PHR-FHIR-0610 when the database fails.
 */
public class BulkExportJobs {
    /** Where a job is: accepted, then running, then completed, failed or cancelled (cancelled jobs keep no files). */
    public enum Status { ACCEPTED, RUNNING, COMPLETED, FAILED, CANCELLED }

    /**
     * One export.
     *
     * @param id              its id (UUID), the last segment of its status URL
     * @param ownerSubject    the {@code sub} of the caller who kicked it off: the only one who may poll, download, cancel
     * @param requestUrl      the kick-off URL, as the manifest's {@code request}
     * @param level           system, patient or group
     * @param progress        what it is doing (the {@code X-Progress} header), or null
     * @param error           why it failed, or null
     * @param transactionTime when it was kicked off (the manifest's {@code transactionTime})
     * @param updatedAt       when its runner last wrote (the heartbeat) or it ended
     * @param finishedAt      when it ended, or null while it runs
     */
    public record Job(String id, String ownerSubject, String requestUrl, String level, Status status, String progress, String error,
                      Instant transactionTime, Instant updatedAt, Instant finishedAt) {
    }

    /**
     * One NDJSON file of a job.
     *
     * @param seq          its number within the job, from 1 (the last segment of its URL)
     * @param resourceType the type of every line ({@code OperationOutcome} for an error file)
     * @param error        whether it lists errors (the manifest's {@code error}) rather than output
     * @param count        lines
     * @param patientIds   the FHIR Patient ids whose records it holds (audited when it is downloaded)
     */
    public record ExportFile(int seq, String resourceType, boolean error, int count, Set<String> patientIds) {
    }

    private final DataSource dataSource;

    public BulkExportJobs(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Creates or upgrades the tables (history table {@code phr_bulk_schema_history}). */
    public static void migrate(DataSource dataSource) {
        SchemaMigrations.migrate(dataSource, "bulk", BulkExportJobs.class);
    }

    public void create(Job job) {
        update("INSERT INTO phr_bulk_export_job (id, owner_subject, request_url, level, status, progress, transaction_time, updated_at) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", job.id(), job.ownerSubject(), job.requestUrl(), job.level(), job.status().name(),
                job.progress(), Timestamp.from(job.transactionTime()), Timestamp.from(job.transactionTime()));
    }

    public Optional<Job> find(String id) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT id, owner_subject, request_url, level, status, progress, error, "
                     + "transaction_time, updated_at, finished_at FROM phr_bulk_export_job WHERE id = ?")) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    return Optional.empty();
                }
                Timestamp updated = r.getTimestamp(9);
                Timestamp finished = r.getTimestamp(10);
                return Optional.of(new Job(r.getString(1), r.getString(2), r.getString(3), r.getString(4), Status.valueOf(r.getString(5)),
                        r.getString(6), r.getString(7), r.getTimestamp(8).toInstant(),
                        updated == null ? r.getTimestamp(8).toInstant() : updated.toInstant(), finished == null ? null : finished.toInstant()));
            }
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /**
     * Moves a job that is still accepted or running to {@code status} at {@code now} (its heartbeat); false when it was
     * cancelled (or ended) meanwhile.
     */
    public boolean advance(String id, Status status, String progress, String error, Instant now) {
        boolean ends = status == Status.COMPLETED || status == Status.FAILED || status == Status.CANCELLED;
        return update("UPDATE phr_bulk_export_job SET status = ?, progress = ?, error = ?, updated_at = ?, finished_at = ? "
                + "WHERE id = ? AND status IN ('ACCEPTED', 'RUNNING')", status.name(), progress, error, Timestamp.from(now),
                ends ? Timestamp.from(now) : null, id) == 1;
    }

    /** Deletes the jobs (and their files) that ended before {@code cutoff}; how many. */
    public int deleteFinishedBefore(Instant cutoff) {
        return update("DELETE FROM phr_bulk_export_job WHERE finished_at IS NOT NULL AND finished_at < ?", Timestamp.from(cutoff));
    }

    /** Stores one file of a running job. */
    public void addFile(String jobId, ExportFile file, String ndjson) {
        update("INSERT INTO phr_bulk_export_file (job_id, seq, resource_type, is_error, line_count, patient_ids, content) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?)", jobId, file.seq(), file.resourceType(), file.error(), file.count(),
                String.join(",", file.patientIds()), ndjson);
    }

    /** The job's files, in order, without their content. */
    public List<ExportFile> files(String jobId) {
        List<ExportFile> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT seq, resource_type, is_error, line_count, patient_ids "
                     + "FROM phr_bulk_export_file WHERE job_id = ? ORDER BY seq")) {
            s.setString(1, jobId);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(new ExportFile(r.getInt(1), r.getString(2), r.getBoolean(3), r.getInt(4), ids(r.getString(5))));
                }
            }
        } catch (SQLException e) {
            throw failure(e);
        }
        return out;
    }

    /** One file's NDJSON. */
    public Optional<String> content(String jobId, int seq) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT content FROM phr_bulk_export_file WHERE job_id = ? AND seq = ?")) {
            s.setString(1, jobId);
            s.setInt(2, seq);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(r.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /** Cancels a job at {@code now} and deletes its files (Bulk Data Access IG, "Delete a Bulk Data Request"). */
    public void cancel(String jobId, Instant now) {
        update("UPDATE phr_bulk_export_job SET status = 'CANCELLED', progress = NULL, updated_at = ?, finished_at = ? WHERE id = ?",
                Timestamp.from(now), Timestamp.from(now), jobId);
        update("DELETE FROM phr_bulk_export_file WHERE job_id = ?", jobId);
    }

    private static Set<String> ids(String csv) {
        return csv.isEmpty() ? Set.of() : new LinkedHashSet<>(Arrays.asList(csv.split(",")));
    }

    private int update(String sql, Object... values) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                s.setObject(i + 1, values[i]);
            }
            return s.executeUpdate();
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    private static IllegalStateException failure(SQLException e) {
        return new IllegalStateException("PHR-FHIR-0610: the bulk export store failed", e);
    }
}
