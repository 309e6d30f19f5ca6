package org.phrcloud.standards.fhir.bulk;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.phrcloud.identity.caller.Caller;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The export store on H2 (the tables of schema {@code bulk}): a job's life, its files, a job lost with its replica
 * reported as failed, cancellation and the deletion of finished jobs a day later.
 */
class BulkExportJobsTest {
    private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");
    private BulkExportJobs jobs;

    @BeforeEach
    void database() {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:bulk-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        BulkExportJobs.migrate(h2);
        jobs = new BulkExportJobs(h2);
    }

    private static Caller caller(String subject) {
        return new Caller(subject, subject, "phr-backend", Set.of(), "1", T0.plusSeconds(3600), true, Set.of("st-mary"));
    }

    private static BulkExport at(BulkExportJobs jobs, Instant now) {
        return new BulkExport(jobs, null, c -> List.of(), null, Clock.fixed(now, ZoneOffset.UTC));
    }

    private String running(String owner) {
        String id = UUID.randomUUID().toString();
        jobs.create(new BulkExportJobs.Job(id, owner, "https://phr.example/fhir/$export", "system", BulkExportJobs.Status.ACCEPTED,
                "accepted", null, T0, T0, null));
        assertThat(jobs.advance(id, BulkExportJobs.Status.RUNNING, "0/2 types", null, T0.plusSeconds(5))).isTrue();
        return id;
    }

    @Test
    void aJobRunsStoresItsFilesAndIsOnlyItsOwners() {
        String id = running("sys-a");
        jobs.addFile(id, new BulkExportJobs.ExportFile(1, "Patient", false, 2, Set.of("1", "2")), "{\"resourceType\":\"Patient\",\"id\":\"1\"}\n"
                + "{\"resourceType\":\"Patient\",\"id\":\"2\"}\n");
        jobs.addFile(id, new BulkExportJobs.ExportFile(2, "OperationOutcome", true, 1, Set.of()), "{\"resourceType\":\"OperationOutcome\"}\n");
        assertThat(jobs.advance(id, BulkExportJobs.Status.COMPLETED, null, null, T0.plusSeconds(9))).isTrue();
        assertThat(jobs.advance(id, BulkExportJobs.Status.RUNNING, "late", null, T0.plusSeconds(10))).as("ended").isFalse();

        BulkExportJobs.Job job = at(jobs, T0.plusSeconds(60)).jobOf(caller("sys-a"), id);
        assertThat(job.status()).isEqualTo(BulkExportJobs.Status.COMPLETED);
        assertThat(job.finishedAt()).isEqualTo(T0.plusSeconds(9));
        assertThat(jobs.files(id)).containsExactly(new BulkExportJobs.ExportFile(1, "Patient", false, 2, Set.of("1", "2")),
                new BulkExportJobs.ExportFile(2, "OperationOutcome", true, 1, Set.of()));
        assertThat(jobs.content(id, 1)).contains("{\"resourceType\":\"Patient\",\"id\":\"1\"}\n{\"resourceType\":\"Patient\",\"id\":\"2\"}\n");
        assertThatThrownBy(() -> at(jobs, T0).jobOf(caller("sys-b"), id)).hasMessageStartingWith("PHR-FHIR-0605");
    }

    @Test
    void aRunningJobSilentForTenMinutesWasLostAndIsReportedFailed() {
        String id = running("sys-a");
        assertThat(at(jobs, T0.plusSeconds(5 + 599)).jobOf(caller("sys-a"), id).status()).isEqualTo(BulkExportJobs.Status.RUNNING);
        BulkExportJobs.Job lost = at(jobs, T0.plusSeconds(5 + 601)).jobOf(caller("sys-a"), id);
        assertThat(lost.status()).isEqualTo(BulkExportJobs.Status.FAILED);
        assertThat(lost.error()).startsWith("PHR-FHIR-0613");
    }

    @Test
    void cancellingDeletesTheFilesAndFinishedJobsGoADayLater() {
        String cancelled = running("sys-a");
        jobs.addFile(cancelled, new BulkExportJobs.ExportFile(1, "Patient", false, 1, Set.of("1")), "{}\n");
        jobs.cancel(cancelled, T0.plusSeconds(3600));
        assertThat(jobs.find(cancelled).orElseThrow().status()).isEqualTo(BulkExportJobs.Status.CANCELLED);
        assertThat(jobs.files(cancelled)).isEmpty();
        assertThat(jobs.advance(cancelled, BulkExportJobs.Status.COMPLETED, null, null, T0.plusSeconds(30))).as("a cancelled job stays so").isFalse();

        String done = running("sys-a");
        jobs.addFile(done, new BulkExportJobs.ExportFile(1, "Patient", false, 1, Set.of("1")), "{}\n");
        jobs.advance(done, BulkExportJobs.Status.COMPLETED, null, null, T0.plusSeconds(60));
        String open = running("sys-a");
        assertThat(jobs.deleteFinishedBefore(T0.plusSeconds(61))).isEqualTo(1);
        assertThat(jobs.find(done)).isEmpty();
        assertThat(jobs.files(done)).isEmpty();
        assertThat(jobs.find(open)).isPresent();
    }
}
