package org.phrcloud.it.smart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.phrcloud.identity.keycloak.DemoUser;
import org.phrcloud.it.support.Calls;
import org.phrcloud.it.support.Platform;
import org.phrcloud.it.support.PlatformExtension;
import org.phrcloud.tools.BrowserLogin;

import java.io.File;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Bulk Data export against the real platform (issue 23; HL7 FHIR Bulk Data Access IG 2.0.0): a new institution with two
 * patients, its system registered as a backend-services client; the system, Group and Patient levels with the
 * asynchronous pattern (kick-off, polling, manifest, NDJSON files), each compared with the same caller's searches; the
 * patient's own export; {@code _since}; the refusals; cancellation; and the AuditEvents of kick-off, download and cancel.
 */
@ExtendWith(PlatformExtension.class)
@ExtendWith(ArquillianExtension.class)
class BulkExportIT {
    private static final String NATIONAL_ID = "urn:oid:2.16.840.1.113883.4.1";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static Platform platform;

    @Deployment(testable = false)
    static EnterpriseArchive ear() {
        return ShrinkWrap.createFromZipFile(EnterpriseArchive.class, new File(System.getProperty("phr.it.ear")));
    }

    @BeforeAll
    static void setUp() {
        platform = PlatformExtension.platform();
    }

    @Test
    void eachLevelExportsWhatItsCallerMayReadRequestByRequest() throws Exception {
        Calls calls = new Calls(platform);
        String admin = calls.token("demo-admin", "2");
        String institution = "bulk-" + UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> created = calls.api("POST", "/identity/admin/institutions", admin,
                "{\"id\":\"" + institution + "\",\"name\":\"Bulk Export Clinic\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

        // two patients at home there: Ada (2 Observations, 1 Condition) and Ben (1 Observation)
        Map<String, String> ada = patient(calls, admin, institution, "Exporter", 2, 1);
        Map<String, String> ben = patient(calls, admin, institution, "Exportson", 1, 0);
        String adaId = ada.get("Patient");
        String benId = ben.get("Patient");

        // the institution's system, with a signed client assertion
        String system = systemToken(calls, admin, institution);

        // system level
        String kickOffId = "bulk-kick-" + UUID.randomUUID();
        HttpResponse<String> kickOff = kickOff("/$export?_type=Patient,Observation,Condition&_outputFormat=application%2Ffhir%2Bndjson",
                system, kickOffId);
        assertThat(kickOff.statusCode()).as(kickOff.body()).isEqualTo(202);
        String status = kickOff.headers().firstValue("Content-Location").orElseThrow();
        assertThat(status).startsWith(platform.fhirBase() + "/bulk-export/");
        JsonNode manifest = manifest(status, system);
        assertThat(manifest.path("request").asText())
                .isEqualTo(platform.fhirBase() + "/$export?_type=Patient,Observation,Condition&_outputFormat=application%2Ffhir%2Bndjson");
        assertThat(manifest.path("requiresAccessToken").asBoolean()).isTrue();
        assertThat(Instant.parse(manifest.path("transactionTime").asText())).isBefore(Instant.now());
        assertThat(counts(manifest)).containsExactly(Map.entry("Patient", 2), Map.entry("Observation", 3), Map.entry("Condition", 1));
        assertThat(manifest.path("error").size()).isZero();
        Map<String, List<JsonNode>> exported = download(manifest, system);
        assertThat(ids(exported.get("Patient"))).containsExactlyInAnyOrder(adaId, benId);
        assertThat(ids(exported.get("Observation"))).containsExactlyInAnyOrderElementsOf(searched(calls, system, "Observation", adaId, benId));
        assertThat(ids(exported.get("Condition"))).containsExactlyInAnyOrderElementsOf(searched(calls, system, "Condition", adaId, benId));
        assertThat(ids(exported.get("Condition"))).containsExactly(ada.get("Condition"));

        // only the caller polls and downloads; without a token nothing
        String file = manifest.path("output").get(0).path("url").asText();
        assertThat(get(status, platform.serviceToken()).statusCode()).isEqualTo(404);
        HttpResponse<String> othersFile = get(file, platform.serviceToken());
        assertThat(othersFile.statusCode()).isEqualTo(404);
        assertThat(othersFile.body()).contains("PHR-FHIR-0605");
        assertThat(get(file, null).statusCode()).isEqualTo(401);

        // the kick-off and each download are audited, naming the patients
        JsonNode kickOffEvents = Calls.json(calls.api("GET", "/audit/events?requestId=" + kickOffId, admin, null));
        assertThat(kickOffEvents.size()).isEqualTo(1);
        assertThat(kickOffEvents.get(0).path("outcomeDesc").asText()).contains("kick-off").contains("system level").contains("2 patients");
        assertThat(kickOffEvents.get(0).path("entity").toString()).contains("Patient/" + adaId).contains("Patient/" + benId);
        String downloadId = "bulk-file-" + UUID.randomUUID();
        assertThat(get(file, system, null, downloadId).statusCode()).isEqualTo(200);
        JsonNode downloadEvents = Calls.json(calls.api("GET", "/audit/events?requestId=" + downloadId, admin, null));
        assertThat(downloadEvents.get(0).path("outcomeDesc").asText()).contains("file 1: 2 Patient");
        assertThat(downloadEvents.get(0).path("entity").toString()).contains("Patient/" + adaId).contains("Patient/" + benId);

        // _since after the writes: nothing
        String later = Instant.now().plusSeconds(1).toString();
        Thread.sleep(1500);
        JsonNode since = manifest(kickOff("/$export?_type=Observation&_since=" + URLEncoder.encode(later, StandardCharsets.UTF_8), system, null)
                .headers().firstValue("Content-Location").orElseThrow(), system);
        assertThat(since.path("output").size()).isZero();

        // Group level: the members only
        String groupId = group(adaId);
        JsonNode ofGroup = manifest(kickOff("/Group/" + groupId + "/$export?_type=Observation", system, null)
                .headers().firstValue("Content-Location").orElseThrow(), system);
        assertThat(counts(ofGroup)).containsExactly(Map.entry("Observation", 2));
        assertThat(ids(download(ofGroup, system).get("Observation")))
                .containsExactlyInAnyOrderElementsOf(searched(calls, system, "Observation", adaId));

        // Patient level by Ada herself: her record and nothing else, as her searches give it
        DemoUser adaLogin = platform.realm().user(Platform.extraPatient(27));
        String sub = BrowserLogin.claims(calls.token(adaLogin.username(), "1")).path("sub").asText();
        assertThat(calls.api("PUT", "/identity/patients/" + ada.get("pseudonym") + "/login", admin,
                "{\"keycloakUserId\":\"" + sub + "\"}").statusCode()).isEqualTo(204);
        String herToken = calls.token(adaLogin.username(), "1");
        JsonNode hers = manifest(kickOff("/Patient/$export", herToken, null).headers().firstValue("Content-Location").orElseThrow(), herToken);
        assertThat(counts(hers)).containsExactly(Map.entry("Patient", 1), Map.entry("Observation", 2), Map.entry("Condition", 1));
        Map<String, List<JsonNode>> herFiles = download(hers, herToken);
        assertThat(ids(herFiles.get("Patient"))).containsExactly(adaId);
        assertThat(ids(herFiles.get("Observation"))).containsExactlyInAnyOrderElementsOf(searched(calls, herToken, "Observation", adaId));
        JsonNode myRecord = Calls.json(calls.api("GET", "/audit/my-record", herToken, null));
        assertThat(myRecord.toString()).contains("bulk export");

        // a Group of Ada and Ben, exported by Ada: her records, and Ben's searches refused into the error file
        String both = group(adaId, benId);
        JsonNode ofBoth = manifest(kickOff("/Group/" + both + "/$export?_type=Observation", herToken, null)
                .headers().firstValue("Content-Location").orElseThrow(), herToken);
        assertThat(counts(ofBoth)).containsExactly(Map.entry("Observation", 2));
        assertThat(ofBoth.path("error").size()).isEqualTo(1);
        assertThat(ofBoth.path("error").get(0).path("type").asText()).isEqualTo("OperationOutcome");
        assertThat(ofBoth.path("error").get(0).path("count").asInt()).isEqualTo(1);
        HttpResponse<String> errors = get(ofBoth.path("error").get(0).path("url").asText(), herToken);
        JsonNode refusal = JSON.readTree(errors.body().trim());
        assertThat(refusal.path("resourceType").asText()).isEqualTo("OperationOutcome");
        assertThat(refusal.path("issue").get(0).path("code").asText()).isEqualTo("forbidden");
        assertThat(refusal.path("issue").get(0).path("diagnostics").asText()).startsWith("Observation of Patient/" + benId + ": HTTP 403");
        assertThat(ids(download(ofBoth, herToken).get("Observation"))).containsExactlyInAnyOrderElementsOf(searched(calls, herToken, "Observation", adaId));

        // a Group of Ben only, which she may not read
        HttpResponse<String> notHers = kickOff("/Group/" + group(benId) + "/$export", herToken, null);
        assertThat(notHers.statusCode()).as(notHers.body()).isEqualTo(404);
        assertThat(notHers.body()).contains("PHR-FHIR-0609").contains("OperationOutcome");
    }

    /** A Group (type person) of these Patients, written by st-mary's system; its id. */
    private static String group(String... patientIds) throws Exception {
        List<String> members = new ArrayList<>();
        for (String id : patientIds) {
            members.add("{\"entity\":{\"reference\":\"Patient/" + id + "\"}}");
        }
        HttpResponse<String> group = new Calls(platform).fhir("POST", "/Group", platform.serviceToken(), "{\"resourceType\":\"Group\","
                + "\"type\":\"person\",\"actual\":true,\"member\":[" + String.join(",", members) + "]}");
        assertThat(group.statusCode()).as(group.body()).isEqualTo(201);
        return Calls.json(group).path("id").asText();
    }

    /**
     * A care giver's Patient-level export against her own searches, patient by patient: every patient she reaches
     * (institution, encounters, consents at their levels) is in the Patient file or, where a rule refuses a search, named
     * by an error line; each exported Condition set is exactly what her search of that patient gives.
     */
    @Test
    void aCareGiversExportIsWhatHerSearchesGive() throws Exception {
        Calls calls = new Calls(platform);
        // a patient at home at St Mary's, the practitioner's institution
        Map<String, String> cora = patient(calls, calls.token("demo-admin", "2"), "st-mary", "Caregiverson", 1, 2);
        String practitioner = calls.token("demo-practitioner", "2");
        HttpResponse<String> kickOff = kickOff("/Patient/$export?_type=Patient,Condition", practitioner, null);
        assertThat(kickOff.statusCode()).as(kickOff.body()).isEqualTo(202);
        JsonNode manifest = manifest(kickOff.headers().firstValue("Content-Location").orElseThrow(), practitioner);
        Map<String, List<JsonNode>> files = download(manifest, practitioner);
        Set<String> patients = ids(files.getOrDefault("Patient", List.of()));
        assertThat(patients).as(manifest.toString()).contains(cora.get("Patient"));
        Map<String, Set<String>> refused = new LinkedHashMap<>();
        for (JsonNode error : manifest.path("error")) {
            for (String line : get(error.path("url").asText(), practitioner).body().split("\n")) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\w+) of Patient/([^:]+): HTTP (\\d+)")
                        .matcher(JSON.readTree(line).path("issue").get(0).path("diagnostics").asText());
                assertThat(m.find()).as(line).isTrue();
                refused.computeIfAbsent(m.group(1), t -> new TreeSet<>()).add(m.group(2));
            }
        }
        Set<String> reached = new TreeSet<>(patients);
        refused.values().forEach(reached::addAll);
        Set<String> conditions = new TreeSet<>();
        for (String patient : reached) {
            HttpResponse<String> own = calls.fhir("GET", "/Condition?patient=" + patient + "&_count=200", practitioner, null);
            if (own.statusCode() == 200) {
                assertThat(refused.getOrDefault("Condition", Set.of())).as("read by her search, read by the export").doesNotContain(patient);
                Calls.json(own).path("entry").forEach(e -> conditions.add(e.path("resource").path("id").asText()));
            } else {
                assertThat(refused.getOrDefault("Condition", Set.of())).as("refused to her search, refused to the export").contains(patient);
            }
        }
        assertThat(ids(files.getOrDefault("Condition", List.of()))).isEqualTo(conditions);
        assertThat(conditions).as("Cora's two Conditions among them").hasSizeGreaterThanOrEqualTo(2);
    }

    @Test
    void badKickOffsAreRefusedAndACancelledExportIsGone() throws Exception {
        Calls calls = new Calls(platform);
        String system = platform.serviceToken();
        assertRefused(get(platform.fhirBase() + "/$export", system), 400, "PHR-FHIR-0601");
        assertRefused(kickOff("/$export?_outputFormat=text%2Fcsv", system, null), 400, "PHR-FHIR-0602");
        assertRefused(kickOff("/$export?_type=Observation,Binary", system, null), 400, "PHR-FHIR-0603");
        assertRefused(kickOff("/$export?_since=yesterday", system, null), 400, "PHR-FHIR-0604");
        assertRefused(kickOff("/$export?_typeFilter=Observation%3Fcode%3D1", system, null), 400, "PHR-FHIR-0608");
        assertRefused(kickOff("/$export", null, null), 401, "PHR-FHIR-0401");
        assertRefused(kickOff("/$export", calls.token("demo-researcher", "2"), null), 403, "PHR-AUTHZ-0001");
        assertRefused(kickOff("/$export", calls.token("demo-admin", "2"), null), 403, "PHR-AUTHZ-0004");
        assertRefused(get(platform.fhirBase() + "/bulk-export/" + UUID.randomUUID(), system), 404, "PHR-FHIR-0605");

        HttpResponse<String> kickOff = kickOff("/$export?_type=Observation", system, null);
        assertThat(kickOff.statusCode()).as(kickOff.body()).isEqualTo(202);
        String status = kickOff.headers().firstValue("Content-Location").orElseThrow();
        String cancelId = "bulk-cancel-" + UUID.randomUUID();
        HttpResponse<String> cancelled = HTTP.send(HttpRequest.newBuilder(URI.create(status)).DELETE()
                .header("Authorization", "Bearer " + system).header("X-Request-ID", cancelId).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(202);
        assertRefused(get(status, system), 404, "PHR-FHIR-0605");
        JsonNode events = Calls.json(calls.api("GET", "/audit/events?requestId=" + cancelId, calls.token("demo-admin", "2"), null));
        assertThat(events.get(0).path("outcomeDesc").asText()).contains("cancelled");
    }

    /** Registers a patient at {@code institution} and writes her Patient, Observations and Conditions (st-mary's system). */
    private static Map<String, String> patient(Calls calls, String admin, String institution, String family, int observations,
                                               int conditions) throws Exception {
        String mrn = "BULK-" + UUID.randomUUID();
        HttpResponse<String> registered = calls.api("POST", "/identity/patients", admin, "{\"homeInstitution\":\"" + institution
                + "\",\"demographics\":{\"identifiers\":[{\"system\":\"" + NATIONAL_ID + "\",\"value\":\"" + mrn + "\"}],\"family\":\""
                + family + "\",\"given\":[\"Ada\"],\"birthDate\":\"1980-03-04\",\"gender\":\"female\"}}");
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
        String patient = "urn:uuid:" + UUID.randomUUID();
        List<String> entries = new ArrayList<>();
        entries.add(entry(patient, "Patient", "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"" + NATIONAL_ID + "\",\"value\":\""
                + mrn + "\"}],\"name\":[{\"family\":\"" + family + "\"}],\"gender\":\"female\",\"birthDate\":\"1980-03-04\"}"));
        for (int i = 0; i < observations; i++) {
            entries.add(entry("urn:uuid:" + UUID.randomUUID(), "Observation", "{\"resourceType\":\"Observation\",\"status\":\"final\","
                    + "\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"2345-7\"}]},\"subject\":{\"reference\":\"" + patient
                    + "\"},\"valueQuantity\":{\"value\":" + (5 + i) + ",\"unit\":\"mmol/L\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"mmol/L\"}}"));
        }
        for (int i = 0; i < conditions; i++) {
            entries.add(entry("urn:uuid:" + UUID.randomUUID(), "Condition", "{\"resourceType\":\"Condition\",\"subject\":{\"reference\":\""
                    + patient + "\"},\"code\":{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":\"44054006\"}]}}"));
        }
        HttpResponse<String> written = calls.fhir("POST", "", platform.serviceToken(), "{\"resourceType\":\"Bundle\",\"type\":\"transaction\","
                + "\"entry\":[" + String.join(",", entries) + "]}");
        assertThat(written.statusCode()).as(written.body()).isEqualTo(200);
        Map<String, String> ids = new LinkedHashMap<>();
        ids.put("pseudonym", Calls.json(registered).path("identity").path("pseudonym").asText());
        for (JsonNode e : Calls.json(written).path("entry")) {
            String[] location = e.path("response").path("location").asText().split("/");
            ids.putIfAbsent(location[0], location[1]);
        }
        return ids;
    }

    /** Registers the institution's system (SMART Backend Services) and returns a token it got with a client assertion. */
    private static String systemToken(Calls calls, String admin, String institution) throws Exception {
        ECKey key = new ECKeyGenerator(Curve.P_384).keyID("bulk-1").generate();
        String clientId = institution + "-system";
        HttpResponse<String> registered = calls.api("POST", "/identity/admin/institutions/" + institution + "/systems", admin,
                "{\"clientId\":\"" + clientId + "\",\"jwks\":" + new JWKSet(key.toPublicJWK()).toString(true) + "}");
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
        JsonNode smart = Calls.json(calls.fhir("GET", "/.well-known/smart-configuration", null, null));
        SignedJWT assertion = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES384).keyID("bulk-1").type(JOSEObjectType.JWT).build(),
                new JWTClaimsSet.Builder().issuer(clientId).subject(clientId).audience(smart.path("issuer").asText())
                        .jwtID(UUID.randomUUID().toString()).expirationTime(new java.util.Date(System.currentTimeMillis() + 60_000)).build());
        assertion.sign(new ECDSASigner(key));
        HttpResponse<String> token = HTTP.send(HttpRequest.newBuilder(URI.create(smart.path("token_endpoint").asText()))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(
                        "grant_type=client_credentials&scope=system%2F*.rs&client_assertion_type="
                                + URLEncoder.encode("urn:ietf:params:oauth:client-assertion-type:jwt-bearer", StandardCharsets.UTF_8)
                                + "&client_assertion=" + assertion.serialize())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
        return Calls.json(token).path("access_token").asText();
    }

    private static HttpResponse<String> kickOff(String path, String token, String requestId) throws Exception {
        return get(platform.fhirBase() + path, token, "respond-async", requestId);
    }

    private static HttpResponse<String> get(String url, String token) throws Exception {
        return get(url, token, null, null);
    }

    private static HttpResponse<String> get(String url, String token, String prefer, String requestId) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Accept", "application/fhir+json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (prefer != null) {
            b.header("Prefer", prefer);
        }
        if (requestId != null) {
            b.header("X-Request-ID", requestId);
        }
        return HTTP.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Polls the status URL: 202 with X-Progress while the export runs, then 200 with the manifest. */
    private static JsonNode manifest(String status, String token) throws Exception {
        List<HttpResponse<String>> last = new ArrayList<>();
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() -> {
            HttpResponse<String> r = get(status, token);
            last.add(0, r);
            if (r.statusCode() == 202) {
                assertThat(r.headers().firstValue("X-Progress")).isPresent();
            }
            return r.statusCode() != 202;
        });
        assertThat(last.get(0).statusCode()).as(last.get(0).body()).isEqualTo(200);
        return JSON.readTree(last.get(0).body());
    }

    /** Output type -> count, in manifest order. */
    private static List<Map.Entry<String, Integer>> counts(JsonNode manifest) {
        List<Map.Entry<String, Integer>> out = new ArrayList<>();
        manifest.path("output").forEach(o -> out.add(Map.entry(o.path("type").asText(), o.path("count").asInt())));
        return out;
    }

    /** Every output file, parsed line by line, by type; each line's type is the file's. */
    private static Map<String, List<JsonNode>> download(JsonNode manifest, String token) throws Exception {
        Map<String, List<JsonNode>> out = new LinkedHashMap<>();
        for (JsonNode o : manifest.path("output")) {
            HttpResponse<String> file = get(o.path("url").asText(), token);
            assertThat(file.statusCode()).as(file.body()).isEqualTo(200);
            assertThat(file.headers().firstValue("Content-Type").orElse("")).startsWith("application/fhir+ndjson");
            List<JsonNode> lines = new ArrayList<>();
            for (String line : file.body().split("\n")) {
                JsonNode resource = JSON.readTree(line);
                assertThat(resource.path("resourceType").asText()).isEqualTo(o.path("type").asText());
                lines.add(resource);
            }
            assertThat(lines).hasSize(o.path("count").asInt());
            out.put(o.path("type").asText(), lines);
        }
        return out;
    }

    private static Set<String> ids(List<JsonNode> resources) {
        Set<String> out = new TreeSet<>();
        resources.forEach(r -> out.add(r.path("id").asText()));
        return out;
    }

    /** The ids the same caller's searches give, patient by patient. */
    private static Set<String> searched(Calls calls, String token, String type, String... patients) throws Exception {
        Set<String> out = new TreeSet<>();
        for (String patient : patients) {
            HttpResponse<String> r = calls.fhir("GET", "/" + type + "?patient=" + patient + "&_count=200", token, null);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            Calls.json(r).path("entry").forEach(e -> out.add(e.path("resource").path("id").asText()));
        }
        return out;
    }

    private static void assertRefused(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.body()).contains("OperationOutcome").contains(code);
    }

    private static String entry(String fullUrl, String type, String resource) {
        return "{\"fullUrl\":\"" + fullUrl + "\",\"resource\":" + resource + ",\"request\":{\"method\":\"POST\",\"url\":\"" + type + "\"}}";
    }
}
