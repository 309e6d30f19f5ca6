package org.phrcloud.research.dataset;

import org.phrcloud.core.caller.CallerContext;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.phrcloud.identity.PhrRole;
import org.phrcloud.identity.caller.Caller;
import org.phrcloud.research.anonymization.KeyedPseudonyms;
import org.phrcloud.research.anonymization.Table;
import org.phrcloud.research.anonymization.algorithm.Anonymization;
import org.phrcloud.research.anonymization.algorithm.FullDomainGeneralization;
import org.phrcloud.research.anonymization.algorithm.Mondrian;
import org.phrcloud.research.anonymization.hierarchy.DateHierarchy;
import org.phrcloud.research.anonymization.hierarchy.Hierarchy;
import org.phrcloud.research.anonymization.hierarchy.IntervalHierarchy;
import org.phrcloud.research.anonymization.hierarchy.PrefixHierarchy;
import org.phrcloud.research.anonymization.hierarchy.TableHierarchy;
import org.phrcloud.research.anonymization.privacy.DistinctLDiversity;
import org.phrcloud.research.anonymization.privacy.EntropyLDiversity;
import org.phrcloud.research.anonymization.privacy.KAnonymity;
import org.phrcloud.research.anonymization.privacy.PrivacyModel;
import org.phrcloud.research.anonymization.privacy.TCloseness;
import org.phrcloud.research.anonymization.release.ReleaseChecker;
import org.phrcloud.research.anonymization.release.RiskReport;
import org.phrcloud.audit.Auditor;
import org.phrcloud.core.rest.JsonBodies;
import org.phrcloud.consent.ConsentException;
import org.phrcloud.consent.ConsentRecord;
import org.phrcloud.consent.ConsentService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Research data sets (research issue, ARCHITECTURE.md "Research data sets"): a researcher asks for an anonymized data
 * set from the research pool of one of their studies; a job extracts the records ({@link Extraction}), replaces the
 * pseudonym by a keyed hash under a new key per data set (the key is thrown away), anonymizes with the engine of
 * research-api (optimal full-domain generalization or Mondrian), has its independent checker confirm every privacy
 * model on the output (a release that fails is never written), and writes the release ({@link ReleaseFiles}), the risk
 * report and the provenance.
 *
 * <p>Jobs run one at a time on a thread of their own, in request order; a job left unfinished by a stopped server is
 * marked failed at start. Every request, job run (one AuditEvent for the researcher, and one per included patient that
 * names only that patient, so it shows in their "who accessed my record"), download and query is an AuditEvent with
 * purpose of use HRESCH, which the audit chain seals and the ledger anchors like every other.
 */
public class ResearchDataSets implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ResearchDataSets.class);
    private static final ObjectMapper JSON = JsonBodies.MAPPER;

    private final FhirContext fhir;
    private final Extraction extraction;
    private final ConsentService consents;
    private final DataSetIndex index;
    private final Auditor auditor;
    private final Path folder;
    private final Clock clock;
    private final String runner;
    private final ExecutorService jobs = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "phr-research-jobs");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param folder where each data set gets a folder of its own (phr.research.dir; with several replicas a volume they
     *               all mount, since any replica may serve a download)
     * @param runner this replica, the same across its restarts ({@code Lease.replicaId}): a job runs in the replica
     *               that accepted it, and a restart fails only its own unfinished jobs
     */
    public ResearchDataSets(FhirContext fhir, Extraction extraction, ConsentService consents, DataSetIndex index, Auditor auditor,
                            Path folder, Clock clock, String runner) {
        this.runner = runner;
        this.fhir = fhir;
        this.extraction = extraction;
        this.consents = consents;
        this.index = index;
        this.auditor = auditor;
        this.folder = folder;
        this.clock = clock;
        int stale = index.failUnfinished(runner, clock.instant());
        if (stale > 0) {
            LOG.warn("PHR-RESEARCH-1101: {} research data set jobs were left unfinished by a stop and are marked failed", stale);
        }
    }

    /**
     * Accepts a request and queues its job.
     *
     * @param caller    a researcher
     * @param requestId the X-Request-ID of the HTTP request (the data set's AuditEvents carry it)
     * @return the data set, queued
     * @throws ResearchException INVALID for a request not well formed or a caller who is no researcher; NOT_FOUND for a
     *                           study that is not the caller's
     */
    public DataSetIndex.Row request(Caller caller, DataSetRequest request, String requestId) {
        if (caller.isCareGiver() || !caller.hasRole(PhrRole.RESEARCHER)) {
            throw DataSetRequest.invalid("PHR-RESEARCH-1023: research data sets are asked for by researchers");
        }
        request.validate();
        try {
            consents.studyOf(caller, request.study());
        } catch (ConsentException e) {
            throw new ResearchException("PHR-RESEARCH-1024: no such study for this caller");
        }
        String json;
        try {
            json = JSON.writeValueAsString(request);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        DataSetIndex.Row row = new DataSetIndex.Row(UUID.randomUUID().toString(), caller.subject(), caller.username(), request.study(),
                clock.instant(), null, DataSetIndex.Status.QUEUED, "queued", 0, requestId, json, null, null, null);
        index.insert(row, runner);
        audit(caller, requestId, "create", 0, "research data set " + row.id() + " requested (study " + request.study() + ")", Set.of(), null);
        jobs.submit(() -> run(row, caller, request));
        return row;
    }

    /** The caller's data sets, newest first. */
    public List<DataSetIndex.Row> of(Caller caller) {
        return index.ofResearcher(caller.subject());
    }

    /** @throws ResearchException NOT_FOUND unless it is the caller's */
    public DataSetIndex.Row get(Caller caller, String id) {
        return index.find(id).filter(r -> r.researcher().equals(caller.subject()))
                .orElseThrow(() -> new ResearchException("PHR-RESEARCH-1025: no such data set for this caller"));
    }

    /**
     * A file of a released data set, for download (audited).
     *
     * @param name {@value ReleaseFiles#CSV} or {@value ReleaseFiles#NDJSON}
     * @throws ResearchException NOT_FOUND unless it is the caller's; CONFLICT while it is not released
     */
    public Path download(Caller caller, String id, String name, String requestId) {
        DataSetIndex.Row row = released(caller, id);
        audit(caller, requestId, "read", 0, "research data set " + row.id() + ": " + name + " downloaded", Set.of(), null);
        return folder.resolve(row.id()).resolve(name);
    }

    /**
     * The NDJSON of the caller's newest released data set of a study (FHIR R4: Patient, Condition, Observation, one
     * resource per line), audited as a download; what a researcher's Bulk Data {@code Group/[study]/$export} returns.
     *
     * @return empty when the caller has no released data set of that study
     */
    public java.util.Optional<String> releasedNdjson(Caller caller, String studyId, String requestId) {
        java.util.Optional<DataSetIndex.Row> newest = of(caller).stream()
                .filter(r -> r.studyId().equals(studyId) && r.status() == DataSetIndex.Status.DONE).findFirst();
        if (newest.isEmpty()) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(java.nio.file.Files.readString(download(caller, newest.get().id(), ReleaseFiles.NDJSON, requestId)));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("PHR-RESEARCH-1903: a released data set's file cannot be read", e);
        }
    }

    /**
     * Runs a read-only SQL query on a released data set's database (audited, the SQL as the AuditEvent's query).
     *
     * @param limit rows at most, 1 to {@value ReleaseFiles#MAX_ROWS}
     * @throws ResearchException NOT_FOUND unless it is the caller's; CONFLICT while it is not released; INVALID for a
     *                           limit out of range or a statement that does not run as a read-only query
     */
    public ReleaseFiles.QueryResult query(Caller caller, String id, String sql, int limit, String requestId) {
        DataSetIndex.Row row = released(caller, id);
        if (sql == null || sql.isBlank() || sql.length() > 10_000) {
            throw DataSetRequest.invalid("PHR-RESEARCH-1202: sql is one SELECT statement of at most 10000 characters");
        }
        if (limit < 1 || limit > ReleaseFiles.MAX_ROWS) {
            throw DataSetRequest.invalid("PHR-RESEARCH-1203: limit is 1 to " + ReleaseFiles.MAX_ROWS);
        }
        try {
            ReleaseFiles.QueryResult result = ReleaseFiles.query(folder.resolve(row.id()), row.dbPassword(), sql, limit);
            audit(caller, requestId, "search", 0, "research data set " + row.id() + ": query, " + result.rows().size() + " rows", Set.of(), sql);
            return result;
        } catch (ResearchException e) {
            audit(caller, requestId, "search", 4, "research data set " + row.id() + ": query refused", Set.of(), sql);
            throw e;
        }
    }

    private DataSetIndex.Row released(Caller caller, String id) {
        DataSetIndex.Row row = get(caller, id);
        if (row.status() != DataSetIndex.Status.DONE) {
            throw new ResearchException("PHR-RESEARCH-1026: the data set is " + row.status().code()
                    + ", not released");
        }
        return row;
    }

    /** The job. Never throws: a failure is stored on the data set. */
    void run(DataSetIndex.Row row, Caller caller, DataSetRequest request) {
        String id = row.id();
        try {
            index.progress(id, DataSetIndex.Status.RUNNING, "cohort", 5);
            List<ConsentRecord> pool;
            try {
                pool = consents.researchPool(caller, request.study());
            } catch (ConsentException e) {
                throw new ResearchException("PHR-RESEARCH-1024: no such study for this caller");
            }
            index.progress(id, DataSetIndex.Status.RUNNING, "extracting", 10);
            Instant now = clock.instant();
            Extraction.Result extracted = extraction.extract(request, pool, LocalDate.ofInstant(now, ZoneOffset.UTC),
                    p -> index.progress(id, DataSetIndex.Status.RUNNING, "extracting", 10 + p * 40 / 100));
            Table input = extracted.table();
            if (input.size() < request.k()) {
                throw DataSetRequest.invalid("PHR-RESEARCH-1102: " + input.size() + " patients are included, fewer than k = " + request.k());
            }
            index.progress(id, DataSetIndex.Status.RUNNING, "anonymizing", 55);
            List<String> identifiers = names(request.ofClass(DataSetRequest.AttributeClass.IDENTIFIER));
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            Table pseudonymized = numbered(new KeyedPseudonyms(key).apply(input, identifiers));
            java.util.Arrays.fill(key, (byte) 0);
            List<String> qis = names(request.ofClass(DataSetRequest.AttributeClass.QUASI_IDENTIFIER));
            List<PrivacyModel> models = models(request, pseudonymized);
            Anonymization anonymized = anonymize(request, pseudonymized, models).orElseThrow(() -> DataSetRequest.invalid(
                    "PHR-RESEARCH-1103: no release of the " + input.size() + " records satisfies " + modelNames(models)
                            + (request.algorithmOrDefault().equals("mondrian") ? "" : " within the suppression limit")));
            List<Integer> releasedRows = releasedRows(anonymized.release());
            Anonymization result = new Anonymization(withoutRowNumbers(anonymized.release()), anonymized.suppressedRecords(),
                    anonymized.informationLoss(), anonymized.discernibility(), anonymized.description());
            index.progress(id, DataSetIndex.Status.RUNNING, "checking", 80);
            // the checker sees exactly what is written
            ReleaseChecker.Result check = ReleaseChecker.check(result.release(), qis, models);
            if (!check.passed()) {
                throw new IllegalStateException("PHR-RESEARCH-1104: the checker refused the release: " + check.violations().size()
                        + " violations; nothing was written");
            }
            if (result.release().size() < request.k()) {
                throw DataSetRequest.invalid("PHR-RESEARCH-1102: " + result.release().size() + " records remain, fewer than k = " + request.k());
            }
            RiskReport risk = RiskReport.of(result.release(), qis, result.suppressedRecords(), request.riskThresholdOrDefault());
            index.progress(id, DataSetIndex.Status.RUNNING, "writing", 90);
            Path dir = folder.resolve(id);
            String password = ReleaseFiles.writeDatabase(dir, result.release());
            ReleaseFiles.writeNdjson(dir, id, result.release(), request, extracted, fhir);
            Map<String, Object> outcome = new LinkedHashMap<>();
            outcome.put("records", result.release().size());
            outcome.put("columns", result.release().columns());
            outcome.put("counts", extracted.counts());
            outcome.put("suppressedRecords", result.suppressedRecords());
            outcome.put("checker", Map.of("passed", true, "models", modelNames(models)));
            outcome.put("risk", risk);
            outcome.put("informationLoss", result.informationLoss());
            outcome.put("informationLossMeasure", request.algorithmOrDefault().equals("mondrian")
                    ? "normalized certainty penalty (Xu et al. 2006)" : "precision loss (Sweeney 2002)");
            outcome.put("discernibility", result.discernibility());
            outcome.put("generalization", result.description());
            outcome.put("provenance", provenance(row, request, pool, result, now, dir));
            Files.writeString(dir.resolve(ReleaseFiles.PROVENANCE), JSON.writerWithDefaultPrettyPrinter()
                    .writeValueAsString(outcome.get("provenance")), StandardCharsets.UTF_8);
            // the patients' own AuditEvents: each names one patient and this data set, nothing else
            for (int released : releasedRows) {
                Set<String> patientIds = extracted.patients().get(released);
                audit(caller, row.requestId(), "operation", 0, "record included, anonymized, in research data set " + id, patientIds, null);
            }
            audit(caller, row.requestId(), "operation", 0, "research data set " + id + " released: " + result.release().size()
                    + " records, " + modelNames(models), Set.of(), null);
            index.done(id, clock.instant(), JSON.writeValueAsString(outcome), password);
        } catch (ResearchException e) {
            fail(row, caller, e.getMessage(), 4);
        } catch (RuntimeException | IOException e) {
            LOG.error("PHR-RESEARCH-1105: research data set {} failed", id, e);
            fail(row, caller, e.getMessage() != null && e.getMessage().startsWith("PHR-") ? e.getMessage()
                    : "PHR-RESEARCH-1105: the job failed (see the server log)", 8);
        }
    }

    private void fail(DataSetIndex.Row row, Caller caller, String message, int outcome) {
        try {
            index.failed(row.id(), clock.instant(), message);
            audit(caller, row.requestId(), "operation", outcome, "research data set " + row.id() + " failed: " + message, Set.of(), null);
        } catch (RuntimeException e) {
            LOG.error("PHR-RESEARCH-1106: research data set {} could not be marked failed", row.id(), e);
        }
    }

    /** Internal column: the input row of each record, to know whose records were released; never written. */
    static final String ROW = "__row";

    /** The table with {@link #ROW} added (an insensitive column: the algorithms carry it through unchanged). */
    static Table numbered(Table input) {
        List<String> columns = new ArrayList<>(input.columns());
        columns.add(ROW);
        List<List<String>> rows = new ArrayList<>();
        for (int i = 0; i < input.size(); i++) {
            List<String> r = new ArrayList<>(input.rows().get(i));
            r.add(Integer.toString(i));
            rows.add(r);
        }
        return new Table(columns, rows);
    }

    /** The input rows a release holds (read from {@link #ROW}). */
    static List<Integer> releasedRows(Table release) {
        int col = release.index(ROW);
        return release.rows().stream().map(r -> Integer.parseInt(r.get(col))).toList();
    }

    /** The release without {@link #ROW}, its records in random order (the order of the input or of the classes says nothing). */
    static Table withoutRowNumbers(Table release) {
        int col = release.index(ROW);
        List<String> columns = new ArrayList<>(release.columns());
        columns.remove(col);
        List<List<String>> rows = new ArrayList<>();
        for (List<String> r : release.rows()) {
            List<String> copy = new ArrayList<>(r);
            copy.remove(col);
            rows.add(copy);
        }
        java.util.Collections.shuffle(rows, new SecureRandom());
        return new Table(columns, rows);
    }

    private Map<String, Object> provenance(DataSetIndex.Row row, DataSetRequest request, List<ConsentRecord> pool, Anonymization result,
                                           Instant at, Path dir) throws IOException {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("dataSet", row.id());
        p.put("study", request.study());
        p.put("researcher", row.researcherName());
        p.put("purpose", request.purpose());
        p.put("purposeOfUse", "HRESCH");
        p.put("requestedAt", row.requestedAt());
        p.put("extractedAt", at);
        p.put("request", request);
        p.put("consentSnapshot", Map.of("consents", pool.size(), "sha256", consentSnapshot(pool),
                "method", "SHA-256 of the sorted lines <consent id>|<status>|<decided at> of the consents in force"));
        p.put("engine", Map.of("name", "phr-cloud research-api", "version", engineVersion(),
                "algorithm", request.algorithmOrDefault().equals("mondrian")
                        ? "Mondrian multidimensional partitioning (LeFevre et al. 2006)"
                        : "optimal full-domain generalization, OLA (El Emam et al. 2009)"));
        p.put("pseudonyms", "HMAC-SHA256 under a random key of this data set, discarded after the job");
        p.put("files", ReleaseFiles.hashes(dir));
        return p;
    }

    /** SHA-256 over the consents the data set was drawn from, as they stood (the pool's consent snapshot). */
    static String consentSnapshot(List<ConsentRecord> pool) {
        List<String> lines = new ArrayList<>();
        for (ConsentRecord r : pool) {
            lines.add(r.consentId() + "|" + r.status().code() + "|" + r.decidedAt());
        }
        lines.sort(Comparator.naturalOrder());
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(String.join("\n", lines).getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The research-api jar's Implementation-Version (its Maven version). */
    static String engineVersion() {
        String v = KAnonymity.class.getPackage().getImplementationVersion();
        return v == null ? "unknown" : v;
    }

    private java.util.Optional<Anonymization> anonymize(DataSetRequest request, Table input, List<PrivacyModel> models) {
        if (request.algorithmOrDefault().equals("mondrian")) {
            List<String> numeric = new ArrayList<>();
            LinkedHashMap<String, Hierarchy> categorical = new LinkedHashMap<>();
            for (DataSetRequest.Attribute a : request.ofClass(DataSetRequest.AttributeClass.QUASI_IDENTIFIER)) {
                if (a.numeric()) {
                    numeric.add(a.name());
                } else {
                    categorical.put(a.name(), hierarchy(a, input));
                }
            }
            return new Mondrian().anonymize(input, List.of(), numeric, categorical, models);
        }
        LinkedHashMap<String, Hierarchy> qis = new LinkedHashMap<>();
        for (DataSetRequest.Attribute a : request.ofClass(DataSetRequest.AttributeClass.QUASI_IDENTIFIER)) {
            qis.put(a.name(), hierarchy(a, input));
        }
        return new FullDomainGeneralization().anonymize(input, List.of(), qis, models, request.suppressionLimitOrDefault());
    }

    /** The generalization hierarchy of a quasi-identifier: the one given, else the built-in one for its source. */
    static Hierarchy hierarchy(DataSetRequest.Attribute a, Table input) {
        if (a.hierarchy() != null) {
            TableHierarchy given;
            try {
                given = TableHierarchy.parse(a.hierarchy());
                for (List<String> row : input.rows()) {
                    given.generalize(row.get(input.index(a.name())), 1);
                }
            } catch (IllegalArgumentException e) {
                throw DataSetRequest.invalid("PHR-RESEARCH-1027: attribute " + a.name() + ": the hierarchy does not cover the data: "
                        + e.getMessage());
            }
            return given;
        }
        if (a.numeric()) {
            return a.bands() == null ? IntervalHierarchy.ageBands()
                    : new IntervalHierarchy(a.bands().stream().mapToInt(Integer::intValue).toArray());
        }
        List<String> values = input.rows().stream().map(r -> r.get(input.index(a.name()))).distinct().sorted().toList();
        switch (a.source()) {
            case "birthDate":
                return new DateHierarchy();
            case "postalCode":
                if (values.stream().mapToInt(String::length).distinct().count() == 1) {
                    return new PrefixHierarchy(values.get(0).length());
                }
                // codes of different lengths: masking characters from the right, as a table, padded to the longest
                int longest = values.stream().mapToInt(String::length).max().orElse(1);
                List<String> lines = new ArrayList<>();
                for (String v : values) {
                    StringBuilder line = new StringBuilder(v);
                    String padded = v + "*".repeat(longest - v.length());
                    for (int level = 1; level < longest; level++) {
                        line.append(';').append(padded, 0, longest - level).append("*".repeat(level));
                    }
                    lines.add(line.toString());
                }
                return TableHierarchy.parse(lines);
            default:
                // sex and codes: the value, then suppressed
                return TableHierarchy.parse(values);
        }
    }

    static List<PrivacyModel> models(DataSetRequest request, Table input) {
        List<PrivacyModel> models = new ArrayList<>();
        models.add(new KAnonymity(request.k()));
        for (DataSetRequest.Attribute a : request.ofClass(DataSetRequest.AttributeClass.SENSITIVE)) {
            if (request.l() != null) {
                models.add(request.lModelOrDefault().equals("entropy") ? new EntropyLDiversity(a.name(), request.l())
                        : new DistinctLDiversity(a.name(), request.l()));
            }
            if (request.t() != null) {
                models.add(a.numeric() ? TCloseness.orderedDistance(input, a.name(), request.t())
                        : TCloseness.equalDistance(input, a.name(), request.t()));
            }
        }
        return models;
    }

    private static String modelNames(List<PrivacyModel> models) {
        return String.join(", ", models.stream().map(PrivacyModel::name).toList());
    }

    private static List<String> names(List<DataSetRequest.Attribute> attributes) {
        return attributes.stream().map(DataSetRequest.Attribute::name).toList();
    }

    private void audit(Caller caller, String requestId, String kind, int outcome, String description, Set<String> patientIds,
                       String query) {
        SystemRequestDetails request = CallerContext.systemRequestAs(caller, "HRESCH");
        request.setRequestId(requestId);
        auditor.record(request, kind, outcome, description, new LinkedHashSet<>(patientIds), List.of(), query);
    }

    @Override
    public void close() {
        jobs.shutdownNow();
    }
}
