package org.phrcloud.it.research;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Patient;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.phrcloud.it.support.Calls;
import org.phrcloud.it.support.Custodian;
import org.phrcloud.it.support.Platform;
import org.phrcloud.it.support.PlatformExtension;

import java.io.File;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.phrcloud.it.support.Calls.json;

/**
 * The research issue's "Done when" on the real Payara, Keycloak, database and anvil: the build's Synthea patients are
 * loaded; a researcher asks all of them for research consent (a study); their custodian family doctor approves for
 * most, rejects for some and leaves some pending; the researcher (acr=2) asks for a data set with k=5 and l=2; the job
 * releases a data set in which k and l are recomputed from the CSV, no name, identifier or exact birth date of any
 * Synthea patient appears (CSV, FHIR NDJSON, SQL), the patients who did not consent are absent, and every step left an
 * AuditEvent (the included patients' own AuditEvents name only them and the data set).
 */
@ExtendWith(PlatformExtension.class)
@ExtendWith(ArquillianExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ResearchIT {
    private static final FhirContext FHIR = FhirContext.forR4Cached();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final int K = 5;
    private static final int L = 2;

    private static Platform platform;
    private static Calls calls;
    /** The Synthea patients of the build, by FHIR Patient id. */
    private static final Map<String, Patient> SYNTHEA = new LinkedHashMap<>();
    /** FHIR Patient ids by the decision taken for them: approve, reject, pending. */
    private static final Map<String, List<String>> DECIDED = new HashMap<>();
    private static String studyId;
    private static String youngestApproved;
    private static String dataSetId;
    private static final String REQUEST_ID = "research-it-" + UUID.randomUUID();

    @Deployment(testable = false)
    static EnterpriseArchive ear() {
        return ShrinkWrap.createFromZipFile(EnterpriseArchive.class, new File(System.getProperty("phr.it.ear")));
    }

    @BeforeAll
    static void syntheaPatientsAskedForResearchConsentAndDecidedByTheirCustodian() throws Exception {
        platform = PlatformExtension.platform();
        calls = new Calls(platform);
        platform.loadSyntheaOnce(FHIR);
        try (Stream<Path> files = Files.list(platform.syntheaFolder())) {
            for (Path f : files.filter(p -> !p.getFileName().toString().matches("(hospital|practitioner)Information.*")).sorted().toList()) {
                Bundle b = FHIR.newJsonParser().parseResource(Bundle.class, Files.readString(f));
                b.getEntry().stream().filter(e -> e.getResource() instanceof Patient)
                        .forEach(e -> SYNTHEA.put(e.getFullUrl().replace("urn:uuid:", ""), (Patient) e.getResource()));
            }
        }
        assertThat(SYNTHEA).hasSizeGreaterThanOrEqualTo(20);

        String researcher = calls.token("demo-researcher", "2");
        String study = "{\"eligibility\":\"_id=" + String.join(",", SYNTHEA.keySet()) + "\",\"size\":" + SYNTHEA.size()
                + ",\"resourceTypes\":[\"Patient\",\"Condition\",\"Observation\"],\"level\":\"full\",\"days\":30}";
        HttpResponse<String> created = calls.api("POST", "/consent/studies", researcher, study);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        studyId = json(created).path("id").asText();

        Custodian custodian = new Custodian(calls);
        Map<String, String> consentOfPatient = new HashMap<>();
        for (JsonNode c : json(created).path("consents")) {
            custodian.linkTo(c.path("patient").asText());
            consentOfPatient.put(c.path("patientId").asText(), c.path("id").asText());
        }
        assertThat(consentOfPatient.keySet()).isEqualTo(SYNTHEA.keySet());
        List<String> ids = new ArrayList<>(SYNTHEA.keySet());
        for (int i = 0; i < ids.size(); i++) {
            // every sixth rejected, every sixth (shifted) left pending: the rest approve
            String decision = i % 6 == 1 ? "reject" : i % 6 == 4 ? "pending" : "approve";
            DECIDED.computeIfAbsent(decision, d -> new ArrayList<>()).add(ids.get(i));
            if (!decision.equals("pending")) {
                custodian.decide(consentOfPatient.get(ids.get(i)), decision);
            }
        }
        JsonNode after = json(calls.api("GET", "/consent/studies/" + studyId, researcher, null));
        assertThat(after.path("pool")).hasSize(DECIDED.get("approve").size());
        youngestApproved = DECIDED.get("approve").stream()
                .max(java.util.Comparator.comparing(id -> SYNTHEA.get(id).getBirthDateElement().getValueAsString())).orElseThrow();
    }

    private static String request(String algorithm, int k, Integer l) {
        LocalDate cutoff = LocalDate.parse(SYNTHEA.get(youngestApproved).getBirthDateElement().getValueAsString()).minusDays(1);
        return "{\"study\":\"" + studyId + "\",\"purpose\":\"research IT: chronic conditions by age and sex\","
                + "\"cohort\":[\"Patient?birthdate=le" + cutoff + "\"],"
                + "\"attributes\":["
                + "{\"name\":\"subject\",\"source\":\"pseudonym\",\"class\":\"identifier\"},"
                + "{\"name\":\"age\",\"source\":\"age\",\"class\":\"quasi-identifier\"},"
                + "{\"name\":\"sex\",\"source\":\"sex\",\"class\":\"quasi-identifier\"},"
                + "{\"name\":\"dx\",\"source\":\"condition\",\"class\":\"sensitive\"}],"
                + "\"k\":" + k + (l == null ? "" : ",\"l\":" + l) + ",\"algorithm\":\"" + algorithm + "\"}";
    }

    private static JsonNode awaitFinished(String id) throws Exception {
        String researcher = calls.token("demo-researcher", "2");
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            last[0] = json(calls.api("GET", "/research/datasets/" + id, researcher, null));
            assertThat(last[0].path("percent").asInt()).isBetween(0, 100);
            return Set.of("done", "failed").contains(last[0].path("status").asText());
        });
        return last[0];
    }

    @Test
    @Order(1)
    void onlyAResearcherAtAcr2AsksForADataSetAndOnlyFromTheirOwnStudy() throws Exception {
        String body = request("full-domain", K, L);
        assertThat(calls.api("POST", "/research/datasets", null, body).statusCode()).isEqualTo(401);
        assertThat(calls.api("POST", "/research/datasets", calls.token("demo-practitioner", "2"), body).statusCode()).isEqualTo(403);
        assertThat(calls.api("POST", "/research/datasets", calls.token("demo-admin", "2"), body).statusCode()).isEqualTo(403);
        assertThat(calls.api("POST", "/research/datasets", calls.token("demo-researcher", "1"), body).statusCode()).isEqualTo(401);
        String researcher = calls.token("demo-researcher", "2");
        HttpResponse<String> unknownStudy = calls.api("POST", "/research/datasets", researcher, body.replace(studyId, UUID.randomUUID().toString()));
        assertThat(unknownStudy.statusCode()).as(unknownStudy.body()).isEqualTo(404);
        HttpResponse<String> noQuasiIdentifier = calls.api("POST", "/research/datasets", researcher,
                body.replace("\"class\":\"quasi-identifier\"", "\"class\":\"insensitive\""));
        assertThat(noQuasiIdentifier.statusCode()).isEqualTo(400);
        assertThat(noQuasiIdentifier.body()).contains("PHR-RESEARCH-1010");
    }

    @Test
    @Order(2)
    void aDataSetWithK5AndL2IsReleasedFromTheConsentingPatientsOnly() throws Exception {
        String researcher = calls.token("demo-researcher", "2");
        HttpResponse<String> accepted = calls.api("POST", "/research/datasets", researcher, request("full-domain", K, L), REQUEST_ID);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        assertThat(accepted.headers().firstValue("Location")).isPresent();
        dataSetId = json(accepted).path("id").asText();
        JsonNode done = awaitFinished(dataSetId);
        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("done");
        assertThat(done.path("percent").asInt()).isEqualTo(100);

        JsonNode result = done.path("result");
        JsonNode counts = result.path("counts");
        int approved = DECIDED.get("approve").size();
        assertThat(counts.path("pool").asInt()).as("only the approvals in force").isEqualTo(approved);
        assertThat(counts.path("notInCohort").asInt()).as("the youngest is born after the cohort's cutoff").isEqualTo(1);
        assertThat(counts.path("outsideConsentScope").asInt()).isZero();
        assertThat(counts.path("included").asInt() + counts.path("missingValues").asInt()).isEqualTo(approved - 1);
        int records = result.path("records").asInt();
        assertThat(records + result.path("suppressedRecords").asInt()).isEqualTo(counts.path("included").asInt());
        assertThat(records).isGreaterThanOrEqualTo(K);
        assertThat(result.path("checker").path("passed").asBoolean()).isTrue();
        assertThat(result.path("risk").path("highestRisk").asDouble()).isLessThanOrEqualTo(1.0 / K);
        assertThat(result.path("provenance").path("consentSnapshot").path("sha256").asText()).hasSize(64);
        assertThat(result.path("provenance").path("engine").path("version").asText()).isNotEqualTo("unknown");
        assertThat(result.path("provenance").path("files").path("records.csv").asText()).hasSize(64);

        // k and l recomputed from the CSV alone
        String csv = download(dataSetId, "records.csv");
        List<CSVRecord> rows = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).build().parse(new StringReader(csv)).getRecords();
        assertThat(rows).hasSize(records);
        Map<String, List<CSVRecord>> classes = new HashMap<>();
        for (CSVRecord r : rows) {
            classes.computeIfAbsent(r.get("age") + "|" + r.get("sex"), c -> new ArrayList<>()).add(r);
            assertThat(r.get("subject")).matches("[0-9a-f]{64}");
        }
        for (List<CSVRecord> c : classes.values()) {
            assertThat(c).hasSizeGreaterThanOrEqualTo(K);
            assertThat(c.stream().map(r -> r.get("dx")).distinct().count()).isGreaterThanOrEqualTo(L);
        }

        String ndjson = download(dataSetId, "records.ndjson");
        assertThat(ndjson.lines().filter(l -> l.contains("\"resourceType\":\"Patient\"")).count()).isEqualTo(records);
        String query = json(calls.api("POST", "/research/datasets/" + dataSetId + "/query", researcher,
                "{\"sql\":\"SELECT * FROM records\",\"limit\":1000}")).toString();
        for (String output : List.of(csv, ndjson, query)) {
            assertNoDirectIdentifierOfAnySyntheaPatient(output);
        }
        researchBulkExportIsTheReleasedDataSet(researcher, ndjson, records);
    }

    /**
     * Bulk Data (issue 23): the researcher's {@code Group/[study]/$export} is exactly the released data set's anonymized
     * NDJSON, one file per type; any other level stays closed to researchers, and a study without a release has nothing.
     */
    private static void researchBulkExportIsTheReleasedDataSet(String researcher, String ndjson, int records) throws Exception {
        HttpResponse<String> kickOff = bulk(platform.fhirBase() + "/Group/" + studyId + "/$export?_type=Patient,Condition,Observation", researcher);
        assertThat(kickOff.statusCode()).as(kickOff.body()).isEqualTo(202);
        HttpResponse<String> status = bulk(kickOff.headers().firstValue("Content-Location").orElseThrow(), researcher);
        assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
        JsonNode manifest = json(status);
        List<String> exported = new ArrayList<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (JsonNode output : manifest.path("output")) {
            String type = output.path("type").asText();
            counts.put(type, output.path("count").asInt());
            HttpResponse<String> file = bulk(output.path("url").asText(), researcher);
            assertThat(file.statusCode()).isEqualTo(200);
            file.body().lines().forEach(line -> {
                assertThat(line).contains("\"resourceType\":\"" + type + "\"");
                exported.add(line);
            });
        }
        assertThat(counts.get("Patient")).isEqualTo(records);
        assertThat(exported).containsExactlyInAnyOrderElementsOf(ndjson.lines().filter(l -> !l.isBlank()).toList());
        assertThat(bulk(platform.fhirBase() + "/Patient/$export", researcher).statusCode()).isEqualTo(403);
        HttpResponse<String> otherStudy = bulk(platform.fhirBase() + "/Group/" + UUID.randomUUID() + "/$export", researcher);
        assertThat(otherStudy.statusCode()).isEqualTo(404);
        assertThat(otherStudy.body()).contains("PHR-FHIR-0612");
    }

    private static HttpResponse<String> bulk(String url, String token) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).header("Prefer", "respond-async")
                .header("Accept", "application/fhir+json").GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Every original name, identifier value, exact birth date and pseudonym of every Synthea patient is absent. */
    private static void assertNoDirectIdentifierOfAnySyntheaPatient(String output) throws Exception {
        JsonNode study = json(calls.api("GET", "/consent/studies/" + studyId, calls.token("demo-researcher", "2"), null));
        Set<String> forbidden = new HashSet<>();
        study.path("consents").forEach(c -> forbidden.add(c.path("patient").asText()));
        for (Map.Entry<String, Patient> e : SYNTHEA.entrySet()) {
            forbidden.add(e.getKey());
            Patient p = e.getValue();
            for (HumanName n : p.getName()) {
                forbidden.add(n.getFamily());
                n.getGiven().forEach(g -> forbidden.add(g.getValue()));
            }
            for (Identifier i : p.getIdentifier()) {
                forbidden.add(i.getValue());
            }
            forbidden.add(p.getBirthDateElement().getValueAsString());
            p.getAddress().forEach(a -> a.getLine().forEach(line -> forbidden.add(line.getValue())));
            p.getTelecom().forEach(t -> forbidden.add(t.getValue()));
        }
        forbidden.removeIf(f -> f == null || f.length() < 3);
        for (String f : forbidden) {
            assertThat(output).as("a direct identifier in the release").doesNotContain(f);
        }
    }

    @Test
    @Order(3)
    void everyStepLeftAnAuditEventAndEachIncludedPatientSeesTheirOwn() throws Exception {
        String admin = calls.token("demo-admin", "2");
        JsonNode ofRequest = json(calls.api("GET", "/audit/events?requestId=" + REQUEST_ID, admin, null));
        List<String> descriptions = new ArrayList<>();
        ofRequest.forEach(e -> descriptions.add(e.path("outcomeDesc").asText()));
        assertThat(descriptions).anyMatch(d -> d.contains("research data set " + dataSetId + " requested"));
        assertThat(descriptions).anyMatch(d -> d.contains("research data set " + dataSetId + " released"));
        ofRequest.forEach(e -> assertThat(e.path("purposeOfEvent").toString()).contains("HRESCH"));

        int included = 0;
        for (String patientId : SYNTHEA.keySet()) {
            JsonNode events = json(calls.api("GET", "/audit/events?patientId=" + patientId, admin, null));
            List<JsonNode> mine = new ArrayList<>();
            events.forEach(e -> {
                if (e.path("outcomeDesc").asText().contains("research data set " + dataSetId)) {
                    mine.add(e);
                }
            });
            if (!DECIDED.get("approve").contains(patientId) || patientId.equals(youngestApproved)) {
                assertThat(mine).as("no consent or not in the cohort: not in the data set").isEmpty();
                continue;
            }
            included += mine.size();
            for (JsonNode e : mine) {
                List<String> patients = new ArrayList<>();
                e.path("entity").forEach(x -> {
                    if (x.path("what").path("reference").asText().startsWith("Patient/")) {
                        patients.add(x.path("what").path("reference").asText());
                    }
                });
                assertThat(patients).as("names only this patient").containsOnly("Patient/" + patientId);
            }
        }
        JsonNode done = json(calls.api("GET", "/research/datasets/" + dataSetId, calls.token("demo-researcher", "2"), null));
        assertThat(included).as("one AuditEvent per released record").isEqualTo(done.path("result").path("records").asInt());

        String queryId = "research-it-query-" + UUID.randomUUID();
        calls.api("POST", "/research/datasets/" + dataSetId + "/query", calls.token("demo-researcher", "2"),
                "{\"sql\":\"SELECT COUNT(*) FROM records\"}", queryId);
        JsonNode queryEvents = json(calls.api("GET", "/audit/events?requestId=" + queryId, admin, null));
        assertThat(queryEvents).hasSize(1);
        assertThat(new String(Base64.getDecoder().decode(queryEvents.get(0).path("entity").toString()
                .replaceAll(".*\"query\":\"([^\"]+)\".*", "$1")), StandardCharsets.UTF_8)).isEqualTo("SELECT COUNT(*) FROM records");
    }

    @Test
    @Order(4)
    void theDataSetsDatabaseIsReadOnlyAndRowLimited() throws Exception {
        String researcher = calls.token("demo-researcher", "2");
        String path = "/research/datasets/" + dataSetId + "/query";
        JsonNode limited = json(calls.api("POST", path, researcher, "{\"sql\":\"SELECT * FROM records\",\"limit\":2}"));
        assertThat(limited.path("rows")).hasSize(2);
        assertThat(limited.path("truncated").asBoolean()).isTrue();
        assertThat(limited.path("columns").toString()).isEqualTo("[\"SUBJECT\",\"AGE\",\"SEX\",\"DX\"]");
        for (String sql : List.of("DELETE FROM records", "INSERT INTO records VALUES ('a','b','c','d')", "DROP TABLE records",
                "SELECT FILE_READ('/etc/hostname') FROM records")) {
            HttpResponse<String> refused = calls.api("POST", path, researcher, "{\"sql\":\"" + sql + "\"}");
            assertThat(refused.statusCode()).as(sql).isEqualTo(400);
            assertThat(refused.body()).contains("PHR-RESEARCH-1201");
        }
        JsonNode count = json(calls.api("POST", path, researcher, "{\"sql\":\"SELECT COUNT(*) AS n FROM records\"}"));
        JsonNode done = json(calls.api("GET", "/research/datasets/" + dataSetId, researcher, null));
        assertThat(count.path("rows").get(0).get(0).asInt()).as("nothing was written").isEqualTo(done.path("result").path("records").asInt());
        assertThat(calls.api("POST", path, calls.token("demo-practitioner", "2"), "{\"sql\":\"SELECT 1\"}").statusCode()).isEqualTo(403);
        assertThat(calls.api("GET", "/research/datasets/" + UUID.randomUUID(), researcher, null).statusCode()).isEqualTo(404);
    }

    @Test
    @Order(5)
    void mondrianReleasesTheSameCohortWithKAnonymityAndAnImpossibleRequestFailsWithoutARelease() throws Exception {
        String researcher = calls.token("demo-researcher", "2");
        HttpResponse<String> accepted = calls.api("POST", "/research/datasets", researcher, request("mondrian", K, null));
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String id = json(accepted).path("id").asText();
        JsonNode done = awaitFinished(id);
        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("done");
        String csv = download(id, "records.csv");
        Map<String, Integer> classes = new HashMap<>();
        for (CSVRecord r : CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).build().parse(new StringReader(csv))) {
            classes.merge(r.get("age") + "|" + r.get("sex"), 1, Integer::sum);
        }
        assertThat(classes.values()).allMatch(n -> n >= K);
        assertNoDirectIdentifierOfAnySyntheaPatient(csv);

        HttpResponse<String> impossible = calls.api("POST", "/research/datasets", researcher, request("full-domain", 1000, null));
        String failedId = json(impossible).path("id").asText();
        JsonNode failed = awaitFinished(failedId);
        assertThat(failed.path("status").asText()).isEqualTo("failed");
        assertThat(failed.path("error").asText()).startsWith("PHR-RESEARCH-110");
        assertThat(download(failedId, "records.csv")).contains("PHR-RESEARCH-1026");
        JsonNode mine = json(calls.api("GET", "/research/datasets", researcher, null));
        assertThat(mine.toString()).contains(dataSetId, id, failedId);
    }

    @Test
    @Order(6)
    void aConsentRequestInThePatientsRecordLeavesTheirCareGiversEverythingReadable() throws Exception {
        // every Synthea patient now has a consent request Task (Task.for = the patient), which $everything returns
        String practitioner = calls.token("demo-practitioner", "2");
        String patientId = DECIDED.get("pending").get(0);
        String next = "/Patient/" + patientId + "/$everything?_count=50";
        Set<String> types = new HashSet<>();
        while (next != null) {
            HttpResponse<String> page = calls.fhir("GET", next, practitioner, null);
            assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
            JsonNode bundle = json(page);
            bundle.path("entry").forEach(e -> types.add(e.path("resource").path("resourceType").asText()));
            next = null;
            for (JsonNode link : bundle.path("link")) {
                if (link.path("relation").asText().equals("next")) {
                    next = link.path("url").asText().substring(platform.fhirBase().length());
                }
            }
        }
        assertThat(types).contains("Patient", "Consent", "Task");
    }

    private static String download(String id, String file) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(platform.apiBase() + "/research/datasets/" + id + "/" + file))
                .header("Authorization", "Bearer " + calls.token("demo-researcher", "2")).timeout(Duration.ofMinutes(1)).GET().build();
        return HTTP.send(r, HttpResponse.BodyHandlers.ofString()).body();
    }
}
