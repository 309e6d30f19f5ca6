package org.phrcloud.it.consent;

import com.fasterxml.jackson.databind.JsonNode;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.phrcloud.identity.keys.EcdsaP256;
import org.phrcloud.identity.keys.PatientKeyFile;
import org.phrcloud.tools.BrowserLogin;
import org.phrcloud.it.support.Calls;
import org.phrcloud.ledger.anchor.contracts.AnchorRegistry;
import org.phrcloud.ledger.anchor.contracts.ConsentRegistry;
import org.phrcloud.it.support.Platform;
import org.phrcloud.it.support.PlatformExtension;

import java.io.File;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.phrcloud.it.support.Calls.json;

/**
 * The consent issue on the real Payara, Keycloak, database and anvil: a care giver asks, the patient decides by
 * signing with their own key (the key file from the identity layer), and the FHIR API opens exactly what the consent
 * in force allows. The matrix crosses role x consent state x access level x operation and checks every answer.
 *
 * <p>Fixture: patients registered at North Clinic (so the demo care givers of St Mary's reach them only by consent),
 * each with a login ({@code it-patient-NN}), seven Observations on seven days and one Condition. Consents name
 * {@code demo-practitioner} as grantee; {@code demo-lab}, a colleague at the same institution, is not named.
 */
@ExtendWith(PlatformExtension.class)
@ExtendWith(ArquillianExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsentIT {
    private static final String NATIONAL_ID = "urn:oid:2.16.840.1.113883.4.1";
    private static final String PASSPHRASE = "consent tests passphrase";
    private static final List<String> STATES = List.of("none", "pending", "active", "rejected", "revoked", "expired", "emergency");
    private static final List<String> LEVELS = List.of("information", "sample", "full");
    private static final List<String> OPERATIONS = List.of("read", "patient-read", "search", "count", "sample", "history", "include",
            "revinclude-out-of-scope", "out-of-scope-read", "everything", "stats", "stats-with-source", "write");

    private static final String STATS = "code=2339-0&system=http://loinc.org&statistic=count,minimum,maximum,regression";

    private static Platform platform;
    private static Calls calls;
    private static final Map<String, ConsentPatient> MATRIX = new LinkedHashMap<>();
    private static Instant expiredEnd;
    /** Every patient this class made, by pseudonym. */
    private static final Map<String, ConsentPatient> KNOWN = new java.util.concurrent.ConcurrentHashMap<>();

    /** A patient of the fixture; observations oldest first. */
    record ConsentPatient(String login, String pseudonym, String patientId, PrivateKey key, List<String> observations, String condition) {
    }

    @Deployment(testable = false)
    static EnterpriseArchive ear() {
        return ShrinkWrap.createFromZipFile(EnterpriseArchive.class, new File(System.getProperty("phr.it.ear")));
    }

    @BeforeAll
    static void patientsInEveryConsentState() throws Exception {
        platform = PlatformExtension.platform();
        calls = new Calls(platform);
        int n = 2;
        MATRIX.put("none", patient(Platform.extraPatient(n++)));
        ConsentPatient emergency = patient(Platform.extraPatient(19));
        MATRIX.put("emergency", emergency);
        HttpResponse<String> declared = calls.api("POST", "/consent/emergency", calls.token("demo-practitioner", "2"),
                "{\"patient\":\"" + emergency.pseudonym() + "\",\"reason\":\"matrix: brought in unconscious\"}");
        assertThat(declared.statusCode()).as(declared.body()).isEqualTo(201);
        for (String level : LEVELS) {
            for (String state : STATES.subList(1, STATES.size() - 1)) {
                ConsentPatient p = patient(Platform.extraPatient(n++));
                MATRIX.put(state + "/" + level, p);
                Instant start = state.equals("expired") ? Instant.now().minus(Duration.ofDays(1)).plusSeconds(40) : Instant.now();
                JsonNode consent = json(ask(p, level, start));
                String id = consent.path("id").asText();
                if (state.equals("expired")) {
                    expiredEnd = Instant.parse(consent.path("end").asText());
                }
                switch (state) {
                    case "active", "expired" -> decide(p, id, "approve", "2");
                    case "rejected" -> decide(p, id, "reject", "1");
                    case "revoked" -> {
                        decide(p, id, "approve", "2");
                        decide(p, id, "revoke", "1");
                    }
                    default -> { }
                }
            }
        }
    }

    @Test
    @Order(1)
    void aPractitionerAsksThePatientApprovesBySigningAndTheNextReadAfterRevocationIsRefused() throws Exception {
        ConsentPatient p = patient(Platform.extraPatient(1));
        String doctor = calls.token("demo-practitioner", "2");
        String observation = "/Observation/" + p.observations().get(0);
        assertThat(calls.fhir("GET", observation, doctor, null).statusCode()).as("before consent").isEqualTo(403);

        HttpResponse<String> asked = ask(p, "full", Instant.now());
        assertThat(asked.statusCode()).as(asked.body()).isEqualTo(201);
        assertThat(asked.headers().firstValue("Location").orElse("")).contains("/api/consent/");
        String id = json(asked).path("id").asText();
        assertThat(json(asked).path("status").asText()).isEqualTo("pending");
        assertThat(json(asked).path("documents").size()).as("only the patient gets documents to sign").isZero();
        assertThat(calls.fhir("GET", observation, doctor, null).statusCode()).as("pending").isEqualTo(403);

        JsonNode pending = json(calls.api("GET", "/consent?status=pending", calls.token(p.login(), "1"), null));
        assertThat(pending).hasSize(1);
        assertThat(pending.get(0).path("requester").asText()).isEqualTo("demo-practitioner");
        assertThat(pending.get(0).path("resourceTypes").toString()).isEqualTo("[\"Observation\",\"Patient\"]");
        byte[] approval = pending.get(0).path("documents").path("approve").asText().getBytes(StandardCharsets.UTF_8);
        assertThat(new String(approval, StandardCharsets.UTF_8)).contains("\"decision\":\"approve\"").contains(p.pseudonym());

        HttpResponse<String> lowLevel = calls.api("POST", "/consent/" + id + "/approve", calls.token(p.login(), "1"), signed(p.key(), approval));
        assertThat(lowLevel.statusCode()).as("approving needs acr 2").isEqualTo(401);
        HttpResponse<String> forged = calls.api("POST", "/consent/" + id + "/approve", calls.token(p.login(), "2"),
                signed(EcdsaP256.generate().getPrivate(), approval));
        assertThat(forged.statusCode()).isEqualTo(400);
        assertThat(forged.body()).contains("PHR-CONSENT-0303");
        byte[] altered = new String(approval, StandardCharsets.UTF_8).replace("\"full\"", "\"sample\"").getBytes(StandardCharsets.UTF_8);
        assertThat(calls.api("POST", "/consent/" + id + "/approve", calls.token(p.login(), "2"), signed(p.key(), altered)).statusCode())
                .as("a signature of altered terms").isEqualTo(400);
        ConsentPatient other = MATRIX.get("none");
        assertThat(calls.api("POST", "/consent/" + id + "/approve", calls.token(other.login(), "2"), signed(other.key(), approval)).statusCode())
                .as("another patient").isEqualTo(404);
        assertThat(calls.fhir("GET", observation, doctor, null).statusCode()).as("refused decisions open nothing").isEqualTo(403);

        HttpResponse<String> approved = calls.api("POST", "/consent/" + id + "/approve", calls.token(p.login(), "2"), signed(p.key(), approval));
        assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
        assertThat(json(approved).path("status").asText()).isEqualTo("active");
        String registryKey = json(approved).path("registryKey").asText();
        await("the approval recorded in the on-chain ConsentRegistry by the next anchor").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofSeconds(1)).until(() -> onChain(registryKey, true));
        assertThat(calls.fhir("GET", observation, doctor, null).statusCode()).as("after approval").isEqualTo(200);
        assertThat(calls.fhir("GET", "/Condition/" + p.condition(), doctor, null).statusCode()).as("outside the scope").isEqualTo(403);
        assertThat(calls.fhir("POST", "/Observation", doctor, observationOf(p.patientId(), 9)).statusCode()).as("consent is to read").isEqualTo(403);
        assertThat(calls.fhir("GET", observation, calls.token("demo-lab", "2"), null).statusCode()).as("a colleague not named").isEqualTo(403);
        assertThat(json(calls.api("GET", "/consent/" + id, doctor, null)).path("status").asText()).isEqualTo("active");
        JsonNode accesses = json(calls.api("GET", "/audit/my-record?actor=demo-practitioner&kind=read", calls.token(p.login(), "1"), null));
        assertThat(accesses).as("the patient sees the practitioner's reads: refused before, allowed after approval").hasSizeGreaterThanOrEqualTo(3);
        assertThat(accesses.get(0).path("outcome").asInt()).as("newest: the Condition outside the scope").isEqualTo(4);
        assertThat(accesses.get(1).path("outcome").asInt()).isZero();
        assertThat(accesses.get(1).path("resources").toString()).contains("Observation/" + p.observations().get(0));
        assertThat(accesses.get(accesses.size() - 1).path("outcome").asInt()).as("oldest: before consent").isEqualTo(4);

        JsonNode consents = json(calls.fhir("GET", "/Consent?patient=Patient/" + p.patientId(), calls.token(p.login(), "1"), null));
        JsonNode consent = consents.path("entry").get(0).path("resource");
        assertThat(consent.path("status").asText()).isEqualTo("active");
        assertThat(consent.toString()).contains("decision-signature").contains("1.2.840.10065.1.12.1.7");
        String edited = consent.toString().replace("\"active\"", "\"inactive\"");
        assertThat(calls.fhir("PUT", "/Consent/" + id, platform.serviceToken(), edited).statusCode())
                .as("consents change through /api/consent only, for institution systems too").isEqualTo(403);
        JsonNode blocks = json(calls.api("GET", "/ledger/patients/" + p.pseudonym() + "/blocks?limit=200", calls.token(p.login(), "1"), null));
        List<String> consentEntries = new ArrayList<>();
        blocks.forEach(b -> b.path("entries").forEach(e -> {
            if (e.path("resourceType").asText().equals("Consent")) {
                consentEntries.add(e.path("id").asText() + "/" + e.path("versionId").asText());
            }
        }));
        assertThat(consentEntries).as("the request and the decision are in the patient's chain").containsExactly(id + "/1", id + "/2");

        JsonNode active = json(calls.api("GET", "/consent/" + id, calls.token(p.login(), "1"), null));
        byte[] revocation = active.path("documents").path("revoke").asText().getBytes(StandardCharsets.UTF_8);
        assertThat(calls.api("POST", "/consent/" + id + "/revoke", calls.token(p.login(), "1"), signed(p.key(), approval)).statusCode())
                .as("the approval's signature does not revoke").isEqualTo(400);
        HttpResponse<String> revoked = calls.api("POST", "/consent/" + id + "/revoke", calls.token(p.login(), "1"), signed(p.key(), revocation));
        assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
        assertThat(calls.fhir("GET", observation, doctor, null).statusCode()).as("the next read after revocation").isEqualTo(403);
        await("the revocation recorded on chain").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .until(() -> onChain(registryKey, false));
        org.web3j.protocol.Web3j chain = web3j();
        try {
            var entry = consentRegistry(chain).consent(org.web3j.utils.Numeric.hexStringToByteArray(registryKey)).send();
            assertThat(org.web3j.utils.Numeric.toHexStringNoPrefix(entry.component1())).as("pseudonym, hashes, status: no health data")
                    .isEqualTo(p.pseudonym());
            assertThat(entry.component3()).as("the scope hash").isEqualTo(org.web3j.utils.Numeric.hexStringToByteArray(
                    org.phrcloud.ledger.anchor.RegistryConsent.sha256Hex(org.phrcloud.consent.DecisionDocument.scope(
                            new org.phrcloud.consent.ConsentTerms(List.of("Observation", "Patient"),
                                    org.phrcloud.consent.AccessLevel.FULL, "TREAT", Instant.parse(json(approved).path("start").asText()),
                                    Instant.parse(json(approved).path("end").asText()))))));
        } finally {
            chain.shutdown();
        }
        assertThat(json(calls.api("GET", "/consent", calls.token(p.login(), "1"), null)).get(0).path("status").asText()).isEqualTo("revoked");
    }

    @Test
    @Order(1)
    void anEmergencyAccessOpensTheWholeRecordNotifiesThePatientStandsOutInTheAuditAndTheRevocationEndsIt() throws Exception {
        ConsentPatient p = patient(Platform.extraPatient(20));
        String doctor = calls.token("demo-practitioner", "2");
        String condition = "/Condition/" + p.condition();
        assertThat(calls.fhir("GET", condition, doctor, null).statusCode()).as("before").isEqualTo(403);
        String body = "{\"patient\":\"" + p.pseudonym() + "\",\"reason\":\"unconscious after a road accident, allergies unknown\"}";
        assertThat(calls.api("POST", "/consent/emergency", calls.token("demo-practitioner", "1"), body).statusCode()).as("needs acr 2").isEqualTo(401);
        assertThat(calls.api("POST", "/consent/emergency", calls.token(p.login(), "2"), body).statusCode()).as("care givers only").isEqualTo(403);
        assertProblem(calls.api("POST", "/consent/emergency", doctor, body.replace("unconscious after a road accident, allergies unknown", " ")),
                400, "PHR-CONSENT-0209");
        assertThat(calls.fhir("GET", condition, doctor, null).statusCode()).as("refused declarations open nothing").isEqualTo(403);

        HttpResponse<String> declared = calls.api("POST", "/consent/emergency", doctor, body);
        assertThat(declared.statusCode()).as(declared.body()).isEqualTo(201);
        JsonNode access = json(declared);
        String id = access.path("id").asText();
        assertThat(access.path("status").asText()).isEqualTo("active");
        assertThat(access.path("purpose").asText()).isEqualTo("ETREAT");
        assertThat(access.path("resourceTypes").toString()).isEqualTo("[\"*\"]");
        assertThat(Duration.between(Instant.parse(access.path("start").asText()), Instant.parse(access.path("end").asText())))
                .as("the default 24 hours").isEqualTo(Duration.ofHours(24));

        String readRequest = "emergency-" + UUID.randomUUID();
        assertThat(calls.fhir("GET", condition, doctor, null, readRequest).statusCode()).as("every type, at once").isEqualTo(200);
        assertThat(calls.fhir("GET", "/Observation/" + p.observations().get(0), doctor, null).statusCode()).isEqualTo(200);
        assertThat(calls.fhir("POST", "/Observation", doctor, observationOf(p.patientId(), 9)).statusCode()).as("read only").isEqualTo(403);
        assertThat(calls.fhir("GET", condition, calls.token("demo-lab", "2"), null).statusCode()).as("only who declared it").isEqualTo(403);

        String patientToken = calls.token(p.login(), "1");
        JsonNode notices = json(calls.api("GET", "/consent/notifications", patientToken, null));
        assertThat(notices).hasSize(1);
        assertThat(notices.get(0).path("requester").asText()).isEqualTo("demo-practitioner");
        assertThat(notices.get(0).path("emergency").path("reason").asText()).isEqualTo("unconscious after a road accident, allergies unknown");
        JsonNode communications = json(calls.fhir("GET", "/Communication?recipient=Patient/" + p.patientId(), patientToken, null));
        assertThat(communications.path("entry")).hasSize(1);
        assertThat(communications.path("entry").get(0).path("resource").path("id").asText())
                .isEqualTo(notices.get(0).path("emergency").path("communication").asText());
        assertThat(communications.toString()).contains("Emergency access to your record by demo-practitioner").contains("road accident");
        assertThat(calls.api("GET", "/consent/notifications", doctor, null).statusCode()).isEqualTo(403);

        JsonNode audited = json(calls.api("GET", "/audit/events?requestId=" + readRequest, calls.token("demo-admin", "2"), null));
        assertThat(audited.get(0).path("purposeOfEvent").toString()).as("the IHE BALP purpose of use").contains("ETREAT");
        JsonNode seen = json(calls.api("GET", "/audit/my-record?actor=demo-practitioner", patientToken, null));
        List<Boolean> flags = new ArrayList<>();
        seen.forEach(e -> flags.add(e.path("emergency").asBoolean()));
        assertThat(flags).as("newest first: the refused write, the two emergency reads, the declaration, the two refused reads before")
                .containsExactly(false, true, true, true, false, false);
        assertThat(seen.toString()).contains("ETREAT");

        JsonNode active = json(calls.api("GET", "/consent/" + id, patientToken, null));
        byte[] revocation = active.path("documents").path("revoke").asText().getBytes(StandardCharsets.UTF_8);
        assertThat(calls.api("POST", "/consent/" + id + "/revoke", patientToken, signed(p.key(), revocation)).statusCode()).isEqualTo(200);
        assertThat(calls.fhir("GET", condition, doctor, null).statusCode()).as("the next read after the patient ended it").isEqualTo(403);
    }

    @Test
    @Order(1)
    void aCustodianFamilyDoctorApprovesForThePatientWithTheirOwnKey() throws Exception {
        ConsentPatient p = patient(Platform.extraPatient(21));
        String familyDoctor = calls.token("demo-family-doctor", "2");
        String admin = calls.token("demo-admin", "2");
        java.security.KeyPair key = EcdsaP256.generate();
        String keyBody = "{\"publicKey\":\"" + Base64.getEncoder().encodeToString(key.getPublic().getEncoded()) + "\"}";
        assertProblem(calls.api("PUT", "/consent/custodian-key", calls.token("demo-practitioner", "2"), keyBody), 400, "PHR-CONSENT-0307");
        assertThat(calls.api("PUT", "/consent/custodian-key", familyDoctor, keyBody).statusCode()).isEqualTo(204);
        assertThat(calls.api("PUT", "/consent/custodians/" + p.pseudonym() + "/demo-family-doctor", familyDoctor, null).statusCode())
                .as("admins link custodians").isEqualTo(403);
        assertThat(calls.api("PUT", "/consent/custodians/" + p.pseudonym() + "/demo-family-doctor", admin, null).statusCode()).isEqualTo(204);

        String id = json(ask(p, "full", Instant.now())).path("id").asText();
        JsonNode custody = json(calls.api("GET", "/consent/custody", familyDoctor, null));
        JsonNode mine = null;
        for (JsonNode c : custody) {
            if (c.path("id").asText().equals(id)) {
                mine = c;
            }
        }
        assertThat(mine).as("the ward's pending request, with the document to sign").isNotNull();
        byte[] approval = mine.path("documents").path("approve").asText().getBytes(StandardCharsets.UTF_8);
        assertThat(calls.api("POST", "/consent/" + id + "/approve", familyDoctor, signed(p.key(), approval)).statusCode())
                .as("the patient's key is not the custodian's").isEqualTo(400);
        HttpResponse<String> approved = calls.api("POST", "/consent/" + id + "/approve", familyDoctor, signed(key.getPrivate(), approval));
        assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
        assertThat(calls.fhir("GET", "/Observation/" + p.observations().get(0), calls.token("demo-practitioner", "2"), null).statusCode())
                .isEqualTo(200);
        JsonNode consent = json(calls.fhir("GET", "/Consent/" + id, calls.token(p.login(), "1"), null));
        assertThat(consent.toString()).as("the patient sees who decided for them").contains("demo-family-doctor (custodian)");
    }

    @Test
    @Order(1)
    void badRequestsAreRefusedWithAProblem() throws Exception {
        ConsentPatient p = MATRIX.get("none");
        String doctor = calls.token("demo-practitioner", "2");
        String body = "{\"patient\":\"" + p.pseudonym() + "\",\"resourceTypes\":[\"Organization\"],\"level\":\"full\",\"purpose\":\"TREAT\",\"days\":30}";
        assertProblem(calls.api("POST", "/consent/requests", doctor, body), 400, "PHR-CONSENT-0205");
        assertProblem(calls.api("POST", "/consent/requests", doctor, body.replace("Organization", "Observation").replace("full", "none")),
                400, "PHR-CONSENT-0103");
        assertProblem(calls.api("POST", "/consent/requests", doctor, body.replace("Organization", "Observation").replace(p.pseudonym(), "0".repeat(64))),
                404, "PHR-CONSENT-0201");
        assertProblem(calls.api("POST", "/consent/requests", doctor, body.replace("TREAT", "HRESCH").replace("Organization", "Observation")),
                400, "PHR-CONSENT-0203");
        assertProblem(calls.api("POST", "/consent/requests", doctor, "{\"patient\":1,\"wrong\":true}"), 400, "PHR-API-0400");
        assertThat(calls.api("POST", "/consent/requests", calls.token(p.login(), "2"), body).statusCode()).as("patients do not ask").isEqualTo(403);
        assertThat(calls.api("POST", "/consent/requests", calls.token("demo-practitioner", "1"), body).statusCode()).isEqualTo(401);
        assertThat(calls.api("GET", "/consent", calls.token("demo-admin", "2"), null).statusCode()).isEqualTo(403);
        assertThat(calls.api("GET", "/consent/999999", doctor, null).statusCode()).isEqualTo(404);

        String own = calls.token(p.login(), "1");
        HttpResponse<String> mine = calls.fhir("GET", "/Observation/$stats?subject=Patient/" + p.patientId() + "&" + STATS, own, null);
        assertThat(mine.statusCode()).as("a patient's own statistics").isEqualTo(200);
        assertStats(json(mine), p, false);
        HttpResponse<String> unknown = calls.fhir("GET", "/Observation/$stats?subject=Patient/" + p.patientId() + "&statistic=mode", own, null);
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(json(unknown).path("resourceType").asText()).isEqualTo("OperationOutcome");
        assertThat(unknown.body()).contains("PHR-FHIR-0301");
        assertThat(calls.fhir("GET", "/Observation/$stats?subject=Patient/" + MATRIX.get("pending/full").patientId() + "&" + STATS, own, null)
                .statusCode()).as("another patient's").isEqualTo(403);
    }

    static Stream<Arguments> matrix() {
        List<Arguments> cases = new ArrayList<>();
        for (String role : List.of("practitioner", "lab")) {
            for (String state : STATES) {
                // an emergency access is always full, whatever was asked before
                for (String level : state.equals("emergency") ? List.of("full") : LEVELS) {
                    for (String operation : OPERATIONS) {
                        cases.add(Arguments.of(role, state, level, operation, expected(role, state, level, operation)));
                    }
                }
            }
        }
        return cases.stream();
    }

    /**
     * The grantee in an active consent gets what the level allows; the care giver who declared an emergency access reads
     * everything of that patient; everyone and everything else: 403.
     */
    private static int expected(String role, String state, String level, String operation) {
        if (role.equals("practitioner") && state.equals("emergency")) {
            return operation.equals("write") ? 403 : 200;
        }
        if (!role.equals("practitioner") || !state.equals("active")) {
            return 403;
        }
        boolean full = level.equals("full");
        return switch (operation) {
            case "read", "patient-read", "search", "history", "include" -> full ? 200 : 403;
            case "count", "stats" -> full || level.equals("information") ? 200 : 403;
            case "stats-with-source" -> full ? 200 : 403;
            case "sample" -> full || level.equals("sample") ? 200 : 403;
            default -> 403; // out of scope (Condition, $everything holding a Condition), and writes
        };
    }

    /** Role x consent state x access level x operation: the exact status, and no resource outside what is allowed (issue "Done when"). */
    @ParameterizedTest(name = "{0}, consent {1}, level {2}: {3} -> {4}")
    @MethodSource("matrix")
    @Order(2)
    void accessMatrix(String role, String state, String level, String operation, int status) throws Exception {
        if (state.equals("expired")) {
            await("the short consents end").atMost(Duration.ofMinutes(2)).until(() -> Instant.now().isAfter(expiredEnd));
        }
        ConsentPatient p = state.equals("none") || state.equals("emergency") ? MATRIX.get(state) : MATRIX.get(state + "/" + level);
        String token = calls.token(role.equals("practitioner") ? "demo-practitioner" : "demo-lab", "2");
        String subject = "subject=Patient/" + p.patientId();
        String observation = p.observations().get(0);
        HttpResponse<String> r = switch (operation) {
            case "read" -> calls.fhir("GET", "/Observation/" + observation, token, null);
            case "patient-read" -> calls.fhir("GET", "/Patient/" + p.patientId(), token, null);
            case "search" -> calls.fhir("GET", "/Observation?" + subject, token, null);
            case "count" -> calls.fhir("GET", "/Observation?" + subject + "&_summary=count", token, null);
            case "sample" -> calls.fhir("GET", "/Observation?" + subject + "&_sort=-date&_count=5", token, null);
            case "history" -> calls.fhir("GET", "/Observation/" + observation + "/_history", token, null);
            case "include" -> calls.fhir("GET", "/Observation?" + subject + "&_include=Observation:subject", token, null);
            case "revinclude-out-of-scope" -> calls.fhir("GET", "/Patient?_id=" + p.patientId() + "&_revinclude=Condition:subject", token, null);
            case "out-of-scope-read" -> calls.fhir("GET", "/Condition/" + p.condition(), token, null);
            case "everything" -> calls.fhir("GET", "/Patient/" + p.patientId() + "/$everything", token, null);
            case "stats" -> calls.fhir("GET", "/Observation/$stats?" + subject + "&" + STATS, token, null);
            case "stats-with-source" -> calls.fhir("GET", "/Observation/$stats?" + subject + "&" + STATS + "&include=true", token, null);
            default -> calls.fhir("POST", "/Observation", token, observationOf(p.patientId(), 8));
        };
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode body = json(r);
        if (status != 200) {
            assertThat(body.path("resourceType").asText()).isEqualTo("OperationOutcome");
            String diagnostics = body.path("issue").get(0).path("diagnostics").asText();
            // a search naming a record out of reach is refused by the search narrowing (0011); a read, an operation or a
            // write by the rules (0010); the _revinclude search too, except for the grantee of an active full consent,
            // who may search the Patient and is refused by the rules on the included Conditions outside the consent
            boolean mayReadThePatient = role.equals("practitioner") && state.equals("active") && level.equals("full");
            String code = switch (operation) {
                case "search", "count", "sample", "include" -> "PHR-AUTHZ-0011";
                case "revinclude-out-of-scope" -> mayReadThePatient ? "PHR-AUTHZ-0010" : "PHR-AUTHZ-0011";
                default -> "PHR-AUTHZ-0010";
            };
            assertThat(diagnostics).as(r.body()).startsWith(code + ":");
            assertThat(r.body()).doesNotContain(p.pseudonym());
            return;
        }
        if (operation.startsWith("stats")) {
            assertStats(body, p, operation.equals("stats-with-source"));
            return;
        }
        List<String> returned = new ArrayList<>();
        if (body.path("resourceType").asText().equals("Bundle")) {
            body.path("entry").forEach(e -> returned.add(e.path("resource").path("resourceType").asText() + "/" + e.path("resource").path("id").asText()));
            body.path("entry").forEach(e -> {
                JsonNode resource = e.path("resource");
                boolean patient = resource.path("resourceType").asText().equals("Patient");
                if (state.equals("emergency")) {
                    assertThat(patient ? "Patient/" + resource.path("id").asText() : resource.toString()).as("no resource of another patient")
                            .contains("Patient/" + p.patientId());
                    return;
                }
                String owner = patient ? "Patient/" + resource.path("id").asText() : resource.path("subject").path("reference").asText();
                assertThat(owner).as("no resource of another patient").endsWith("Patient/" + p.patientId());
                assertThat(resource.path("resourceType").asText()).as("only types in scope").isIn("Observation", "Patient");
            });
        } else {
            returned.add(body.path("resourceType").asText() + "/" + body.path("id").asText());
        }
        List<String> observations = p.observations().stream().map(id -> "Observation/" + id).toList();
        switch (operation) {
            case "read" -> assertThat(returned).containsExactly("Observation/" + observation);
            case "patient-read" -> assertThat(returned).containsExactly("Patient/" + p.patientId());
            case "search" -> assertThat(returned).containsExactlyInAnyOrderElementsOf(observations);
            case "count" -> {
                assertThat(returned).as("a count returns no resource").isEmpty();
                assertThat(body.path("total").asInt()).isEqualTo(7);
            }
            case "sample" -> assertThat(returned).as("the latest five, newest first")
                    .containsExactlyElementsOf(reversed(observations).subList(0, 5));
            case "history" -> assertThat(returned).containsOnly("Observation/" + observation);
            case "include" -> {
                List<String> expected = new ArrayList<>(observations);
                expected.add("Patient/" + p.patientId());
                assertThat(returned).containsExactlyInAnyOrderElementsOf(expected);
            }
            case "revinclude-out-of-scope" -> assertThat(returned).containsExactlyInAnyOrder("Patient/" + p.patientId(), "Condition/" + p.condition());
            case "out-of-scope-read" -> assertThat(returned).containsExactly("Condition/" + p.condition());
            case "everything" -> assertThat(returned).contains("Patient/" + p.patientId(), "Condition/" + p.condition())
                    .containsAll(observations);
            default -> throw new AssertionError("no 200 expected for " + operation);
        }
    }

    /** Ranges and trend of the seven glucose values 91..97 mg/dL, one a day; the source Observations only when asked. */
    private static void assertStats(JsonNode body, ConsentPatient p, boolean withSource) {
        assertThat(body.path("resourceType").asText()).isEqualTo("Parameters");
        List<JsonNode> statistics = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        body.path("parameter").forEach(part -> {
            if (part.path("name").asText().equals("statistics")) {
                statistics.add(part.path("resource"));
            } else {
                assertThat(part.path("name").asText()).isEqualTo("source");
                sources.add(part.path("resource").path("id").asText());
            }
        });
        assertThat(statistics).hasSize(1);
        JsonNode glucose = statistics.get(0);
        assertThat(glucose.path("id").isMissingNode()).as("computed, not a stored Observation").isTrue();
        assertThat(glucose.path("subject").path("reference").asText()).isEqualTo("Patient/" + p.patientId());
        java.util.Map<String, JsonNode> byStatistic = new java.util.HashMap<>();
        glucose.path("component").forEach(c -> byStatistic.put(c.path("code").path("coding").get(0).path("code").asText(), c));
        assertThat(byStatistic.get("count").path("valueInteger").asInt()).isEqualTo(7);
        assertThat(byStatistic.get("minimum").path("valueQuantity").path("value").decimalValue()).isEqualByComparingTo("91");
        assertThat(byStatistic.get("maximum").path("valueQuantity").path("value").decimalValue()).isEqualByComparingTo("97");
        assertThat(byStatistic.get("regression").path("valueQuantity").path("value").asDouble()).as("+1 mg/dL a day")
                .isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-9));
        if (withSource) {
            assertThat(sources).as("oldest first").containsExactlyElementsOf(p.observations());
        } else {
            assertThat(sources).as("aggregates only").isEmpty();
        }
    }

    @Test
    @Order(3)
    void aResearcherAsksPatientsDrawnAtRandomFromTheEligibleAndTheApprovalsFormThePool() throws Exception {
        String researcher = calls.token("demo-researcher", "2");
        String eligibility = "family=Consentova&_has:Condition:subject:code=http://snomed.info/sct|44054006";
        String body = "{\"eligibility\":\"" + eligibility + "\",\"size\":5,\"resourceTypes\":[\"Observation\"],\"level\":\"information\",\"days\":90}";
        assertThat(calls.api("POST", "/consent/studies", calls.token("demo-practitioner", "2"), body).statusCode()).isEqualTo(403);
        assertThat(calls.api("POST", "/consent/studies", calls.token("demo-researcher", "1"), body).statusCode()).isEqualTo(401);
        assertProblem(calls.api("POST", "/consent/studies", researcher, body.replace("\"size\":5", "\"size\":1000")), 400, "PHR-CONSENT-0210");
        assertProblem(calls.api("POST", "/consent/studies", researcher, body.replace("family=", "no-such-parameter=")), 400, "PHR-CONSENT-0213");

        HttpResponse<String> created = calls.api("POST", "/consent/studies", researcher, body);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode study = json(created);
        assertThat(study.path("eligible").asInt()).as("this class's patients").isGreaterThanOrEqualTo(19);
        assertThat(study.path("asked").asInt()).isEqualTo(5);
        assertThat(study.path("statuses").toString()).isEqualTo("{\"pending\":5}");
        assertThat(study.path("pool")).isEmpty();
        List<String> drawn = new ArrayList<>();
        study.path("consents").forEach(c -> drawn.add(c.path("patient").asText()));
        assertThat(drawn).doesNotHaveDuplicates().allMatch(KNOWN::containsKey);
        assertThat(study.path("consents").get(0).path("purpose").asText()).isEqualTo("HRESCH");

        JsonNode first = study.path("consents").get(0);
        decide(KNOWN.get(first.path("patient").asText()), first.path("id").asText(), "approve", "2");
        JsonNode after = json(calls.api("GET", "/consent/studies/" + study.path("id").asText(), researcher, null));
        assertThat(after.path("pool").toString()).isEqualTo("[\"" + first.path("patient").asText() + "\"]");
        assertThat(after.path("statuses").toString()).isEqualTo("{\"active\":1,\"pending\":4}");
        assertThat(calls.api("GET", "/consent/studies/" + study.path("id").asText(), calls.token("demo-practitioner", "2"), null).statusCode())
                .isEqualTo(403);
        // the researcher's studies, newest first: this one leads the list, with the same counts
        JsonNode mine = json(calls.api("GET", "/consent/studies", researcher, null));
        assertThat(mine.get(0).path("id").asText()).isEqualTo(study.path("id").asText());
        assertThat(mine.get(0).path("statuses").toString()).isEqualTo("{\"active\":1,\"pending\":4}");
        assertThat(calls.api("GET", "/consent/studies", calls.token("demo-practitioner", "2"), null).statusCode()).isEqualTo(403);
    }

    private static org.web3j.protocol.Web3j web3j() {
        return org.web3j.protocol.Web3j.build(new org.web3j.protocol.http.HttpService(platform.anvilUrl()));
    }

    private static ConsentRegistry consentRegistry(org.web3j.protocol.Web3j web3j) throws Exception {
        org.web3j.tx.ReadonlyTransactionManager reader = new org.web3j.tx.ReadonlyTransactionManager(web3j, null);
        String address = AnchorRegistry.load(System.getProperty("phr.it.anchor.contract"), web3j, reader,
                new org.web3j.tx.gas.DefaultGasProvider()).consentRegistry().send();
        return ConsentRegistry.load(address, web3j, reader, new org.web3j.tx.gas.DefaultGasProvider());
    }

    /** Whether the on-chain ConsentRegistry says the consent is in force (false also while it is unknown there). */
    private static boolean onChain(String registryKey, boolean inForce) throws Exception {
        org.web3j.protocol.Web3j web3j = web3j();
        try {
            byte[] key = org.web3j.utils.Numeric.hexStringToByteArray(registryKey);
            ConsentRegistry registry = consentRegistry(web3j);
            return inForce ? registry.inForce(key).send() : registry.consent(key).send().component4().intValue() == 4;
        } finally {
            web3j.shutdown();
        }
    }

    private static HttpResponse<String> ask(ConsentPatient p, String level, Instant start) throws Exception {
        return calls.api("POST", "/consent/requests", calls.token("demo-practitioner", "2"), "{\"patient\":\"" + p.pseudonym() + "\","
                + "\"resourceTypes\":[\"Patient\",\"Observation\"],\"level\":\"" + level + "\",\"purpose\":\"TREAT\","
                + "\"start\":\"" + start + "\",\"days\":" + (start.isBefore(Instant.now().minusSeconds(3600)) ? 1 : 30) + "}");
    }

    /** The patient reads the consent, signs the document of the decision with their key, and sends it. */
    private static void decide(ConsentPatient p, String consentId, String decision, String acr) throws Exception {
        JsonNode consent = json(calls.api("GET", "/consent/" + consentId, calls.token(p.login(), "1"), null));
        byte[] document = consent.path("documents").path(decision).asText().getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> r = calls.api("POST", "/consent/" + consentId + "/" + decision, calls.token(p.login(), acr), signed(p.key(), document));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    private static String signed(PrivateKey key, byte[] document) {
        return "{\"signature\":\"" + Base64.getEncoder().encodeToString(EcdsaP256.sign(key, document)) + "\"}";
    }

    /**
     * A patient registered at North Clinic with their key file, a FHIR Patient with seven Observations (one a day) and
     * a Condition, and their login linked.
     */
    private static ConsentPatient patient(String login) throws Exception {
        String admin = calls.token("demo-admin", "2");
        String nationalId = "C-" + UUID.randomUUID();
        HttpResponse<String> registered = calls.api("POST", "/identity/patients", admin, "{\"homeInstitution\":\"north-clinic\","
                + "\"passphrase\":\"" + PASSPHRASE + "\",\"demographics\":{\"identifiers\":[{\"system\":\"" + NATIONAL_ID + "\",\"value\":\""
                + nationalId + "\"}],\"family\":\"Consentova\",\"given\":[\"" + login + "\"],\"birthDate\":\"1971-05-09\",\"gender\":\"female\"}}");
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
        String pseudonym = json(registered).path("identity").path("pseudonym").asText();
        PrivateKey key = PatientKeyFile.decrypt(json(registered).path("keyFile").toString(), PASSPHRASE.toCharArray());

        String patientUrl = "urn:uuid:" + UUID.randomUUID();
        StringBuilder tx = new StringBuilder("{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[");
        tx.append(entry(patientUrl, "Patient", "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"" + NATIONAL_ID
                + "\",\"value\":\"" + nationalId + "\"}],\"name\":[{\"family\":\"Consentova\"}],\"gender\":\"female\",\"birthDate\":\"1971-05-09\"}"));
        for (int day = 1; day <= 7; day++) {
            tx.append(",").append(entry("urn:uuid:" + UUID.randomUUID(), "Observation", observationOf(patientUrl, day)));
        }
        tx.append(",").append(entry("urn:uuid:" + UUID.randomUUID(), "Condition", "{\"resourceType\":\"Condition\",\"subject\":{\"reference\":\"" + patientUrl + "\"},"
                + "\"code\":{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":\"44054006\"}]}}"));
        tx.append("]}");
        HttpResponse<String> written = calls.fhir("POST", "", platform.serviceToken(), tx.toString());
        assertThat(written.statusCode()).as(written.body()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        json(written).path("entry").forEach(e -> ids.add(e.path("response").path("location").asText().split("/")[1]));
        String sub = BrowserLogin.claims(calls.token(login, "1")).path("sub").asText();
        HttpResponse<String> linked = calls.api("PUT", "/identity/patients/" + pseudonym + "/login", admin, "{\"keycloakUserId\":\"" + sub + "\"}");
        assertThat(linked.statusCode()).as(linked.body()).isEqualTo(204);
        ConsentPatient made = new ConsentPatient(login, pseudonym, ids.get(0), key, ids.subList(1, 8), ids.get(8));
        KNOWN.put(pseudonym, made);
        return made;
    }

    private static String entry(String fullUrl, String type, String resource) {
        return "{\"fullUrl\":\"" + fullUrl + "\",\"resource\":" + resource + ",\"request\":{\"method\":\"POST\",\"url\":\"" + type + "\"}}";
    }

    private static String observationOf(String patient, int day) {
        String reference = patient.startsWith("urn:") ? patient : "Patient/" + patient;
        return "{\"resourceType\":\"Observation\",\"status\":\"final\","
                + "\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"2339-0\"}]},"
                + "\"subject\":{\"reference\":\"" + reference + "\"},\"effectiveDateTime\":\"2026-01-0" + day + "T08:00:00Z\","
                + "\"valueQuantity\":{\"value\":" + (90 + day) + ",\"unit\":\"mg/dL\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"mg/dL\"}}";
    }

    private static List<String> reversed(List<String> list) {
        List<String> copy = new ArrayList<>(list);
        java.util.Collections.reverse(copy);
        return copy;
    }

    private static void assertProblem(HttpResponse<String> r, int status, String code) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(json(r).path("detail").asText()).startsWith(code);
    }
}
