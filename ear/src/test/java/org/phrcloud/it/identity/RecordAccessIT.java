package org.phrcloud.it.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import org.junit.jupiter.params.provider.CsvSource;
import org.phrcloud.identity.keys.EcdsaP256;
import org.phrcloud.identity.keys.PatientKeyFile;
import org.phrcloud.identity.keys.Pseudonym;
import org.phrcloud.tools.BrowserLogin;
import org.phrcloud.it.support.Platform;
import org.phrcloud.it.support.PlatformExtension;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The identity issue end to end on the real Payara, Keycloak and database: the master patient index behind FHIR
 * and {@code /api/identity}, and who may read and write which record (role x operation x own or other
 * compartment x level of authentication), each answer with its exact status.
 *
 * <p>Fixture: patient A (home St Mary's, the demo care givers' institution; linked to the {@code demo-patient}
 * login) and patient B (registered at North Clinic), each with an Observation.
 */
@ExtendWith(PlatformExtension.class)
@ExtendWith(ArquillianExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RecordAccessIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NATIONAL_ID = "urn:oid:2.16.840.1.113883.4.1";
    private static final Map<String, Map.Entry<Instant, String>> TOKENS = new HashMap<>();

    private static Platform platform;
    private static String patientA;
    private static String patientB;
    private static String pseudonymA;
    private static String pseudonymB;
    private static String nationalIdA;

    @Deployment(testable = false)
    static EnterpriseArchive ear() {
        return ShrinkWrap.createFromZipFile(EnterpriseArchive.class, new File(System.getProperty("phr.it.ear")));
    }

    @BeforeAll
    static void twoPatientsOfTwoInstitutions() throws Exception {
        platform = PlatformExtension.platform();
        String system = platform.serviceToken();
        String admin = token("demo-admin", "2");

        nationalIdA = "A-" + UUID.randomUUID();
        patientA = created(fhir("POST", "/Patient", system, patient(nationalIdA, "Lindqvist", "Maria")));
        pseudonymA = json(api("GET", "/identity/patients?patientId=" + patientA, system, null)).path("pseudonym").asText();

        String nationalIdB = "B-" + UUID.randomUUID();
        HttpResponse<String> registered = api("POST", "/identity/patients", admin, "{\"homeInstitution\":\"north-clinic\","
                + "\"demographics\":{\"identifiers\":[{\"system\":\"" + NATIONAL_ID + "\",\"value\":\"" + nationalIdB + "\"}],"
                + "\"family\":\"Okafor\",\"given\":[\"Chidi\"],\"birthDate\":\"1979-11-02\",\"gender\":\"male\"}}");
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
        pseudonymB = json(registered).path("identity").path("pseudonym").asText();
        patientB = created(fhir("POST", "/Patient", system, patient(nationalIdB, "Okafor", "Chidi")));

        String demoPatientSub = BrowserLogin.claims(token("demo-patient", "1")).path("sub").asText();
        HttpResponse<String> login = api("PUT", "/identity/patients/" + pseudonymA + "/login", admin,
                "{\"keycloakUserId\":\"" + demoPatientSub + "\"}");
        assertThat(login.statusCode()).as(login.body()).isEqualTo(204);

        created(fhir("POST", "/Observation", system, observation(patientA)));
        created(fhir("POST", "/Observation", system, observation(patientB)));
    }

    @Test
    @Order(1)
    void fhirPatientsAreInTheIndexWithTheirHomeInstitutions() throws Exception {
        JsonNode a = json(api("GET", "/identity/patients/" + pseudonymA, platform.serviceToken(), null));
        assertThat(a.path("homeInstitution").asText()).isEqualTo("st-mary");
        assertThat(a.path("patientIds").get(0).asText()).isEqualTo(patientA);
        JsonNode b = json(api("GET", "/identity/patients?patientId=" + patientB, platform.serviceToken(), null));
        assertThat(b.path("pseudonym").asText()).isEqualTo(pseudonymB);
        assertThat(b.path("homeInstitution").asText()).isEqualTo("north-clinic");
    }

    @Test
    @Order(2)
    void theSameIdentifierThroughFhirTwiceMakesOneIdentity() throws Exception {
        String again = created(fhir("POST", "/Patient", platform.serviceToken(), patient(nationalIdA, "Lindqvist", "Maria")));
        JsonNode identity = json(api("GET", "/identity/patients?identifier=" + NATIONAL_ID + "%7C" + nationalIdA,
                platform.serviceToken(), null));
        assertThat(identity.path("pseudonym").asText()).isEqualTo(pseudonymA);
        assertThat(identity.path("patientIds").toString()).contains(patientA).contains(again);
        HttpResponse<String> unlink = api("DELETE", "/identity/patients/" + pseudonymA + "/patient-links/" + again,
                token("demo-practitioner", "2"), null);
        assertThat(unlink.statusCode()).as(unlink.body()).isEqualTo(204);
        JsonNode history = json(api("GET", "/identity/patients/" + pseudonymA + "/history", token("demo-admin", "2"), null));
        assertThat(history.toString()).contains("UNLINK_PATIENT").contains("Patient/" + again).contains("demo-practitioner");
    }

    @Test
    @Order(2)
    void anEncounterAtTheirInstitutionOpensAnotherInstitutionsPatientToItsCareGivers() throws Exception {
        String admin = token("demo-admin", "2");
        String nationalId = "C-" + UUID.randomUUID();
        HttpResponse<String> registered = api("POST", "/identity/patients", admin, "{\"homeInstitution\":\"north-clinic\","
                + "\"demographics\":{\"identifiers\":[{\"system\":\"" + NATIONAL_ID + "\",\"value\":\"" + nationalId + "\"}]}}");
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
        String patientC = created(fhir("POST", "/Patient", platform.serviceToken(), patient(nationalId, "Visitor", "Vera")));
        String practitioner = token("demo-practitioner", "2");
        assertThat(fhir("GET", "/Patient/" + patientC, practitioner, null).statusCode()).isEqualTo(403);

        created(fhir("POST", "/Encounter", platform.serviceToken(), "{\"resourceType\":\"Encounter\",\"status\":\"finished\","
                + "\"class\":{\"system\":\"http://terminology.hl7.org/CodeSystem/v3-ActCode\",\"code\":\"EMER\"},"
                + "\"subject\":{\"reference\":\"Patient/" + patientC + "\"},"
                + "\"serviceProvider\":{\"identifier\":{\"system\":\"urn:phr:institution\",\"value\":\"st-mary\"}}}"));

        assertThat(fhir("GET", "/Patient/" + patientC, practitioner, null).statusCode()).isEqualTo(200);
        assertThat(fhir("GET", "/Patient/" + patientB, practitioner, null).statusCode()).isEqualTo(403);
    }

    @Test
    @Order(3)
    void matchRanksCandidatesAndRegistrationIsIdempotent() throws Exception {
        String practitioner = token("demo-practitioner", "2");
        String id = "M-" + UUID.randomUUID();
        String person = "{\"identifiers\":[{\"system\":\"" + NATIONAL_ID + "\",\"value\":\"" + id + "\"}],"
                + "\"family\":\"Brännström\",\"given\":[\"Astrid\"],\"birthDate\":\"1950-06-06\",\"gender\":\"female\"}";
        String passphrase = "Astrid's own passphrase";
        HttpResponse<String> firstResponse = api("POST", "/identity/patients", practitioner,
                "{\"demographics\":" + person + ",\"passphrase\":\"" + passphrase + "\"}");
        HttpResponse<String> secondResponse = api("POST", "/identity/patients", practitioner, "{\"demographics\":" + person + "}");
        assertThat(firstResponse.statusCode()).as(firstResponse.body()).isEqualTo(201);
        assertThat(secondResponse.statusCode()).as(secondResponse.body()).isEqualTo(200);
        JsonNode first = json(firstResponse).path("identity");
        assertThat(json(secondResponse).path("identity").path("pseudonym")).isEqualTo(first.path("pseudonym"));
        assertThat(json(secondResponse).has("keyFile")).isFalse();
        assertThat(first.path("homeInstitution").asText()).isEqualTo("st-mary");
        assertThat(first.path("keyHandedOver").asBoolean()).isTrue();
        PrivateKey astrid = PatientKeyFile.decrypt(json(firstResponse).path("keyFile").toString(), passphrase.toCharArray());
        assertThat(astrid.getAlgorithm()).isEqualTo("EC");

        JsonNode candidates = json(api("POST", "/identity/match", practitioner, "{\"demographics\":{\"family\":\"Branstrom\","
                + "\"given\":[\"Astrid\"],\"birthDate\":\"1950-06-06\",\"gender\":\"female\"},\"limit\":5}"));
        assertThat(candidates.get(0).path("pseudonym")).isEqualTo(first.path("pseudonym"));
        assertThat(candidates.get(0).path("grade").asText()).isEqualTo("probable");

        HttpResponse<String> foreign = api("POST", "/identity/patients", practitioner,
                "{\"homeInstitution\":\"north-clinic\",\"demographics\":" + person.replace(id, id + "x") + "}");
        assertThat(foreign.statusCode()).as(foreign.body()).isEqualTo(403);
        assertProblem(foreign, "PHR-API-0422");
        HttpResponse<String> unknownMember = api("POST", "/identity/match", practitioner, "{\"demographic\":{}}");
        assertThat(unknownMember.statusCode()).isEqualTo(400);
        assertProblem(unknownMember, "PHR-API-0400");
    }

    @Test
    @Order(4)
    void thePatientGetsTheirPrivateKeyOnceAndItSignsForTheirPseudonym() throws Exception {
        String passphrase = "a long passphrase of the patient";
        HttpResponse<String> other = api("POST", "/identity/patients/" + pseudonymB + "/key-file", token("demo-patient", "2"),
                "{\"passphrase\":\"" + passphrase + "\"}");
        assertThat(other.statusCode()).as(other.body()).isEqualTo(403);
        HttpResponse<String> lowLevel = api("POST", "/identity/patients/" + pseudonymA + "/key-file", token("demo-patient", "1"),
                "{\"passphrase\":\"" + passphrase + "\"}");
        assertThat(lowLevel.statusCode()).isEqualTo(401);
        assertThat(lowLevel.headers().firstValue("WWW-Authenticate").orElse("")).contains("insufficient_user_authentication");

        HttpResponse<String> file = api("POST", "/identity/patients/" + pseudonymA + "/key-file", token("demo-patient", "2"),
                "{\"passphrase\":\"" + passphrase + "\"}");
        assertThat(file.statusCode()).as(file.body()).isEqualTo(200);
        PrivateKey key = PatientKeyFile.decrypt(file.body(), passphrase.toCharArray());
        JsonNode identity = json(api("GET", "/identity/patients/" + pseudonymA, token("demo-patient", "1"), null));
        byte[] message = "I approve access request 1".getBytes(StandardCharsets.UTF_8);
        var publicKey = EcdsaP256.publicKey(Base64.getDecoder().decode(identity.path("publicKey").asText()));
        assertThat(EcdsaP256.verify(publicKey, message, EcdsaP256.sign(key, message))).isTrue();
        assertThat(Pseudonym.of(publicKey).value()).isEqualTo(pseudonymA);
        assertThat(identity.path("keyHandedOver").asBoolean()).isTrue();

        HttpResponse<String> again = api("POST", "/identity/patients/" + pseudonymA + "/key-file", token("demo-patient", "2"),
                "{\"passphrase\":\"" + passphrase + "\"}");
        assertThat(again.statusCode()).isEqualTo(410);
        assertProblem(again, "PHR-API-0415");
    }

    @Test
    @Order(5)
    void institutionKeysArePublishedAndRotatedByAdminsOnly() throws Exception {
        HttpResponse<String> byPractitioner = api("POST", "/identity/institutions/st-mary/keys", token("demo-practitioner", "2"), "");
        assertThat(byPractitioner.statusCode()).isEqualTo(403);
        HttpResponse<String> first = api("POST", "/identity/institutions/st-mary/keys", token("demo-admin", "2"), "");
        HttpResponse<String> second = api("POST", "/identity/institutions/st-mary/keys", token("demo-admin", "2"), "");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
        HttpResponse<String> jwks = api("GET", "/identity/institutions/keys", null, null);
        assertThat(jwks.statusCode()).isEqualTo(200);
        JsonNode keys = json(jwks).path("keys");
        List<String> kids = new ArrayList<>();
        keys.forEach(k -> kids.add(k.path("kid").asText()));
        assertThat(kids).contains(json(first).path("keyId").asText(), json(second).path("keyId").asText());
        keys.forEach(k -> assertThat(k.has("d")).as("no private part").isFalse());
    }

    @Test
    @Order(5)
    void identityEndpointsRefuseWhoIsNotAdmitted() throws Exception {
        assertThat(api("GET", "/identity/patients/" + pseudonymA, null, null).statusCode()).isEqualTo(401);
        assertThat(api("GET", "/identity/patients/" + pseudonymA, "not-a-token", null).statusCode()).isEqualTo(401);
        HttpResponse<String> researcher = api("GET", "/identity/patients/" + pseudonymA, token("demo-researcher", "2"), null);
        assertThat(researcher.statusCode()).isEqualTo(403);
        assertProblem(researcher, "PHR-API-0403");
        HttpResponse<String> lowLevel = api("POST", "/identity/match", token("demo-practitioner", "1"), "{\"demographics\":{}}");
        assertThat(lowLevel.statusCode()).isEqualTo(401);
        HttpResponse<String> otherPatient = api("GET", "/identity/patients/" + pseudonymB, token("demo-patient", "1"), null);
        assertThat(otherPatient.statusCode()).isEqualTo(403);
        HttpResponse<String> foreignLink = api("PUT", "/identity/patients/" + pseudonymB + "/patient-links/" + patientA,
                token("demo-practitioner", "2"), null);
        assertThat(foreignLink.statusCode()).isEqualTo(403);
        assertProblem(foreignLink, "PHR-API-0423");
    }

    @Test
    @Order(6)
    void adminsCreateInstitutionsAndAccountsThatMustSetUpTotpFirst() throws Exception {
        String admin = token("demo-admin", "2");
        String institution = "east-lab-" + UUID.randomUUID().toString().substring(0, 6);
        HttpResponse<String> created = api("POST", "/identity/admin/institutions", admin,
                "{\"id\":\"" + institution + "\",\"name\":\"East Laboratory\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(json(created).path("keyId").asText()).startsWith(institution + "-");
        HttpResponse<String> again = api("POST", "/identity/admin/institutions", admin,
                "{\"id\":\"" + institution + "\",\"name\":\"East Laboratory\"}");
        assertThat(again.statusCode()).isEqualTo(409);

        String username = "lab-" + UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> account = api("POST", "/identity/admin/users", admin, "{\"username\":\"" + username
                + "\",\"email\":\"" + username + "@east-lab.invalid\",\"firstName\":\"Erin\",\"lastName\":\"Eastwood\","
                + "\"role\":\"lab\",\"institution\":\"" + institution + "\"}");
        assertThat(account.statusCode()).as(account.body()).isEqualTo(201);
        assertThat(json(account).path("requiredActions").toString()).contains("CONFIGURE_TOTP");
        String oneTimePassword = json(account).path("temporaryPassword").asText();
        HttpResponse<String> login = HTTP.send(HttpRequest.newBuilder(URI.create(platform.realm().issuer() + "/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=password&client_id=" + platform.realm().backendClientId()
                        + "&client_secret=" + platform.realm().backendClientSecret() + "&username=" + username
                        + "&password=" + oneTimePassword)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(login.statusCode()).isEqualTo(400);
        assertThat(login.body()).contains("Account is not fully set up");

        // both are listed, for admins only
        JsonNode institutions = json(api("GET", "/identity/admin/institutions", admin, null));
        JsonNode east = null;
        for (JsonNode i : institutions) {
            east = i.path("id").asText().equals(institution) ? i : east;
        }
        assertThat(east).as(institutions.toString()).isNotNull();
        assertThat(east.toString()).isEqualTo("{\"id\":\"" + institution + "\",\"name\":\"East Laboratory\",\"members\":[\"" + username + "\"]}");
        // the names, without members, for every signed-in party (a patient at acr 1 too); nobody without a token
        HttpResponse<String> names = api("GET", "/identity/institutions", token("demo-patient", "1"), null);
        assertThat(names.statusCode()).as(names.body()).isEqualTo(200);
        assertThat(names.body()).contains("{\"id\":\"" + institution + "\",\"name\":\"East Laboratory\"}")
                .contains("{\"id\":\"st-mary\",\"name\":\"St Mary's Hospital\"}").doesNotContain(username);
        assertThat(api("GET", "/identity/institutions", null, null).statusCode()).isEqualTo(401);
        JsonNode accounts = json(api("GET", "/identity/admin/users", admin, null));
        JsonNode listed = null;
        for (JsonNode a : accounts) {
            listed = a.path("username").asText().equals(username) ? a : listed;
        }
        assertThat(listed).as(accounts.toString()).isNotNull();
        assertThat(listed.path("firstName").asText()).isEqualTo("Erin");
        assertThat(listed.path("lastName").asText()).isEqualTo("Eastwood");
        assertThat(listed.path("email").asText()).isEqualTo(username + "@east-lab.invalid");
        assertThat(listed.path("role").asText()).isEqualTo("lab");
        assertThat(listed.path("institutions").toString()).isEqualTo("[\"" + institution + "\"]");
        assertThat(listed.path("requiredActions").toString()).contains("CONFIGURE_TOTP").contains("UPDATE_PASSWORD");
        assertThat(accounts.toString()).contains("\"username\":\"demo-admin\"").doesNotContain("\"username\":\"demo-patient\"");
        assertThat(api("GET", "/identity/admin/users", token("demo-practitioner", "2"), null).statusCode()).isEqualTo(403);
        assertThat(api("GET", "/identity/admin/institutions", token("demo-admin", "1"), null).statusCode()).isEqualTo(401);
        // each listing is an AuditEvent of the admin's, found by the request's X-Request-ID
        String requestId = "admin-list-" + UUID.randomUUID();
        assertThat(new org.phrcloud.it.support.Calls(platform).api("GET", "/identity/admin/users", admin, null, requestId).statusCode())
                .isEqualTo(200);
        JsonNode events = json(api("GET", "/audit/events?requestId=" + requestId, admin, null));
        assertThat(events).as("one AuditEvent of the listing").hasSize(1);
        assertThat(events.get(0).path("subtype").path(0).path("display").asText()).isEqualTo("search");
        assertThat(events.get(0).path("outcome").asText()).isEqualTo("0");

        HttpResponse<String> noInstitution = api("POST", "/identity/admin/users", admin,
                "{\"username\":\"dr-" + username + "\",\"role\":\"practitioner\"}");
        assertThat(noInstitution.statusCode()).isEqualTo(400);
        assertProblem(noInstitution, "PHR-IDENTITY-0505");
        HttpResponse<String> patientRole = api("POST", "/identity/admin/users", admin,
                "{\"username\":\"p-" + username + "\",\"role\":\"admin\"}");
        assertThat(patientRole.statusCode()).isEqualTo(400);
        assertThat(api("POST", "/identity/admin/users", token("demo-practitioner", "2"), "{}").statusCode()).isEqualTo(403);
        HttpResponse<String> lowLevel = api("POST", "/identity/admin/institutions", token("demo-admin", "1"), "{}");
        assertThat(lowLevel.statusCode()).isEqualTo(401);
        assertThat(lowLevel.headers().firstValue("WWW-Authenticate").orElse("")).contains("acr_values=\"2\"");
    }

    @Test
    @Order(7)
    void theApiIsDescribedByOpenApi() throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(platform.apiBase().replace("/api", "/openapi")))
                .header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("/identity/patients/{pseudonym}").contains("/identity/match");
    }

    @Test
    @Order(7)
    void everyWriteIsChainedAndTheChainVerifiesForWhoMayReadTheRecord() throws Exception {
        HttpResponse<String> blocks = api("GET", "/ledger/patients/" + pseudonymA + "/blocks?limit=200", token("demo-patient", "1"), null);
        assertThat(blocks.statusCode()).as(blocks.body()).isEqualTo(200);
        JsonNode chain = json(blocks);
        assertThat(chain.size()).isGreaterThanOrEqualTo(2);
        assertThat(chain.get(0).path("height").asLong()).isZero();
        assertThat(chain.get(0).path("entries").get(0).path("resourceType").asText()).isEqualTo("Patient");
        assertThat(chain.get(0).path("authorKeyId").asText()).startsWith("st-mary-");
        assertThat(chain.get(1).path("previousHash")).isEqualTo(chain.get(0).path("hash"));
        assertThat(chain.toString()).contains("\"Observation\"");

        JsonNode report = json(api("GET", "/ledger/patients/" + pseudonymA + "/verify", token("demo-practitioner", "2"), null));
        assertThat(report.path("valid").asBoolean()).as(report.toString()).isTrue();
        assertThat(report.path("resources").asInt()).isGreaterThanOrEqualTo(2);

        assertThat(api("GET", "/ledger/patients/" + pseudonymB + "/verify", token("demo-practitioner", "2"), null).statusCode()).isEqualTo(403);
        assertThat(api("GET", "/ledger/patients/" + pseudonymB + "/blocks", token("demo-patient", "1"), null).statusCode()).isEqualTo(403);
        assertThat(api("GET", "/ledger/patients/" + pseudonymB + "/blocks", token("demo-researcher", "2"), null).statusCode()).isEqualTo(403);
        assertThat(api("GET", "/ledger/patients/" + pseudonymB + "/blocks", null, null).statusCode()).isEqualTo(401);
        assertThat(json(api("GET", "/ledger/patients/" + pseudonymB + "/verify", platform.serviceToken(), null)).path("valid").asBoolean()).isTrue();
    }

    @Test
    @Order(2)
    void adminsSeeSealedRecordsPerMasterKeyAndRotationHasNothingLeftToDo() throws Exception {
        HttpResponse<String> keys = api("GET", "/identity/admin/master-keys", token("demo-admin", "2"), null);
        assertThat(keys.statusCode()).as(keys.body()).isEqualTo(200);
        assertThat(json(keys).path("current").asText()).isEqualTo("k1");
        assertThat(json(keys).path("recordsByKeyId").path("k1").asLong()).isPositive();
        assertThat(json(keys).path("recordsByKeyId").size()).isEqualTo(1);

        HttpResponse<String> rotation = api("POST", "/identity/admin/master-keys/rotation", token("demo-admin", "2"), "{}");
        assertThat(rotation.statusCode()).as(rotation.body()).isEqualTo(200);
        assertThat(json(rotation).path("rewrapped").asInt()).isZero(); // everything is under the one key already
        assertThat(json(rotation).path("remaining").asLong()).isZero();

        assertThat(api("GET", "/identity/admin/master-keys", token("demo-practitioner", "2"), null).statusCode()).isEqualTo(403);
        assertThat(api("POST", "/identity/admin/master-keys/rotation", token("demo-patient", "1"), "{}").statusCode()).isEqualTo(403);
        assertThat(api("GET", "/identity/admin/master-keys", token("demo-admin", "1"), null).statusCode()).isEqualTo(401);
    }

    @Test
    @Order(7)
    void theChainHeadsAreAnchoredOnTheEthereumNodeWithinSeconds() throws Exception {
        String system = platform.serviceToken();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            JsonNode status = json(api("GET", "/ledger/anchoring", system, null));
            return status.path("pendingBlocks").asLong() == 0 && status.path("lastAnchor").isObject();
        });
        JsonNode status = json(api("GET", "/ledger/anchoring", token("demo-admin", "2"), null));
        assertThat(status.path("enabled").asBoolean()).isTrue();
        String txHash = status.path("lastAnchor").path("txHash").asText();
        JsonNode receipt = platform.rpc("eth_getTransactionReceipt", "[\"" + txHash + "\"]");
        assertThat(receipt.path("status").asText()).isEqualTo("0x1");
        assertThat(receipt.path("to").asText()).isEqualToIgnoringCase(System.getProperty("phr.it.anchor.contract"));
        assertThat(api("GET", "/ledger/anchoring", token("demo-practitioner", "2"), null).statusCode()).isEqualTo(403);

        // the same transaction registered the patient's latest head, with this deployment as home, in the PatientRegistry
        JsonNode chain = json(api("GET", "/ledger/patients/" + pseudonymA + "/blocks?limit=200", token("demo-patient", "1"), null));
        JsonNode head = chain.get(chain.size() - 1);
        org.web3j.protocol.Web3j web3j = org.web3j.protocol.Web3j.build(new org.web3j.protocol.http.HttpService(platform.anvilUrl()));
        try {
            var home = org.phrcloud.ledger.anchor.contracts.PatientRegistry.load(platform.patientRegistry(), web3j,
                    new org.web3j.tx.ReadonlyTransactionManager(web3j, null), new org.web3j.tx.gas.DefaultGasProvider())
                    .lookup(HexFormat.of().parseHex(pseudonymA)).send();
            assertThat(home.component1()).isEqualTo(platform.baseUrl());
            assertThat(home.component3().longValueExact()).isEqualTo(head.path("height").asLong());
            assertThat(HexFormat.of().formatHex(home.component2())).isEqualTo(head.path("hash").asText());
        } finally {
            web3j.shutdown();
        }

        // the standalone verifier checks the exported chain with the published keys and the node alone
        HttpResponse<String> export = api("GET", "/ledger/patients/" + pseudonymA + "/export", token("demo-patient", "1"), null);
        assertThat(export.statusCode()).as(export.body()).isEqualTo(200);
        java.nio.file.Path exportFile = java.nio.file.Files.createTempFile("chain", ".json");
        java.nio.file.Path keysFile = java.nio.file.Files.createTempFile("keys", ".json");
        java.nio.file.Files.writeString(exportFile, export.body());
        java.nio.file.Files.writeString(keysFile, api("GET", "/identity/institutions/keys", null, null).body());
        java.io.ByteArrayOutputStream report = new java.io.ByteArrayOutputStream();
        int verified = org.phrcloud.tools.VerifyCommand.run(new String[]{"--export", exportFile.toString(), "--keys",
                keysFile.toString(), "--rpc", platform.anvilUrl()}, new java.io.PrintStream(report, true), System.err);
        assertThat(verified).as(report.toString()).isZero();
        assertThat(JSON.readTree(report.toString()).path("anchoredHeight").asLong()).isEqualTo(head.path("height").asLong());
        // the patient's own download: $everything as a Bundle, checked against the chain offline
        HttpResponse<String> everything = fhir("GET", "/Patient/" + patientA + "/$everything?_count=500", token("demo-patient", "1"), null);
        assertThat(everything.statusCode()).as(everything.body()).isEqualTo(200);
        java.nio.file.Path bundleFile = java.nio.file.Files.createTempFile("record", ".json");
        java.nio.file.Files.writeString(bundleFile, everything.body());
        java.io.ByteArrayOutputStream withBundle = new java.io.ByteArrayOutputStream();
        int recordVerified = org.phrcloud.tools.VerifyCommand.run(new String[]{"--export", exportFile.toString(), "--keys",
                keysFile.toString(), "--rpc", platform.anvilUrl(), "--bundle", bundleFile.toString()},
                new java.io.PrintStream(withBundle, true), System.err);
        assertThat(recordVerified).as(withBundle.toString()).isZero();
        assertThat(JSON.readTree(withBundle.toString()).path("resourcesChecked").asInt()).isGreaterThanOrEqualTo(2);
        assertThat(api("GET", "/ledger/patients/" + pseudonymB + "/export", token("demo-patient", "1"), null).statusCode()).isEqualTo(403);

        HttpResponse<String> proofResponse = api("GET", "/ledger/resources/Patient/" + patientA + "/proof", token("demo-patient", "1"), null);
        assertThat(proofResponse.statusCode()).as(proofResponse.body()).isEqualTo(200);
        JsonNode proof = json(proofResponse);
        List<org.phrcloud.ledger.chain.Block> blocks = new ArrayList<>();
        for (int i = 0; i < proof.path("blockEncodings").size(); i++) {
            blocks.add(org.phrcloud.ledger.chain.Block.decode(HexFormat.of().parseHex(proof.path("blockEncodings").get(i).asText()),
                    Base64.getDecoder().decode(proof.path("blockSignatures").get(i).asText())));
        }
        org.phrcloud.ledger.chain.Entry entry = blocks.get(0).entries().stream()
                .filter(e -> e.resourceType().equals("Patient") && e.id().equals(patientA)).findFirst().orElseThrow();
        JsonNode anchor = proof.path("anchor");
        var rebuilt = new org.phrcloud.ledger.anchor.ResourceProof(entry, inclusion(proof.path("entryProof")), blocks,
                new org.phrcloud.ledger.anchor.ResourceProof.Anchor(anchor.path("id").asLong(), HexFormat.of().parseHex(anchor.path("root").asText()),
                        anchor.path("treeSize").asInt(), anchor.path("chainId").asLong(), anchor.path("contract").asText(),
                        anchor.path("txHash").asText(), anchor.path("blockNumber").asLong()), inclusion(proof.path("leafProof")));
        assertThat(rebuilt.verifyOffline()).isTrue();
        JsonNode anchorReceipt = platform.rpc("eth_getTransactionReceipt", "[\"" + anchor.path("txHash").asText() + "\"]");
        assertThat(anchorReceipt.path("status").asText()).isEqualTo("0x1");
        assertThat(anchorReceipt.path("logs").toString()).contains(anchor.path("root").asText());
        System.out.println("inclusion proof of Patient/" + patientA + ": " + proof.path("sizeBytes").asInt() + " bytes, "
                + blocks.size() + " block(s), anchor tree of " + anchor.path("treeSize").asInt());
        assertThat(api("GET", "/ledger/resources/Patient/" + patientB + "/proof", token("demo-patient", "1"), null).statusCode()).isEqualTo(403);
    }

    private static org.phrcloud.ledger.merkle.InclusionProof inclusion(JsonNode p) {
        List<byte[]> path = new ArrayList<>();
        p.path("path").forEach(h -> path.add(HexFormat.of().parseHex(h.asText())));
        return new org.phrcloud.ledger.merkle.InclusionProof(p.path("leafIndex").asInt(), p.path("treeSize").asInt(), path);
    }

    /** Role x operation x own/other compartment x level of authentication: the exact answer of each (issue "Done when"). */
    @ParameterizedTest(name = "{0} at acr {1}, {2} record: {3} -> {4} {5}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            # user             |acr| record| operation | status | code
            demo-patient       | 1 | own   | read   | 200 | -
            demo-patient       | 1 | own   | search | 200 | -
            demo-patient       | 1 | own   | create | 201 | -
            demo-patient       | 1 | own   | update | 403 | PHR-AUTHZ-0010
            demo-patient       | 1 | other | read   | 403 | PHR-AUTHZ-0010
            demo-patient       | 1 | other | search | 403 | PHR-AUTHZ-0011
            demo-patient       | 1 | other | create | 403 | PHR-AUTHZ-0010
            demo-patient       | 1 | other | update | 403 | PHR-AUTHZ-0010
            demo-patient       | 2 | own   | read   | 200 | -
            demo-patient       | 2 | own   | search | 200 | -
            demo-patient       | 2 | own   | create | 201 | -
            demo-patient       | 2 | own   | update | 403 | PHR-AUTHZ-0010
            demo-patient       | 2 | other | read   | 403 | PHR-AUTHZ-0010
            demo-patient       | 2 | other | search | 403 | PHR-AUTHZ-0011
            demo-patient       | 2 | other | create | 403 | PHR-AUTHZ-0010
            demo-patient       | 2 | other | update | 403 | PHR-AUTHZ-0010
            demo-practitioner  | 1 | own   | read   | 401 | PHR-AUTHZ-0002
            demo-practitioner  | 1 | own   | search | 401 | PHR-AUTHZ-0002
            demo-practitioner  | 1 | own   | create | 401 | PHR-AUTHZ-0002
            demo-practitioner  | 1 | own   | update | 401 | PHR-AUTHZ-0002
            demo-practitioner  | 1 | other | read   | 401 | PHR-AUTHZ-0002
            demo-practitioner  | 1 | other | search | 401 | PHR-AUTHZ-0002
            demo-practitioner  | 1 | other | create | 401 | PHR-AUTHZ-0002
            demo-practitioner  | 1 | other | update | 401 | PHR-AUTHZ-0002
            demo-practitioner  | 2 | own   | read   | 200 | -
            demo-practitioner  | 2 | own   | search | 200 | -
            demo-practitioner  | 2 | own   | create | 201 | -
            demo-practitioner  | 2 | own   | update | 200 | -
            demo-practitioner  | 2 | other | read   | 403 | PHR-AUTHZ-0010
            demo-practitioner  | 2 | other | search | 403 | PHR-AUTHZ-0011
            demo-practitioner  | 2 | other | create | 403 | PHR-AUTHZ-0010
            demo-practitioner  | 2 | other | update | 403 | PHR-AUTHZ-0010
            demo-family-doctor | 1 | own   | read   | 401 | PHR-AUTHZ-0002
            demo-family-doctor | 1 | own   | search | 401 | PHR-AUTHZ-0002
            demo-family-doctor | 1 | own   | create | 401 | PHR-AUTHZ-0002
            demo-family-doctor | 1 | own   | update | 401 | PHR-AUTHZ-0002
            demo-family-doctor | 1 | other | read   | 401 | PHR-AUTHZ-0002
            demo-family-doctor | 1 | other | search | 401 | PHR-AUTHZ-0002
            demo-family-doctor | 1 | other | create | 401 | PHR-AUTHZ-0002
            demo-family-doctor | 1 | other | update | 401 | PHR-AUTHZ-0002
            demo-family-doctor | 2 | own   | read   | 200 | -
            demo-family-doctor | 2 | own   | search | 200 | -
            demo-family-doctor | 2 | own   | create | 201 | -
            demo-family-doctor | 2 | own   | update | 200 | -
            demo-family-doctor | 2 | other | read   | 403 | PHR-AUTHZ-0010
            demo-family-doctor | 2 | other | search | 403 | PHR-AUTHZ-0011
            demo-family-doctor | 2 | other | create | 403 | PHR-AUTHZ-0010
            demo-family-doctor | 2 | other | update | 403 | PHR-AUTHZ-0010
            demo-pharmacist    | 1 | own   | read   | 401 | PHR-AUTHZ-0002
            demo-pharmacist    | 1 | own   | search | 401 | PHR-AUTHZ-0002
            demo-pharmacist    | 1 | own   | create | 401 | PHR-AUTHZ-0002
            demo-pharmacist    | 1 | own   | update | 401 | PHR-AUTHZ-0002
            demo-pharmacist    | 1 | other | read   | 401 | PHR-AUTHZ-0002
            demo-pharmacist    | 1 | other | search | 401 | PHR-AUTHZ-0002
            demo-pharmacist    | 1 | other | create | 401 | PHR-AUTHZ-0002
            demo-pharmacist    | 1 | other | update | 401 | PHR-AUTHZ-0002
            demo-pharmacist    | 2 | own   | read   | 200 | -
            demo-pharmacist    | 2 | own   | search | 200 | -
            demo-pharmacist    | 2 | own   | create | 201 | -
            demo-pharmacist    | 2 | own   | update | 200 | -
            demo-pharmacist    | 2 | other | read   | 403 | PHR-AUTHZ-0010
            demo-pharmacist    | 2 | other | search | 403 | PHR-AUTHZ-0011
            demo-pharmacist    | 2 | other | create | 403 | PHR-AUTHZ-0010
            demo-pharmacist    | 2 | other | update | 403 | PHR-AUTHZ-0010
            demo-lab           | 1 | own   | read   | 401 | PHR-AUTHZ-0002
            demo-lab           | 1 | own   | search | 401 | PHR-AUTHZ-0002
            demo-lab           | 1 | own   | create | 401 | PHR-AUTHZ-0002
            demo-lab           | 1 | own   | update | 401 | PHR-AUTHZ-0002
            demo-lab           | 1 | other | read   | 401 | PHR-AUTHZ-0002
            demo-lab           | 1 | other | search | 401 | PHR-AUTHZ-0002
            demo-lab           | 1 | other | create | 401 | PHR-AUTHZ-0002
            demo-lab           | 1 | other | update | 401 | PHR-AUTHZ-0002
            demo-lab           | 2 | own   | read   | 200 | -
            demo-lab           | 2 | own   | search | 200 | -
            demo-lab           | 2 | own   | create | 201 | -
            demo-lab           | 2 | own   | update | 200 | -
            demo-lab           | 2 | other | read   | 403 | PHR-AUTHZ-0010
            demo-lab           | 2 | other | search | 403 | PHR-AUTHZ-0011
            demo-lab           | 2 | other | create | 403 | PHR-AUTHZ-0010
            demo-lab           | 2 | other | update | 403 | PHR-AUTHZ-0010
            demo-researcher    | 1 | own   | read   | 403 | PHR-AUTHZ-0001
            demo-researcher    | 1 | own   | search | 403 | PHR-AUTHZ-0001
            demo-researcher    | 1 | own   | create | 403 | PHR-AUTHZ-0001
            demo-researcher    | 1 | own   | update | 403 | PHR-AUTHZ-0001
            demo-researcher    | 1 | other | read   | 403 | PHR-AUTHZ-0001
            demo-researcher    | 1 | other | search | 403 | PHR-AUTHZ-0001
            demo-researcher    | 1 | other | create | 403 | PHR-AUTHZ-0001
            demo-researcher    | 1 | other | update | 403 | PHR-AUTHZ-0001
            demo-researcher    | 2 | own   | read   | 403 | PHR-AUTHZ-0001
            demo-researcher    | 2 | own   | search | 403 | PHR-AUTHZ-0001
            demo-researcher    | 2 | own   | create | 403 | PHR-AUTHZ-0001
            demo-researcher    | 2 | own   | update | 403 | PHR-AUTHZ-0001
            demo-researcher    | 2 | other | read   | 403 | PHR-AUTHZ-0001
            demo-researcher    | 2 | other | search | 403 | PHR-AUTHZ-0001
            demo-researcher    | 2 | other | create | 403 | PHR-AUTHZ-0001
            demo-researcher    | 2 | other | update | 403 | PHR-AUTHZ-0001
            demo-admin         | 1 | own   | read   | 403 | PHR-AUTHZ-0004
            demo-admin         | 1 | own   | search | 403 | PHR-AUTHZ-0004
            demo-admin         | 1 | own   | create | 403 | PHR-AUTHZ-0004
            demo-admin         | 1 | own   | update | 403 | PHR-AUTHZ-0004
            demo-admin         | 1 | other | read   | 403 | PHR-AUTHZ-0004
            demo-admin         | 1 | other | search | 403 | PHR-AUTHZ-0004
            demo-admin         | 1 | other | create | 403 | PHR-AUTHZ-0004
            demo-admin         | 1 | other | update | 403 | PHR-AUTHZ-0004
            demo-admin         | 2 | own   | read   | 403 | PHR-AUTHZ-0004
            demo-admin         | 2 | own   | search | 403 | PHR-AUTHZ-0004
            demo-admin         | 2 | own   | create | 403 | PHR-AUTHZ-0004
            demo-admin         | 2 | own   | update | 403 | PHR-AUTHZ-0004
            demo-admin         | 2 | other | read   | 403 | PHR-AUTHZ-0004
            demo-admin         | 2 | other | search | 403 | PHR-AUTHZ-0004
            demo-admin         | 2 | other | create | 403 | PHR-AUTHZ-0004
            demo-admin         | 2 | other | update | 403 | PHR-AUTHZ-0004
            service-account    | - | own   | read   | 200 | -
            service-account    | - | own   | search | 200 | -
            service-account    | - | own   | create | 201 | -
            service-account    | - | own   | update | 200 | -
            service-account    | - | other | read   | 200 | -
            service-account    | - | other | search | 200 | -
            service-account    | - | other | create | 201 | -
            service-account    | - | other | update | 200 | -
            """)
    @Order(8)
    void accessMatrix(String user, String acr, String compartment, String operation, int status, String code) throws Exception {
        String token = user.equals("service-account") ? platform.serviceToken() : token(user, acr);
        String patient = compartment.equals("own") ? patientA : patientB;
        HttpResponse<String> r = switch (operation) {
            case "read" -> fhir("GET", "/Patient/" + patient, token, null);
            case "search" -> fhir("GET", "/Observation?subject=Patient/" + patient, token, null);
            case "create" -> fhir("POST", "/Observation", token, observation(patient));
            default -> fhir("PUT", "/Patient/" + patient, token,
                    fhir("GET", "/Patient/" + patient, platform.serviceToken(), null).body());
        };
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        if (status == 200 && operation.equals("search")) {
            JsonNode bundle = json(r);
            assertThat(bundle.path("entry").size()).isPositive();
            bundle.path("entry").forEach(e -> assertThat(e.path("resource").path("subject").path("reference").asText())
                    .endsWith("Patient/" + patient));
        }
        if (status == 401 || status == 403) {
            JsonNode outcome = json(r);
            assertThat(outcome.path("resourceType").asText()).isEqualTo("OperationOutcome");
            assertThat(outcome.path("issue").get(0).path("diagnostics").asText()).as(r.body()).startsWith(code + ":");
        }
        if (status == 401) {
            assertThat(r.headers().firstValue("WWW-Authenticate").orElse(""))
                    .contains("error=\"insufficient_user_authentication\"").contains("acr_values=\"2\"");
        }
    }

    private static String token(String user, String acr) throws Exception {
        String key = user + "@" + acr;
        Map.Entry<Instant, String> cached = TOKENS.get(key);
        if (cached == null || cached.getKey().isBefore(Instant.now().minusSeconds(200))) {
            String token = acr.equals("2") ? platform.stepUpToken(user) : platform.userToken(user);
            cached = Map.entry(Instant.now(), token);
            TOKENS.put(key, cached);
        }
        return cached.getValue();
    }

    private static String patient(String nationalId, String family, String given) {
        return "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"" + NATIONAL_ID + "\",\"value\":\"" + nationalId + "\"}],"
                + "\"name\":[{\"use\":\"official\",\"family\":\"" + family + "\",\"given\":[\"" + given + "\"]}],"
                + "\"gender\":\"female\",\"birthDate\":\"1984-03-17\"}";
    }

    private static String observation(String patientId) {
        return "{\"resourceType\":\"Observation\",\"status\":\"final\","
                + "\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"8310-5\"}]},"
                + "\"subject\":{\"reference\":\"Patient/" + patientId + "\"},"
                + "\"valueQuantity\":{\"value\":36.8,\"unit\":\"Cel\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"Cel\"}}";
    }

    private static String created(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return json(r).path("id").asText();
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    private static void assertProblem(HttpResponse<String> r, String code) throws Exception {
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        JsonNode problem = json(r);
        assertThat(problem.path("status").asInt()).isEqualTo(r.statusCode());
        assertThat(problem.path("detail").asText()).startsWith(code);
    }

    private static HttpResponse<String> fhir(String method, String path, String token, String body) throws Exception {
        return send(platform.fhirBase() + path, "application/fhir+json", method, token, body);
    }

    private static HttpResponse<String> api(String method, String path, String token, String body) throws Exception {
        return send(platform.apiBase() + path, "application/json", method, token, body);
    }

    private static HttpResponse<String> send(String url, String type, String method, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(2)).header("Accept", type)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", type);
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
