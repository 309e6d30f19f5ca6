package org.phrcloud.standards.fhir.bulk;

import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.phrcloud.audit.Auditor;
import org.phrcloud.consent.ConsentGrant;
import org.phrcloud.consent.policy.CallerScope;
import org.phrcloud.core.caller.CallerContext;
import org.phrcloud.identity.caller.Caller;
import org.phrcloud.identity.mpi.MasterPatientIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * Bulk Data export (HL7 FHIR Bulk Data Access IG 2.0.0) built on the FHIR server's own searches: an export never holds
 * more than its caller could read request by request, because it <em>is</em> those requests. For each exported type and
 * each patient the job searches {@code [type]?patient=[id]} ({@code Patient?_id=[id]}, with {@code _lastUpdated=ge}
 * for {@code _since}) on this server with the caller's own access token, through every rule of the read path (role,
 * compartment, consent and its level, emergency access, SMART scopes), each search audited like any other; a refused
 * search becomes an OperationOutcome line of the error file. HAPI FHIR's Batch2 bulk export is not used: its jobs read
 * the database as the system, outside the request interceptors where these rules live.
 *
 * <p>Which patients: an institution system exports its institutions' patients (home or encounter there); a care giver
 * the patients of their institutions and those whose consents name them; a patient themselves; a Group export the
 * Group's members (the Group read with the caller's token). The job runs on the replica that accepted it, right away,
 * so the caller's token must stay valid while it runs (a 401 fails the job: kick off again with a fresh token).
 *
 * <p>Audited (ARCHITECTURE.md "Audit"): one AuditEvent per kick-off (the patients to export), per file download (the
 * patients in the file) and per cancellation, besides the searches themselves.
 */
public class BulkExport implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BulkExport.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PAGE = 200;
    /** A running job that has not written for this long was lost with its replica (it writes at least every 25 patients). */
    static final java.time.Duration STALE = java.time.Duration.ofMinutes(10);
    /** How long a finished job's files stay for download (the manifest's {@code Expires}). */
    public static final java.time.Duration KEPT = java.time.Duration.ofHours(24);

    private final BulkExportJobs jobs;
    private final MasterPatientIndex mpi;
    private final Function<Caller, List<ConsentGrant>> grants;
    private final Auditor auditor;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ExecutorService runner = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "phr-bulk-export");
        t.setDaemon(true);
        return t;
    });

    /** A request this caller may not make, or about an export that is not theirs: status and PHR-FHIR message. */
    public static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int status;

        public Refused(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /**
     * The anonymized records of a study for a researcher: the NDJSON of their newest released research data set of it
     * (the research pipeline: consent pool, k-anonymity, l-diversity, t-closeness checks, provenance), audited there.
     */
    @FunctionalInterface
    public interface ResearchData {
        /** @return empty when the researcher has no released data set of the study */
        java.util.Optional<String> releasedNdjson(Caller researcher, String studyId, String requestId);
    }

    private final ResearchData research;

    public BulkExport(BulkExportJobs jobs, MasterPatientIndex mpi, Function<Caller, List<ConsentGrant>> grants, Auditor auditor, Clock clock) {
        this(jobs, mpi, grants, auditor, clock, null);
    }

    /** @param research the released research data sets; null: researchers export nothing (404 PHR-FHIR-0612) */
    public BulkExport(BulkExportJobs jobs, MasterPatientIndex mpi, Function<Caller, List<ConsentGrant>> grants, Auditor auditor, Clock clock,
                      ResearchData research) {
        this.research = research;
        this.jobs = jobs;
        this.mpi = mpi;
        this.grants = grants;
        this.auditor = auditor;
        this.clock = clock;
    }

    /**
     * Accepts an export and starts it.
     *
     * @param bearer     the caller's access token, used by the job's searches (kept in memory only)
     * @param requestUrl the kick-off URL (the manifest's {@code request})
     * @param localBase  this server's FHIR base on the loopback interface, where the job searches
     * @param requestId  the kick-off's request id (its AuditEvent)
     * @return the job's id
     * @throws Refused 403 (PHR-FHIR-0606) for a caller who exports nothing, 404 (0609) for a Group the caller cannot read
     */
    public String kickOff(Caller caller, String bearer, BulkExportRequest request, String requestUrl, String localBase, String requestId) {
        List<String> patients = "group".equals(request.level()) ? groupMembers(request.groupId(), bearer, localBase) : patientsOf(caller);
        String id = open(caller, request, requestUrl);
        audit(caller, requestId, "operation", "bulk export " + id + " kick-off: " + request.level() + " level, types "
                + String.join(",", request.types()) + ", " + patients.size() + " patients", new LinkedHashSet<>(patients));
        runner.submit(() -> run(id, bearer, patients, request, localBase));
        return id;
    }

    /** A new accepted job of the caller (finished jobs past {@link #KEPT} are deleted first); its id. */
    private String open(Caller caller, BulkExportRequest request, String requestUrl) {
        String id = UUID.randomUUID().toString();
        java.time.Instant now = clock.instant();
        jobs.deleteFinishedBefore(now.minus(KEPT));
        jobs.create(new BulkExportJobs.Job(id, caller.subject(), requestUrl, request.level(), BulkExportJobs.Status.ACCEPTED, "accepted",
                null, now, now, null));
        return id;
    }

    /**
     * A researcher's {@code Group/[study]/$export}: the anonymized records of their newest released data set of the study,
     * one file per type of {@code _type}; never identified records. Completed at once.
     *
     * @throws Refused 404 (PHR-FHIR-0612) when the researcher has no released data set of the study
     */
    public String kickOffResearch(Caller researcher, BulkExportRequest request, String requestUrl, String requestId) {
        String ndjson = (research == null ? java.util.Optional.<String>empty() : research.releasedNdjson(researcher, request.groupId(), requestId))
                .orElseThrow(() -> new Refused(404, "PHR-FHIR-0612: there is no released research data set of study " + request.groupId()
                        + " for this researcher"));
        String id = open(researcher, request, requestUrl);
        audit(researcher, requestId, "operation", "bulk export " + id + " kick-off: anonymized research data set of study "
                + request.groupId() + ", types " + String.join(",", request.types()), Set.of());
        Map<String, StringBuilder> byType = new LinkedHashMap<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        try {
            for (String line : ndjson.split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                String type = JSON.readTree(line).path("resourceType").asText();
                if (request.types().contains(type)) {
                    byType.computeIfAbsent(type, t -> new StringBuilder()).append(line).append('\n');
                    counts.merge(type, 1, Integer::sum);
                }
            }
        } catch (IOException e) {
            jobs.advance(id, BulkExportJobs.Status.FAILED, null, "PHR-FHIR-0607: the research data set is not NDJSON", clock.instant());
            return id;
        }
        int seq = 1;
        for (String type : request.types()) {
            if (byType.containsKey(type)) {
                jobs.addFile(id, new BulkExportJobs.ExportFile(seq++, type, false, counts.get(type), Set.of()), byType.get(type).toString());
            }
        }
        jobs.advance(id, BulkExportJobs.Status.COMPLETED, null, null, clock.instant());
        return id;
    }

    /**
     * The job, if it is the caller's (anyone else's, or an unknown id, is 404 PHR-FHIR-0605). A job still accepted or
     * running that has written nothing for {@link #STALE} was lost with the replica that ran it: it is failed now
     * (PHR-FHIR-0613), so the client kicks off again instead of polling for ever.
     */
    public BulkExportJobs.Job jobOf(Caller caller, String id) {
        BulkExportJobs.Job job = jobs.find(id).filter(j -> j.ownerSubject().equals(caller.subject()))
                .orElseThrow(() -> new Refused(404, "PHR-FHIR-0605: there is no bulk export " + id + " of this caller"));
        boolean open = job.status() == BulkExportJobs.Status.ACCEPTED || job.status() == BulkExportJobs.Status.RUNNING;
        if (open && job.updatedAt().plus(STALE).isBefore(clock.instant())) {
            jobs.advance(id, BulkExportJobs.Status.FAILED, null,
                    "PHR-FHIR-0613: the export stopped: the server running it ended; kick it off again", clock.instant());
            return jobs.find(id).orElseThrow();
        }
        return job;
    }

    /**
     * The completion manifest of a completed job (IG "Response - Complete Status"), JSON.
     *
     * @param statusUrl the job's status URL; the files are {@code <statusUrl>/<seq>.ndjson}
     */
    public String manifest(BulkExportJobs.Job job, String statusUrl) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("transactionTime", job.transactionTime().toString());
        m.put("request", job.requestUrl());
        m.put("requiresAccessToken", true);
        List<Map<String, Object>> output = new ArrayList<>();
        List<Map<String, Object>> error = new ArrayList<>();
        for (BulkExportJobs.ExportFile f : jobs.files(job.id())) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("type", f.resourceType());
            entry.put("url", statusUrl + "/" + f.seq() + ".ndjson");
            entry.put("count", f.count());
            (f.error() ? error : output).add(entry);
        }
        m.put("output", output);
        m.put("error", error);
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(m);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A file of the caller's completed job, audited with the patients it holds; 404 (0605) otherwise. */
    public String download(Caller caller, String id, int seq, String requestId) {
        BulkExportJobs.Job job = jobOf(caller, id);
        BulkExportJobs.ExportFile file = jobs.files(id).stream().filter(f -> f.seq() == seq).findFirst()
                .filter(f -> job.status() == BulkExportJobs.Status.COMPLETED)
                .orElseThrow(() -> new Refused(404, "PHR-FHIR-0605: bulk export " + id + " has no file " + seq));
        String content = jobs.content(id, seq).orElseThrow(() -> new Refused(404, "PHR-FHIR-0605: bulk export " + id + " has no file " + seq));
        audit(caller, requestId, "read", "bulk export " + id + " file " + seq + ": " + file.count() + " " + file.resourceType(),
                file.patientIds());
        return content;
    }

    /** Cancels the caller's job and deletes its files, audited; 404 (0605) for an unknown or cancelled one. */
    public void cancel(Caller caller, String id, String requestId) {
        BulkExportJobs.Job job = jobOf(caller, id);
        if (job.status() == BulkExportJobs.Status.CANCELLED) {
            throw new Refused(404, "PHR-FHIR-0605: bulk export " + id + " was cancelled");
        }
        Set<String> patients = new TreeSet<>();
        jobs.files(id).forEach(f -> patients.addAll(f.patientIds()));
        jobs.cancel(id, clock.instant());
        audit(caller, requestId, "delete", "bulk export " + id + " cancelled", patients);
    }

    /**
     * Stops the runner threads (the context closes: undeploy or shutdown). A job they were running stays RUNNING and is
     * reported failed once stale ({@link #STALE}); without this the threads would keep the undeployed application alive.
     */
    @Override
    public void close() {
        runner.shutdownNow();
    }

    /** The patients a caller exports at the system and patient levels. */
    private List<String> patientsOf(Caller caller) {
        CallerScope scope = CallerScope.resolve(caller, mpi, grants);
        Set<String> ids = new TreeSet<>();
        switch (scope.kind()) {
            case INSTITUTION_SYSTEM -> caller.institutions().forEach(i -> ids.addAll(mpi.patientIdsOfInstitution(i)));
            case CARE_GIVER -> {
                ids.addAll(scope.patientIds());
                scope.grants().forEach(g -> ids.addAll(g.patientIds()));
            }
            case PATIENT -> ids.addAll(scope.patientIds());
            default -> throw new Refused(403, "PHR-FHIR-0606: this caller has no records to export");
        }
        return List.copyOf(ids);
    }

    /** The Patient ids of a Group's members, read with the caller's token; 404 (0609) when it cannot be read. */
    private List<String> groupMembers(String groupId, String bearer, String localBase) {
        try {
            HttpResponse<String> r = get(localBase + "/Group/" + URLEncoder.encode(groupId, StandardCharsets.UTF_8), bearer, null);
            if (r.statusCode() != 200) {
                throw new Refused(404, "PHR-FHIR-0609: Group/" + groupId + " is not there or not readable by this caller (HTTP "
                        + r.statusCode() + ")");
            }
            Set<String> ids = new TreeSet<>();
            for (JsonNode member : JSON.readTree(r.body()).path("member")) {
                String reference = member.path("entity").path("reference").asText("");
                if (reference.startsWith("Patient/")) {
                    ids.add(reference.substring("Patient/".length()));
                }
            }
            return List.copyOf(ids);
        } catch (IOException e) {
            throw new Refused(404, "PHR-FHIR-0609: Group/" + groupId + " could not be read");
        }
    }

    /** The job: one file per type that has resources, then one error file if any search was refused. */
    private void run(String id, String bearer, List<String> patients, BulkExportRequest request, String localBase) {
        try {
            if (!jobs.advance(id, BulkExportJobs.Status.RUNNING, "0/" + request.types().size() + " types", null, clock.instant())) {
                return;
            }
            int seq = 1;
            StringBuilder errors = new StringBuilder();
            int errorCount = 0;
            int done = 0;
            int searches = 0;
            for (String type : request.types()) {
                StringBuilder lines = new StringBuilder();
                Set<String> inFile = new TreeSet<>();
                int count = 0;
                int reached = 0;
                for (String patient : patients) {
                    // the heartbeat; it finds a job cancelled meanwhile (only a running job advances)
                    if (++reached % 25 == 0 && !jobs.advance(id, BulkExportJobs.Status.RUNNING,
                            done + "/" + request.types().size() + " types", null, clock.instant())) {
                        return;
                    }
                    String url = localBase + "/" + ("Patient".equals(type) ? "Patient?_id=" : type + "?patient=")
                            + URLEncoder.encode(patient, StandardCharsets.UTF_8) + "&_count=" + PAGE
                            + (request.since() == null ? "" : "&_lastUpdated=ge" + request.since());
                    while (url != null) {
                        HttpResponse<String> page = get(url, bearer, "bulk-" + id + "-" + (++searches));
                        if (page.statusCode() == 401) {
                            throw new IllegalStateException("PHR-FHIR-0607: the caller's access token expired during the export; kick off again");
                        }
                        if (page.statusCode() != 200) {
                            errors.append(outcome(page.statusCode(), type + " of Patient/" + patient + ": HTTP " + page.statusCode() + " " + diagnostics(page.body())))
                                    .append('\n');
                            errorCount++;
                            break;
                        }
                        JsonNode bundle = JSON.readTree(page.body());
                        for (JsonNode entry : bundle.path("entry")) {
                            if (entry.has("resource") && !"outcome".equals(entry.path("search").path("mode").asText())) {
                                lines.append(JSON.writeValueAsString(entry.get("resource"))).append('\n');
                                count++;
                                inFile.add(patient);
                            }
                        }
                        url = next(bundle);
                    }
                }
                done++;
                if (!jobs.advance(id, BulkExportJobs.Status.RUNNING, done + "/" + request.types().size() + " types", null, clock.instant())) {
                    return;
                }
                if (count > 0) {
                    jobs.addFile(id, new BulkExportJobs.ExportFile(seq++, type, false, count, inFile), lines.toString());
                }
            }
            if (errorCount > 0) {
                jobs.addFile(id, new BulkExportJobs.ExportFile(seq, "OperationOutcome", true, errorCount, Set.of()), errors.toString());
            }
            jobs.advance(id, BulkExportJobs.Status.COMPLETED, null, null, clock.instant());
        } catch (Exception e) {
            String message = e.getMessage() != null && e.getMessage().startsWith("PHR-") ? e.getMessage()
                    : "PHR-FHIR-0607: the bulk export failed";
            LOG.warn("bulk export {} failed: {}", id, e.toString());
            jobs.advance(id, BulkExportJobs.Status.FAILED, null, message, clock.instant());
        }
    }

    private HttpResponse<String> get(String url, String bearer, String requestId) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(2))
                .header("Authorization", "Bearer " + bearer).header("Accept", "application/fhir+json");
        if (requestId != null) {
            b.header("X-Request-ID", requestId);
        }
        try {
            return http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static String next(JsonNode bundle) {
        for (JsonNode link : bundle.path("link")) {
            if ("next".equals(link.path("relation").asText())) {
                return link.path("url").asText();
            }
        }
        return null;
    }

    private static String diagnostics(String body) {
        try {
            JsonNode issue = JSON.readTree(body).path("issue").path(0);
            return issue.path("diagnostics").asText("");
        } catch (IOException e) {
            return "";
        }
    }

    /** One OperationOutcome line of the error file. */
    private static String outcome(int status, String diagnostics) throws IOException {
        Map<String, Object> issue = new LinkedHashMap<>();
        issue.put("severity", "error");
        issue.put("code", status == 403 ? "forbidden" : status == 404 ? "not-found" : "processing");
        issue.put("diagnostics", diagnostics);
        Map<String, Object> outcome = new LinkedHashMap<>();
        outcome.put("resourceType", "OperationOutcome");
        outcome.put("issue", List.of(issue));
        return JSON.writeValueAsString(outcome);
    }

    private void audit(Caller caller, String requestId, String kind, String description, Set<String> patients) {
        SystemRequestDetails details = CallerContext.systemRequestAs(caller);
        details.setRequestId(requestId != null && requestId.matches("[A-Za-z0-9._-]{1,64}") ? requestId : UUID.randomUUID().toString());
        auditor.record(details, kind, 0, description, patients, List.of(), null);
    }
}
