package org.phrcloud.it.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.keycloak.admin.client.Keycloak;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.phrcloud.connector.ActingParty;
import org.phrcloud.connector.ClientAssertion;
import org.phrcloud.connector.FederationClient;
import org.phrcloud.connector.NetworkRegistry;
import org.phrcloud.identity.keycloak.DemoUser;
import org.phrcloud.identity.keycloak.ProvisionedRealm;
import org.phrcloud.identity.keycloak.RealmProvisioner;
import org.phrcloud.identity.keys.EcdsaP256;
import org.phrcloud.identity.keys.PatientKeyFile;
import org.phrcloud.it.support.Browser;
import org.phrcloud.it.support.Calls;
import org.phrcloud.it.support.Platform;
import org.phrcloud.it.support.PlatformExtension;
import org.phrcloud.it.support.ReplicaServers;
import org.phrcloud.ledger.anchor.DevChain;
import org.phrcloud.ledger.anchor.contracts.AnchorRegistry;
import org.phrcloud.ledger.chain.Block;
import org.phrcloud.ledger.chain.ContentHash;
import org.phrcloud.ledger.chain.Entry;
import org.phrcloud.ledger.chain.Operation;
import org.phrcloud.tools.BrowserLogin;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.RawTransactionManager;
import org.web3j.tx.gas.DefaultGasProvider;
import org.web3j.tx.response.PollingTransactionReceiptProcessor;

import java.io.File;
import java.net.http.HttpResponse;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Federation, issue 22's scenario on the real stack: deployment A (St Mary's Hospital, the
 * platform's server, realm {@code phr}) and deployment B (North Clinic: its own Payara Server domain, its own
 * PostgreSQL, its own realm {@code phr-north} on the same Keycloak), one anvil chain whose AnchorRegistry admits both
 * with their endpoints and holds the JWK Set each published. Paula is registered at A; her chain's home is in the
 * PatientRegistry. B's practitioner, who cannot call A with B's login, locates her through B's server ({@code
 * Patient/$match} at A with B's RFC 7523 client assertion; her pseudonym only comes back), is refused her record, asks
 * for access (the request reaches Paula at A, who approves it with her signature), reads what the consent allows and
 * not more, is refused again after Paula revokes it (and may then not add to her chain), then declares an emergency
 * access: A notifies Paula and the read is audited with ETREAT at A and at B. B records a glucose Observation: it is
 * kept at B and Paula's chain at A gets B's signed block naming it, which A verifies with B's published key. A third
 * institution's blocks, sent with the Connector, are refused when forged, posing as B, for another person or record,
 * without consent, or sent again. Paula then moves her home to B: she signs the request at A, A hands her chain over,
 * B verifies and keeps it and, by its next anchor, is her home in the PatientRegistry; A keeps her records (B fetches
 * them, and they match her chain) and refuses to add to them; her chain verifies at B and with the standalone verifier
 * across both institutions' blocks. Then A's refusals of assertions: not admitted, signed by an unpublished key,
 * for another audience, expired, replayed, for a write, for a person who is not a care giver.
 */
@ExtendWith(PlatformExtension.class)
@ExtendWith(ArquillianExtension.class)
class FederationIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NATIONAL_ID = "urn:oid:2.16.840.1.113883.4.1";
    private static final String TEST_INSTITUTION_ENDPOINT = "https://test-institution.example/";
    private static final String PASSPHRASE = "paula travels light";
    private static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newHttpClient();
    /** The third institution's key, one for both tests (A caches a published JWK Set for 30 s). */
    private static final ECKey TEST_KEY = testKey();

    private static Platform platform;
    private static ProvisionedRealm northRealm;
    private static ReplicaServers north;
    private static Web3j web3j;
    private static NetworkRegistry registry;
    private static String stMary;
    private static String northClinic;

    @Deployment(testable = false)
    static EnterpriseArchive ear() {
        return ShrinkWrap.createFromZipFile(EnterpriseArchive.class, new File(System.getProperty("phr.it.ear")));
    }

    @BeforeAll
    static void twoDeployments() throws Exception {
        platform = PlatformExtension.platform();
        try (Keycloak admin = platform.keycloakAdmin()) {
            northRealm = new RealmProvisioner(admin, platform.keycloakUrl(), "phr-north", "north-clinic")
                    .provision(platform.portalUrl(), true, platform.realm());
        }
        north = ReplicaServers.start(platform, "federation", "north-clinic", northRealm.issuer(), null, true,
                Integer.getInteger("phr.it.federation.portbase", 31000));
        web3j = Web3j.build(new HttpService(platform.anvilUrl()));
        registry = new NetworkRegistry(web3j, DevChain.CHAIN_ID, System.getProperty("phr.it.anchor.contract"), Clock.systemUTC());
        stMary = ClientAssertion.accountId(DevChain.CHAIN_ID, DevChain.address(DevChain.INSTITUTION_KEY));
        northClinic = ClientAssertion.accountId(DevChain.CHAIN_ID, DevChain.address(DevChain.OTHER_INSTITUTION_KEY));
        // A publishes its keys in an anchoring round of its own server
        await("St Mary's keys on chain").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
                .until(() -> registry.keys(stMary).isPresent());
    }

    @AfterAll
    static void stop() {
        if (north != null) {
            north.close();
        }
        if (web3j != null) {
            web3j.shutdown();
        }
    }

    @Test
    void aPractitionerOfAnotherDeploymentLocatesThePatientAsksForAccessReadsUnderHerConsentAndInAnEmergency() throws Exception {
        Calls calls = new Calls(platform);
        // Paula, registered at A (home St Mary's) with her key file, her login linked, two Observations and a Condition
        String paulaId = "FED-" + UUID.randomUUID();
        String admin = calls.token("demo-admin", "2");
        HttpResponse<String> registered = calls.api("POST", "/identity/patients", admin, "{\"homeInstitution\":\"st-mary\",\"passphrase\":\""
                + PASSPHRASE + "\",\"demographics\":{\"identifiers\":[{\"system\":\"" + NATIONAL_ID + "\",\"value\":\"" + paulaId + "\"}],"
                + "\"family\":\"Wanderwell\",\"given\":[\"Paula\"],\"birthDate\":\"1984-03-15\",\"gender\":\"female\"}}");
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
        String pseudonym = Calls.json(registered).path("identity").path("pseudonym").asText();
        PrivateKey paulaKey = PatientKeyFile.decrypt(Calls.json(registered).path("keyFile").toString(), PASSPHRASE.toCharArray());
        String paulaUrl = "urn:uuid:" + UUID.randomUUID();
        HttpResponse<String> written = calls.fhir("POST", "", platform.serviceToken(), "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":["
                + entry(paulaUrl, "Patient", "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"" + NATIONAL_ID
                        + "\",\"value\":\"" + paulaId + "\"}],\"name\":[{\"family\":\"Wanderwell\",\"given\":[\"Paula\"]}],\"gender\":\"female\","
                        + "\"birthDate\":\"1984-03-15\",\"address\":[{\"city\":\"Lisbon\"}]}") + ","
                + entry("urn:uuid:" + UUID.randomUUID(), "Observation", glucose(paulaUrl, 5.4, "2026-11-01")) + ","
                + entry("urn:uuid:" + UUID.randomUUID(), "Observation", glucose(paulaUrl, 6.1, "2026-11-20")) + ","
                + entry("urn:uuid:" + UUID.randomUUID(), "Condition", "{\"resourceType\":\"Condition\",\"subject\":{\"reference\":\"" + paulaUrl + "\"},"
                        + "\"code\":{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":\"44054006\"}]}}") + "]}");
        assertThat(written.statusCode()).as(written.body()).isEqualTo(200);
        String patientId = Calls.json(written).path("entry").get(0).path("response").path("location").asText().split("/")[1];
        String paula = Platform.extraPatient(24);
        String sub = BrowserLogin.claims(calls.token(paula, "1")).path("sub").asText();
        assertThat(calls.api("PUT", "/identity/patients/" + pseudonym + "/login", admin, "{\"keycloakUserId\":\"" + sub + "\"}").statusCode())
                .isEqualTo(204);

        // 1. her chain's home is A, in the PatientRegistry (A anchors it)
        String stMaryEndpoint = registry.institution(stMary, true).orElseThrow().endpoint();
        NetworkRegistry.Home home = await("Paula's chain registered").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
                .until(() -> registry.home(pseudonym), Optional::isPresent).orElseThrow();
        assertThat(home.institution().accountId()).isEqualTo(stMary);
        assertThat(home.institution().endpoint()).isEqualTo(stMaryEndpoint);

        // B's login is B's: A does not take it
        DemoUser doctor = northRealm.user("demo-practitioner");
        String northToken = new BrowserLogin(northRealm.issuer(), northRealm.portalClientId(), platform.portalUrl() + "/callback")
                .login("2", doctor.username(), doctor.password(), doctor.totpSecret());
        assertThat(BrowserLogin.claims(northToken).path("institutions").toString()).contains("/institutions/north-clinic");
        assertThat(ReplicaServers.call(platform.fhirBase() + "/Patient/" + patientId, "GET", northToken, null).statusCode()).isEqualTo(401);
        String northBase = north.replicas().get(0).apiBase();

        // 2. by identifier: one certain match, answered by A, whose chain lives at A
        HttpResponse<String> byIdentifier = api("POST", northBase + "/federation/locate", northToken,
                "{\"demographics\":{\"identifiers\":[{\"system\":\"" + NATIONAL_ID + "\",\"value\":\"" + paulaId + "\"}]},\"count\":5}");
        assertThat(byIdentifier.statusCode()).as(byIdentifier.body()).isEqualTo(200);
        JsonNode located = JSON.readTree(byIdentifier.body());
        assertThat(located.path("unanswered")).as(byIdentifier.body()).isEmpty();
        assertThat(located.path("matches")).hasSize(1);
        JsonNode match = located.path("matches").get(0);
        assertThat(match.path("pseudonym").asText()).isEqualTo(pseudonym);
        assertThat(match.path("patientId").asText()).isEqualTo(patientId);
        assertThat(match.path("grade").asText()).isEqualTo("certain");
        assertThat(match.path("answeredBy").path("account").asText()).isEqualTo(stMary);
        assertThat(match.path("home").path("institution").path("account").asText()).isEqualTo(stMary);
        assertThat(match.path("home").path("institution").path("endpoint").asText()).isEqualTo(stMaryEndpoint);
        assertThat(byIdentifier.body()).as("no demographics B did not send").doesNotContain("Wanderwell").doesNotContain("Lisbon")
                .doesNotContain("1984");

        // by name, birth date and gender: the same patient, probable
        JsonNode byName = JSON.readTree(api("POST", northBase + "/federation/locate", northToken,
                "{\"demographics\":{\"family\":\"Wanderwell\",\"given\":[\"Paula\"],\"birthDate\":\"1984-03-15\",\"gender\":\"female\"}}").body());
        assertThat(byName.path("matches")).as(byName.toString()).hasSize(1);
        assertThat(byName.path("matches").get(0).path("pseudonym").asText()).isEqualTo(pseudonym);
        assertThat(byName.path("matches").get(0).path("grade").asText()).isEqualTo("probable");
        assertThat(byName.toString()).doesNotContain("Lisbon");

        // A audited the queries as B's practitioner's, for B, on Paula's record
        assertThat(actions(calls.api("GET", "/audit/my-record?actor=demo-practitioner", calls.token(paula, "1"), null), "operation", 0, "TREAT"))
                .as("the two $match queries").isEqualTo(2);

        // B's institution system (no person to act for) may not locate across the network
        assertThat(api("POST", northBase + "/federation/locate",
                new org.phrcloud.identity.token.TokenClient(northRealm.issuer(), northRealm.backendClientId(), northRealm.backendClientSecret())
                        .clientCredentials(), "{\"demographics\":{\"family\":\"Wanderwell\"}}").statusCode()).isEqualTo(403);

        // 3. without consent, A refuses B's read
        String observations = northBase + "/federation/patients/" + pseudonym + "/fhir/Observation?patient=" + patientId;
        String conditions = northBase + "/federation/patients/" + pseudonym + "/fhir/Condition?patient=" + patientId;
        HttpResponse<String> refused = api("GET", observations, northToken, null);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
        assertThat(refused.body()).contains("OperationOutcome");

        // B's practitioner asks; the request reaches Paula at A, who approves it with her signature
        HttpResponse<String> asked = api("POST", northBase + "/federation/patients/" + pseudonym + "/consent-requests", northToken,
                "{\"resourceTypes\":[\"Patient\",\"Observation\"],\"level\":\"full\",\"purpose\":\"TREAT\",\"days\":30}");
        assertThat(asked.statusCode()).as(asked.body()).isEqualTo(201);
        String consentId = JSON.readTree(asked.body()).path("id").asText();
        JsonNode pending = Calls.json(calls.api("GET", "/consent?status=pending", calls.token(paula, "1"), null));
        assertThat(pending).as(pending.toString()).hasSize(1);
        assertThat(pending.get(0).path("id").asText()).isEqualTo(consentId);
        assertThat(pending.toString()).contains("demo-practitioner").contains(northClinic);
        decide(calls, paula, paulaKey, consentId, "approve");

        // B reads what the consent allows (Observations), not more (the Condition); A audits it as B's practitioner's
        HttpResponse<String> read = api("GET", observations, northToken, null);
        assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
        assertThat(JSON.readTree(read.body()).path("total").asInt()).isEqualTo(2);
        assertThat(read.body()).contains("6.1").contains("5.4");
        assertThat(api("GET", conditions, northToken, null).statusCode()).isEqualTo(403);
        assertThat(actions(calls.api("GET", "/audit/my-record?actor=demo-practitioner&kind=search", calls.token(paula, "1"), null), "search", 0, "TREAT"))
                .isEqualTo(1);

        // a revoked consent opens nothing
        decide(calls, paula, paulaKey, consentId, "revoke");
        assertThat(api("GET", observations, northToken, null).statusCode()).isEqualTo(403);

        // nor may B's practitioner then add to her chain: A refuses the block of a record B would keep, so B keeps nothing
        String records = northBase + "/federation/patients/" + pseudonym + "/records";
        assertProblem(api("POST", records, northToken, glucose("Patient/0", 11.2, "2026-12-02")), 403, "PHR-FEDERATION-0418");

        // 4. emergency: B's practitioner breaks the glass; A opens the record, notifies Paula, audits with ETREAT at both ends
        HttpResponse<String> emergency = api("POST", northBase + "/federation/patients/" + pseudonym + "/emergency", northToken,
                "{\"reason\":\"found unconscious while travelling\"}");
        assertThat(emergency.statusCode()).as(emergency.body()).isEqualTo(201);
        JsonNode notices = Calls.json(calls.api("GET", "/consent/notifications", calls.token(paula, "1"), null));
        assertThat(notices.toString()).contains("found unconscious while travelling").contains("demo-practitioner");
        HttpResponse<String> inEmergency = apiWithPurpose(conditions, northToken, "ETREAT");
        assertThat(inEmergency.statusCode()).as(inEmergency.body()).isEqualTo(200);
        assertThat(JSON.readTree(inEmergency.body()).path("total").asInt()).isEqualTo(1);
        assertThat(actions(calls.api("GET", "/audit/my-record?actor=demo-practitioner&kind=search", calls.token(paula, "1"), null), "search", 0, "ETREAT"))
                .as("at A").isEqualTo(1);
        JsonNode atNorth = JSON.readTree(api("GET", northBase + "/audit/my-actions", northToken, null).body());
        long etreatAtNorth = 0;
        for (JsonNode e : atNorth) {
            if (e.path("purpose").asText().equals("ETREAT") && e.path("kind").asText().equals("search") && e.path("outcome").asInt() == 0
                    && e.path("resources").toString().contains(stMaryEndpoint.replaceAll("/+$", "") + "/fhir/Condition")) {
                etreatAtNorth++;
            }
        }
        assertThat(etreatAtNorth).as("at B: " + atNorth).isEqualTo(1);

        // 5. B records a glucose Observation: kept at B (her pseudonym its subject), named in Paula's chain at A by a block
        // that B made after her chain's head and signed with the key B published on chain
        HttpResponse<String> kept = api("POST", records, northToken, glucose("Patient/0", 11.2, "2026-12-02"));
        assertThat(kept.statusCode()).as(kept.body()).isEqualTo(201);
        JsonNode record = JSON.readTree(kept.body());
        String keptUrl = record.path("url").asText();
        assertThat(keptUrl).startsWith(registry.institution(northClinic, true).orElseThrow().fhirBase() + "/Observation/");
        assertThat(kept.headers().firstValue("Location")).contains(keptUrl);
        assertThat(record.path("resource").path("subject").path("identifier").path("system").asText()).isEqualTo("urn:phr:pseudonym");
        assertThat(record.path("resource").path("subject").path("identifier").path("value").asText()).isEqualTo(pseudonym);
        assertThat(record.path("resource").path("subject").has("reference")).isFalse();
        assertThat(record.path("resource").path("valueQuantity").path("value").asDouble()).isEqualTo(11.2);
        assertThat(record.path("home").asText()).isEqualTo(stMary);
        assertThat(record.path("authorKeyId").asText()).startsWith(northClinic + "#");

        JsonNode head = Calls.json(calls.api("GET", "/ledger/patients/" + pseudonym + "/head", calls.token(paula, "1"), null));
        assertThat(head.path("hash").asText()).isEqualTo(record.path("blockHash").asText());
        assertThat(head.path("height").asLong()).isEqualTo(record.path("height").asLong());
        assertThat(head.path("authorKeyId").asText()).isEqualTo(record.path("authorKeyId").asText());
        assertThat(head.path("practitionerId").asText()).endsWith("@" + northClinic);
        assertThat(head.path("entries")).hasSize(1);
        assertThat(head.path("entries").get(0).path("resourceType").asText()).isEqualTo("Observation");
        assertThat(head.path("entries").get(0).path("id").asText()).isEqualTo(keptUrl);
        assertThat(head.path("entries").get(0).path("versionId").asText()).isEqualTo("1");
        assertThat(head.path("entries").get(0).path("operation").asText()).isEqualTo("CREATE");
        JsonNode verified = Calls.json(calls.api("GET", "/ledger/patients/" + pseudonym + "/verify", calls.token(paula, "1"), null));
        assertThat(verified.path("valid").asBoolean()).as("B's signature verifies with B's published key: " + verified).isTrue();
        assertThat(verified.path("keptElsewhere").toString()).isEqualTo("[\"" + keptUrl + "\"]");
        assertThat(actions(calls.api("GET", "/audit/my-record?actor=demo-practitioner&kind=create", calls.token(paula, "1"), null), "create", 0, "TREAT"))
                .as("A audited the block as B's practitioner's").isEqualTo(1);

        // Paula's timeline at A: the Observation fetched from B on demand, checked against the hash in her chain
        JsonNode elsewhere = Calls.json(calls.api("GET", "/ledger/patients/" + pseudonym + "/kept-elsewhere", calls.token(paula, "1"), null));
        assertThat(elsewhere).as(elsewhere.toString()).hasSize(1);
        assertThat(elsewhere.get(0).path("url").asText()).isEqualTo(keptUrl);
        assertThat(elsewhere.get(0).path("institution").asText()).isEqualTo(northClinic);
        assertThat(elsewhere.get(0).path("status").asText()).isEqualTo("VERIFIED");
        assertThat(elsewhere.get(0).path("versionId").asText()).isEqualTo("1");
        assertThat(elsewhere.get(0).path("resource").path("valueQuantity").path("value").asDouble()).isEqualTo(11.2);

        // 6. her family doctor at A sees the Observation from B too
        JsonNode forDoctor = Calls.json(calls.api("GET", "/ledger/patients/" + pseudonym + "/kept-elsewhere", calls.token("demo-family-doctor", "2"), null));
        assertThat(forDoctor.get(0).path("status").asText()).as(forDoctor.toString()).isEqualTo("VERIFIED");
        assertThat(forDoctor.get(0).path("resource").path("valueQuantity").path("value").asDouble()).isEqualTo(11.2);

        // her timeline in the portal at A shows it, where it is kept, and that it matches her chain
        java.net.URI keptAt = java.net.URI.create(keptUrl);
        String place = keptAt.getHost() + ":" + keptAt.getPort();
        portalTimeline(paula, place, "11.2", "In your chain; kept at " + place + " and matches your chain");

        // B gives it only to Paula's home: another institution's request is refused
        blocksOfAThirdInstitution(calls, paula, paulaKey, pseudonym, keptUrl);

        // the record changed where it is kept: A reports it tampered, in her timeline and by verify
        com.fasterxml.jackson.databind.node.ObjectNode forged = (com.fasterxml.jackson.databind.node.ObjectNode) record.path("resource").deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) forged.path("valueQuantity")).put("value", 5.2);
        forged.remove("meta");
        try (java.sql.Connection c = north.database().getConnection();
             java.sql.PreparedStatement update = c.prepareStatement("UPDATE HFJ_RES_VER SET RES_TEXT_VC = ?, RES_TEXT = NULL, "
                     + "RES_ENCODING = 'JSON' WHERE RES_VER = 1 AND RES_ID = (SELECT RES_ID FROM HFJ_RESOURCE "
                     + "WHERE RES_TYPE = 'Observation' AND FHIR_ID = ?)")) {
            update.setString(1, forged.toString());
            update.setString(2, keptUrl.substring(keptUrl.lastIndexOf('/') + 1));
            assertThat(update.executeUpdate()).isEqualTo(1);
        }
        JsonNode afterTampering = Calls.json(calls.api("GET", "/ledger/patients/" + pseudonym + "/kept-elsewhere", calls.token(paula, "1"), null));
        assertThat(afterTampering.get(0).path("url").asText()).isEqualTo(keptUrl);
        assertThat(afterTampering.get(0).path("status").asText()).as(afterTampering.toString()).isEqualTo("TAMPERED");
        assertThat(afterTampering.get(0).path("resource").path("valueQuantity").path("value").asDouble()).isEqualTo(5.2);
        assertThat(afterTampering.get(1).path("status").asText()).as("the third institution left the network").isEqualTo("UNREACHABLE");
        portalTimeline(paula, place, "5.2", "Changed where it is kept: it no longer matches your chain");
        JsonNode tampered = Calls.json(calls.api("GET", "/ledger/patients/" + pseudonym + "/verify", calls.token(paula, "1"), null));
        assertThat(tampered.path("valid").asBoolean()).as(tampered.toString()).isFalse();
        assertThat(tampered.path("chainProblems")).isEmpty();
        assertThat(tampered.path("tamperedResources").toString())
                .isEqualTo("[\"" + keptUrl + ": content does not match its chain entry where it is kept\"]");

        // B's administrator puts the record back as it was recorded
        com.fasterxml.jackson.databind.node.ObjectNode original = (com.fasterxml.jackson.databind.node.ObjectNode) record.path("resource").deepCopy();
        original.remove("meta");
        try (java.sql.Connection c = north.database().getConnection();
             java.sql.PreparedStatement update = c.prepareStatement("UPDATE HFJ_RES_VER SET RES_TEXT_VC = ? WHERE RES_VER = 1 AND RES_ID = "
                     + "(SELECT RES_ID FROM HFJ_RESOURCE WHERE RES_TYPE = 'Observation' AND FHIR_ID = ?)")) {
            update.setString(1, original.toString());
            update.setString(2, keptUrl.substring(keptUrl.lastIndexOf('/') + 1));
            assertThat(update.executeUpdate()).isEqualTo(1);
        }

        movesHerHomeToB(calls, paula, paulaKey, pseudonym, patientId, keptUrl);
    }

    /**
     * 7. Paula moves her home to B: she signs the request at A; A hands her chain over; B verifies it offline and keeps it,
     * and its next anchor makes it her home in the PatientRegistry. A keeps what it stored (readable there as before, and
     * by B as her home) and refuses to add to her records, naming B. At B, with a login B's administrator links to her
     * pseudonym, her chain verifies across both institutions' blocks and every record A keeps is fetched and matches it;
     * the standalone verifier checks B's export.
     */
    private static void movesHerHomeToB(Calls calls, String paula, PrivateKey paulaKey, String pseudonym, String patientId, String keptUrl)
            throws Exception {
        String move = "/ledger/patients/" + pseudonym + "/move";
        long headHeight = Calls.json(calls.api("GET", "/ledger/patients/" + pseudonym + "/head", calls.token(paula, "1"), null)).path("height").asLong();
        await("A anchored her head").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
                .until(() -> registry.home(pseudonym).map(NetworkRegistry.Home::height).orElse(-1L), h -> h == headHeight);
        String document = Calls.json(calls.api("GET", "/ledger/patients/" + pseudonym + "/move-document?to=" + northClinic,
                calls.token(paula, "2"), null)).path("document").asText();
        assertThat(JSON.readTree(document).path("action").asText()).isEqualTo("move-home");

        // a request signed by another key, or for an institution that is not admitted, moves nothing
        PrivateKey otherKey = org.phrcloud.identity.keys.EcdsaP256.generate().getPrivate();
        assertProblem(calls.api("POST", move, calls.token(paula, "2"), moveBody(document, otherKey)), 400, "PHR-FEDERATION-0423");
        String stranger = Calls.json(calls.api("GET", "/ledger/patients/" + pseudonym + "/move-document?to=eip155:31337:0x"
                + "1".repeat(40), calls.token(paula, "2"), null)).path("document").asText();
        assertProblem(calls.api("POST", move, calls.token(paula, "2"), moveBody(stranger, paulaKey)), 400, "PHR-FEDERATION-0423");
        assertThat(calls.api("POST", move, calls.token(paula, "1"), moveBody(document, paulaKey)).statusCode()).as("acr 2 only").isEqualTo(401);

        HttpResponse<String> moved = calls.api("POST", move, calls.token(paula, "2"), moveBody(document, paulaKey));
        assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
        assertThat(Calls.json(moved).path("to").asText()).isEqualTo(northClinic);
        assertThat(Calls.json(moved).path("height").asLong()).isEqualTo(headHeight);
        assertProblem(calls.api("POST", move, calls.token(paula, "2"), moveBody(document, paulaKey)), 409, "PHR-LEDGER-0303");

        // B anchors her head: the registry's latest entry names B
        NetworkRegistry.Home newHome = await("B anchored her chain").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
                .until(() -> registry.home(pseudonym), h -> h.isPresent() && h.get().institution().accountId().equals(northClinic)).orElseThrow();
        assertThat(newHome.height()).isEqualTo(headHeight);

        // A keeps what it stored, readable as before, and adds nothing to her records: it names her new home
        HttpResponse<String> atA = calls.fhir("GET", "/Observation?patient=" + patientId, calls.token("demo-family-doctor", "2"), null);
        assertThat(atA.statusCode()).as(atA.body()).isEqualTo(200);
        assertThat(Calls.json(atA).path("total").asInt()).isEqualTo(2);
        HttpResponse<String> write = calls.fhir("POST", "/Observation", platform.serviceToken(), glucose("Patient/" + patientId, 7.0, "2026-12-05"));
        assertThat(write.statusCode()).as(write.body()).isEqualTo(409);
        assertThat(write.body()).contains("PHR-LEDGER-0303").contains(northClinic);

        // at B: her administrator links a login of B to her pseudonym; her chain verifies across both institutions' blocks
        String northBase = north.replicas().get(0).apiBase();
        DemoUser northAdmin = northRealm.user("demo-admin");
        DemoUser northPatient = northRealm.user("demo-patient");
        String adminToken = new BrowserLogin(northRealm.issuer(), northRealm.portalClientId(), platform.portalUrl() + "/callback")
                .login("2", northAdmin.username(), northAdmin.password(), northAdmin.totpSecret());
        String herToken = new BrowserLogin(northRealm.issuer(), northRealm.portalClientId(), platform.portalUrl() + "/callback")
                .login("1", northPatient.username(), northPatient.password(), northPatient.totpSecret());
        HttpResponse<String> linked = api("PUT", northBase + "/identity/patients/" + pseudonym + "/login", adminToken,
                "{\"keycloakUserId\":\"" + BrowserLogin.claims(herToken).path("sub").asText() + "\"}");
        assertThat(linked.statusCode()).as(linked.body()).isEqualTo(204);
        JsonNode verified = JSON.readTree(api("GET", northBase + "/ledger/patients/" + pseudonym + "/verify", herToken, null).body());
        assertThat(verified.path("valid").asBoolean()).as(verified.toString()).isTrue();
        assertThat(verified.path("chainProblems")).isEmpty();
        assertThat(verified.path("blocks").asLong()).isEqualTo(headHeight + 1);
        String stMaryFhir = registry.institution(stMary, true).orElseThrow().fhirBase();
        assertThat(verified.path("keptElsewhere").toString()).contains(stMaryFhir + "/Observation/").contains(stMaryFhir + "/Patient/" + patientId)
                .as("B's own record is checked here").doesNotContain(keptUrl);

        // every record A keeps is fetched from A and matches her chain
        JsonNode records = JSON.readTree(api("GET", northBase + "/ledger/patients/" + pseudonym + "/kept-elsewhere", herToken, null).body());
        List<String> fromA = new java.util.ArrayList<>();
        for (JsonNode r : records) {
            if (r.path("institution").asText().equals(stMary)) {
                assertThat(r.path("status").asText()).as(r.path("url").asText()).isEqualTo("VERIFIED");
                fromA.add(r.path("resourceType").asText());
            }
        }
        assertThat(fromA).as(records.toString()).contains("Patient", "Observation", "Observation", "Condition");
        assertThat(records.toString()).contains("6.1").contains("5.4");

        // the standalone verifier checks B's export: A's blocks with A's keys, B's with B's on chain, B's anchor of the head
        HttpResponse<String> export = api("GET", northBase + "/ledger/patients/" + pseudonym + "/export", herToken, null);
        assertThat(export.statusCode()).as(export.body()).isEqualTo(200);
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("moved-chain");
        java.nio.file.Path exportFile = java.nio.file.Files.writeString(dir.resolve("chain.json"), export.body());
        java.nio.file.Path keysFile = java.nio.file.Files.writeString(dir.resolve("keys.json"),
                calls.api("GET", "/identity/institutions/keys", null, null).body());
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int exit = org.phrcloud.tools.VerifyCommand.run(new String[]{"--export", exportFile.toString(), "--keys", keysFile.toString(),
                "--rpc", platform.anvilUrl(), "--registry", System.getProperty("phr.it.anchor.contract")},
                new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8), System.err);
        JsonNode report = JSON.readTree(out.toString(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(exit).as(report.toString()).isZero();
        assertThat(report.path("anchoredHeight").asLong()).isEqualTo(headHeight);
    }

    private static String moveBody(String document, PrivateKey key) {
        return "{\"document\":" + JSON.valueToTree(document) + ",\"signature\":\"" + java.util.Base64.getEncoder().encodeToString(
                EcdsaP256.sign(key, document.getBytes(java.nio.charset.StandardCharsets.UTF_8))) + "\"}";
    }

    /**
     * Paula's timeline in the portal at A, in headless Chromium: one row of a record kept at {@code place} with its value,
     * and its proof's status.
     */
    private static void portalTimeline(String paula, String place, String value, String proofStatus) throws Exception {
        if (!Browser.available()) {
            return;
        }
        try (Browser b = new Browser(java.nio.file.Path.of(System.getProperty("phr.it.work.dir", "target/it")))) {
            b.login(platform.portalUrl() + "/", platform.realm().user(paula));
            List<WebElement> rows = b.all(By.cssSelector("#records\\:timeline tbody tr")).stream()
                    .filter(r -> r.getText().contains("kept at " + place)).toList();
            assertThat(rows).as(b.find(By.id("records:timeline")).getText()).hasSize(1);
            assertThat(rows.get(0).getText()).contains("Glucose").contains(value).contains("2026-12-02");
            assertThat(rows.get(0).findElement(By.cssSelector("details.proof summary")).getText()).isEqualTo(proofStatus);
            b.screenshot("federation-timeline-" + value);
        }
    }

    /**
     * Blocks a third institution (admitted for the test, with its own published key) sends with the Connector, as an
     * institution system would: refused without consent, signed by a key it did not publish, under another
     * institution's key id, naming another person, recording another institution's record or a type the consent does
     * not open; appended otherwise, and refused when sent again.
     */
    private static void blocksOfAThirdInstitution(Calls calls, String paula, PrivateKey paulaKey, String pseudonym, String keptUrl) throws Exception {
        String tester = ClientAssertion.accountId(DevChain.CHAIN_ID, DevChain.address(DevChain.TEST_INSTITUTION_KEY));
        AnchorRegistry asOperator = registryAs(DevChain.OPERATOR_KEY);
        asOperator.setInstitution(DevChain.address(DevChain.TEST_INSTITUTION_KEY), TEST_INSTITUTION_ENDPOINT).send();
        try {
            registryAs(DevChain.TEST_INSTITUTION_KEY).publishKeys(new JWKSet(TEST_KEY.toPublicJWK()).toString()).send();
            PrivateKey testKey = toPrivate(TEST_KEY);
            FederationClient third = new FederationClient(registry, () -> new FederationClient.Signer(testKey, TEST_KEY.getKeyID(),
                    tester, TEST_INSTITUTION_ENDPOINT), Clock.systemUTC());
            NetworkRegistry.Institution home = registry.institution(stMary, true).orElseThrow();
            ActingParty doctor = new ActingParty("test-user-1", "test-doctor", "practitioner", "2", "TREAT");
            String person = "test-user-1@" + tester;
            Entry observation = new Entry("Observation", "https://test-institution.example/fhir/Observation/77", "1", Operation.CREATE,
                    ContentHash.of("{\"resourceType\":\"Observation\",\"status\":\"final\"}"));

            FederationClient.Refused withoutConsent = org.junit.jupiter.api.Assertions.assertThrows(FederationClient.Refused.class,
                    () -> third.appendRecords(home, doctor, pseudonym, List.of(observation)));
            assertThat(withoutConsent.status()).as(withoutConsent.body()).isEqualTo(403);
            assertThat(withoutConsent.body()).contains("PHR-FEDERATION-0418");

            HttpResponse<String> asked = third.send(home, doctor, "POST", "api/consent/requests", "application/json", "{\"patient\":\""
                    + pseudonym + "\",\"resourceTypes\":[\"Observation\"],\"level\":\"full\",\"purpose\":\"TREAT\",\"days\":1}");
            assertThat(asked.statusCode()).as(asked.body()).isEqualTo(201);
            decide(calls, paula, paulaKey, JSON.readTree(asked.body()).path("id").asText(), "approve");

            FederationClient.ChainHead head = third.head(home, doctor, pseudonym).orElseThrow();
            ECKey unpublished = new ECKeyGenerator(Curve.P_256).keyID(TEST_KEY.getKeyID()).generate();
            assertProblem(postBlock(third, home, doctor, after(head, pseudonym, tester + "#" + TEST_KEY.getKeyID(), person, observation,
                    toPrivate(unpublished))), 403, "PHR-FEDERATION-0415");
            assertProblem(postBlock(third, home, doctor, after(head, pseudonym, northClinic + "#" + TEST_KEY.getKeyID(), person, observation,
                    toPrivate(TEST_KEY))), 403, "PHR-FEDERATION-0415");
            assertProblem(postBlock(third, home, doctor, after(head, pseudonym, tester + "#" + TEST_KEY.getKeyID(), "someone-else@" + tester,
                    observation, toPrivate(TEST_KEY))), 403, "PHR-FEDERATION-0419");
            assertProblem(postBlock(third, home, doctor, after(head, pseudonym, tester + "#" + TEST_KEY.getKeyID(), person,
                    new Entry("Observation", keptUrl, "1", Operation.CREATE, observation.contentHash()), toPrivate(TEST_KEY))), 400,
                    "PHR-FEDERATION-0416");
            assertProblem(postBlock(third, home, doctor, after(head, "not-a-pseudonym", tester + "#" + TEST_KEY.getKeyID(), person,
                    observation, toPrivate(TEST_KEY))), 400, "PHR-FEDERATION-0416");
            assertProblem(postBlock(third, home, doctor, after(head, pseudonym, tester + "#" + TEST_KEY.getKeyID(), person,
                    new Entry("Condition", "https://test-institution.example/fhir/Condition/5", "1", Operation.CREATE, observation.contentHash()),
                    toPrivate(TEST_KEY))), 403, "PHR-FEDERATION-0418");

            NetworkRegistry.Institution northInstitution = registry.institution(northClinic, true).orElseThrow();
            HttpResponse<String> notHome = third.send(northInstitution, doctor, "GET",
                    "api/federation/records/Observation/" + keptUrl.substring(keptUrl.lastIndexOf('/') + 1), null, null);
            assertProblem(notHome, 403, "PHR-FEDERATION-0421");

            Block appended = third.appendRecords(home, doctor, pseudonym, List.of(observation));
            assertThat(appended.height()).isEqualTo(head.height() + 1);
            assertProblem(postBlock(third, home, doctor, appended), 409, "PHR-LEDGER-0302");
            JsonNode verified = Calls.json(calls.api("GET", "/ledger/patients/" + pseudonym + "/verify", calls.token(paula, "1"), null));
            assertThat(verified.path("valid").asBoolean()).as(verified.toString()).isTrue();
            assertThat(verified.path("keptElsewhere").toString()).isEqualTo("[\"" + keptUrl + "\",\"" + observation.id() + "\"]");
        } finally {
            asOperator.removeInstitution(DevChain.address(DevChain.TEST_INSTITUTION_KEY)).send();
        }
    }

    /** A block after {@code head}, signed by {@code key} whatever its author key id says. */
    private static Block after(FederationClient.ChainHead head, String pseudonym, String authorKeyId, String practitioner, Entry entry,
                               PrivateKey key) {
        return new Block(Block.VERSION, pseudonym, head.height() + 1, java.util.HexFormat.of().parseHex(head.hash()),
                System.currentTimeMillis(), authorKeyId, practitioner, List.of(entry), null).signedWith((keyId, hash) -> EcdsaP256.sign(key, hash));
    }

    private static HttpResponse<String> postBlock(FederationClient client, NetworkRegistry.Institution home, ActingParty party, Block block)
            throws Exception {
        return client.send(home, party, "POST", "api/ledger/patients/" + block.pseudonym() + "/blocks", "application/json",
                "{\"encoding\":\"" + java.util.HexFormat.of().formatHex(block.canonicalEncoding()) + "\",\"signature\":\""
                        + java.util.Base64.getEncoder().encodeToString(block.signature()) + "\"}");
    }

    private static PrivateKey toPrivate(ECKey key) throws com.nimbusds.jose.JOSEException {
        return key.toECPrivateKey();
    }

    /**
     * Benchmark, not in the test run (issue 22): the steps the source design timed, on this machine, each against the
     * nearest local operation of deployment A in the same run. Run it with
     * {@code ./mvnw -B verify -pl ear -Dit.test='FederationIT#federationBenchmark' -Dphr.bench.federation=true
     * -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false} (rounds: {@code -Dphr.bench.rounds}, default 20). Prints
     * p50 and p95 in milliseconds and the ratio of the p50s.
     */
    @Test
    @org.junit.jupiter.api.condition.EnabledIfSystemProperty(named = "phr.bench.federation", matches = "true")
    void federationBenchmark() throws Exception {
        int rounds = Integer.getInteger("phr.bench.rounds", 20);
        Calls calls = new Calls(platform);
        String nationalId = "FED-BENCH-" + UUID.randomUUID();
        HttpResponse<String> registered = calls.api("POST", "/identity/patients", calls.token("demo-admin", "2"), "{\"homeInstitution\":\"st-mary\","
                + "\"passphrase\":\"" + PASSPHRASE + "\",\"demographics\":{\"identifiers\":[{\"system\":\"" + NATIONAL_ID + "\",\"value\":\""
                + nationalId + "\"}],\"family\":\"Benchmark\",\"given\":[\"Bea\"],\"birthDate\":\"1970-01-01\",\"gender\":\"female\"}}");
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
        String pseudonym = Calls.json(registered).path("identity").path("pseudonym").asText();
        HttpResponse<String> written = calls.fhir("POST", "", platform.serviceToken(), "{\"resourceType\":\"Bundle\",\"type\":\"transaction\","
                + "\"entry\":[" + entry("urn:uuid:" + UUID.randomUUID(), "Patient", "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\""
                + NATIONAL_ID + "\",\"value\":\"" + nationalId + "\"}],\"name\":[{\"family\":\"Benchmark\"}]}") + "]}");
        assertThat(written.statusCode()).as(written.body()).isEqualTo(200);
        String patientId = Calls.json(written).path("entry").get(0).path("response").path("location").asText().split("/")[1];
        await("the chain anchored").atMost(Duration.ofMinutes(1)).until(() -> registry.home(pseudonym).isPresent());
        DemoUser doctor = northRealm.user("demo-practitioner");
        String northToken = new BrowserLogin(northRealm.issuer(), northRealm.portalClientId(), platform.portalUrl() + "/callback")
                .login("2", doctor.username(), doctor.password(), doctor.totpSecret());
        String northBase = north.replicas().get(0).apiBase();
        assertThat(api("POST", northBase + "/federation/patients/" + pseudonym + "/emergency", northToken,
                "{\"reason\":\"benchmark\"}").statusCode()).isEqualTo(201);
        String service = platform.serviceToken();
        String familyDoctor = calls.token("demo-family-doctor", "2");

        List<long[]> table = new java.util.ArrayList<>();
        String locate = "{\"demographics\":{\"identifiers\":[{\"system\":\"" + NATIONAL_ID + "\",\"value\":\"" + nationalId + "\"}]}}";
        long[] located = timed(rounds, () -> assertThat(api("POST", northBase + "/federation/locate", northToken, locate).statusCode()).isEqualTo(200));
        long[] localSearch = timed(rounds, () -> assertThat(calls.fhir("GET", "/Patient?identifier=" + NATIONAL_ID + "%7C" + nationalId, service, null)
                .statusCode()).isEqualTo(200));
        String records = northBase + "/federation/patients/" + pseudonym + "/records";
        long[] saved = timed(rounds, () -> {
            HttpResponse<String> kept = api("POST", records, northToken, glucose("Patient/0", 6.0, "2026-12-03"));
            assertThat(kept.statusCode()).as(kept.body()).isEqualTo(201);
        });
        long[] localSave = timed(rounds, () -> assertThat(calls.fhir("POST", "/Observation", service, glucose("Patient/" + patientId, 6.0, "2026-12-03"))
                .statusCode()).isEqualTo(201));
        // to the chain: from saving a record at B until the PatientRegistry holds a head at or after its block
        int anchors = Math.min(rounds, 5);
        long[] anchored = timed(anchors, () -> {
            HttpResponse<String> kept = api("POST", records, northToken, glucose("Patient/0", 6.5, "2026-12-04"));
            long height = JSON.readTree(kept.body()).path("height").asLong();
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(20))
                    .until(() -> registry.home(pseudonym).map(h -> h.height() >= height).orElse(false));
        });
        // retrieve: every record kept at B fetched by A for its family doctor and checked, per record
        int kept = Calls.json(calls.api("GET", "/ledger/patients/" + pseudonym + "/kept-elsewhere", familyDoctor, null)).size();
        long[] retrieved = timed(rounds, () -> {
            JsonNode all = Calls.json(calls.api("GET", "/ledger/patients/" + pseudonym + "/kept-elsewhere", familyDoctor, null));
            assertThat(all).hasSize(kept);
            assertThat(all.get(0).path("status").asText()).isEqualTo("VERIFIED");
        });
        int local = Calls.json(calls.fhir("GET", "/Observation?patient=" + patientId + "&_count=100", familyDoctor, null)).path("entry").size();
        long[] localRead = timed(rounds, () -> assertThat(calls.fhir("GET", "/Observation?patient=" + patientId + "&_count=100", familyDoctor, null)
                .statusCode()).isEqualTo(200));
        long[] references = timed(rounds, () -> assertThat(calls.api("GET", "/ledger/patients/" + pseudonym + "/blocks?limit=200", familyDoctor, null)
                .statusCode()).isEqualTo(200));
        System.out.printf("%nFederation benchmark (%d rounds; ms; A = platform on H2, B = second domain on PostgreSQL, one anvil)%n", rounds);
        System.out.printf("%-58s %8s %8s %10s %14s %8s%n", "step", "p50", "p95", "source", "A local p50", "ratio");
        row("locate the patient's chain (B: $match at A, registry)", located, 79, localSearch);
        row("save a record (at B, its block appended at A)", saved, 210, localSave);
        row("add it to the chain (until anchored on chain)", anchored, 4784, null);
        row("retrieve (A fetches " + kept + " records from B, checks; per record)", perRecord(retrieved, kept), 209, perRecord(localRead, local));
        row("recover the record's references (the chain at A)", references, 128, null);
    }

    private interface Step {
        void run() throws Exception;
    }

    /** Runs a step {@code n} times after one warm-up; its durations in milliseconds, sorted. */
    private static long[] timed(int n, Step step) throws Exception {
        step.run();
        long[] ms = new long[n];
        for (int i = 0; i < n; i++) {
            long start = System.nanoTime();
            step.run();
            ms[i] = (System.nanoTime() - start) / 1_000_000;
        }
        java.util.Arrays.sort(ms);
        return ms;
    }

    private static long[] perRecord(long[] ms, int records) {
        return java.util.Arrays.stream(ms).map(m -> m / records).toArray();
    }

    private static void row(String step, long[] ms, long source, long[] local) {
        long p50 = ms[ms.length / 2];
        long p95 = ms[Math.min(ms.length - 1, (int) Math.ceil(ms.length * 0.95) - 1)];
        String localP50 = local == null ? "-" : String.valueOf(local[local.length / 2]);
        String ratio = local == null ? "-" : String.format("%.2f", p50 / (double) Math.max(1, local[local.length / 2]));
        System.out.printf("%-58s %8d %8d %10d %14s %8s%n", step, p50, p95, source, localP50, ratio);
    }

    /** Counts the access-log entries (AccessView) of B's practitioner, for B, of a kind, outcome and purpose. */
    private static long actions(HttpResponse<String> log, String kind, int outcome, String purpose) throws Exception {
        assertThat(log.statusCode()).as(log.body()).isEqualTo(200);
        long n = 0;
        for (JsonNode e : JSON.readTree(log.body())) {
            if (e.path("actor").asText().equals("demo-practitioner") && e.path("institutions").toString().contains(northClinic)
                    && e.path("kind").asText().equals(kind) && e.path("outcome").asInt() == outcome && e.path("purpose").asText().equals(purpose)) {
                n++;
            }
        }
        return n;
    }

    /** Paula reads the consent at A, signs the document of the decision with her key, and sends it. */
    private static void decide(Calls calls, String login, PrivateKey key, String consentId, String decision) throws Exception {
        JsonNode consent = Calls.json(calls.api("GET", "/consent/" + consentId, calls.token(login, "1"), null));
        byte[] document = consent.path("documents").path(decision).asText().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        HttpResponse<String> r = calls.api("POST", "/consent/" + consentId + "/" + decision, calls.token(login, "2"),
                "{\"signature\":\"" + java.util.Base64.getEncoder().encodeToString(EcdsaP256.sign(key, document)) + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    private static String entry(String fullUrl, String type, String resource) {
        return "{\"fullUrl\":\"" + fullUrl + "\",\"resource\":" + resource + ",\"request\":{\"method\":\"POST\",\"url\":\"" + type + "\"}}";
    }

    private static String glucose(String patient, double value, String day) {
        return "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"coding\":[{\"system\":\"http://loinc.org\","
                + "\"code\":\"15074-8\",\"display\":\"Glucose\"}]},\"subject\":{\"reference\":\"" + patient + "\"},"
                + "\"effectiveDateTime\":\"" + day + "T08:00:00Z\",\"valueQuantity\":{\"value\":" + value
                + ",\"unit\":\"mmol/L\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"mmol/L\"}}";
    }

    private static ECKey testKey() {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID("test-institution-1").generate();
        } catch (com.nimbusds.jose.JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theHomeRefusesAssertionsThatAreNotFromAnAdmittedInstitutionsPublishedKeyForItNowAndOnce() throws Exception {
        String tester = ClientAssertion.accountId(DevChain.CHAIN_ID, DevChain.address(DevChain.TEST_INSTITUTION_KEY));
        ECKey key = TEST_KEY;
        AnchorRegistry asOperator = registryAs(DevChain.OPERATOR_KEY);
        asOperator.setInstitution(DevChain.address(DevChain.TEST_INSTITUTION_KEY), TEST_INSTITUTION_ENDPOINT).send();
        try {
            registryAs(DevChain.TEST_INSTITUTION_KEY).publishKeys(new JWKSet(key.toPublicJWK()).toString()).send();
            String audience = registry.institution(stMary, true).orElseThrow().endpoint();
            ActingParty doctor = new ActingParty("test-user-1", "test-doctor", "practitioner", "2", "TREAT");
            String match = "{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"resource\",\"resource\":{\"resourceType\":\"Patient\","
                    + "\"identifier\":[{\"system\":\"" + NATIONAL_ID + "\",\"value\":\"FED-NOBODY-" + UUID.randomUUID() + "\"}]}}]}";
            String url = platform.fhirBase() + "/Patient/$match";

            String valid = ClientAssertion.sign(key.toECPrivateKey(), key.getKeyID(), tester, TEST_INSTITUTION_ENDPOINT, audience, doctor, Instant.now());
            HttpResponse<String> answered = ReplicaServers.call(url, "POST", valid, match);
            assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
            assertThat(JSON.readTree(answered.body()).path("resourceType").asText()).isEqualTo("Bundle");
            assertThat(JSON.readTree(answered.body()).path("total").asInt()).isZero();

            assertRefused(ReplicaServers.call(url, "POST", valid, match), 401, "PHR-FEDERATION-0409");
            assertRefused(ReplicaServers.call(url, "POST", ClientAssertion.sign(key.toECPrivateKey(), key.getKeyID(), tester,
                    TEST_INSTITUTION_ENDPOINT, audience, doctor, Instant.now()), "{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":"
                    + "\"resource\",\"resource\":{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"Wanderwell\"}]}}]}"), 400, "PHR-FHIR-0307");
            assertRefused(ReplicaServers.call(url, "POST", ClientAssertion.sign(key.toECPrivateKey(), key.getKeyID(), tester,
                    TEST_INSTITUTION_ENDPOINT, audience, doctor, Instant.now().minus(Duration.ofMinutes(10))), match), 401, "PHR-FEDERATION-0407");
            assertRefused(ReplicaServers.call(url, "POST", ClientAssertion.sign(key.toECPrivateKey(), key.getKeyID(), tester,
                    TEST_INSTITUTION_ENDPOINT, north.replicas().get(0).baseUrl(), doctor, Instant.now()), match), 401, "PHR-FEDERATION-0405");
            ECKey unpublished = new ECKeyGenerator(Curve.P_256).keyID("test-institution-1").generate();
            assertRefused(ReplicaServers.call(url, "POST", ClientAssertion.sign(unpublished.toECPrivateKey(), unpublished.getKeyID(), tester,
                    TEST_INSTITUTION_ENDPOINT, audience, doctor, Instant.now()), match), 401, "PHR-FEDERATION-0404");
            String stranger = ClientAssertion.accountId(DevChain.CHAIN_ID, Credentials.create(org.web3j.crypto.Keys.createEcKeyPair()).getAddress());
            assertRefused(ReplicaServers.call(url, "POST", ClientAssertion.sign(key.toECPrivateKey(), key.getKeyID(), stranger,
                    TEST_INSTITUTION_ENDPOINT, audience, doctor, Instant.now()), match), 401, "PHR-FEDERATION-0403");
            assertRefused(ReplicaServers.call(platform.fhirBase() + "/Observation", "POST",
                    ClientAssertion.sign(key.toECPrivateKey(), key.getKeyID(), tester, TEST_INSTITUTION_ENDPOINT, audience, doctor, Instant.now()),
                    glucose("Patient/1", 5.0, "2026-12-01")), 403, "PHR-FEDERATION-0410");
            assertRefused(ReplicaServers.call(platform.fhirBase() + "/Patient?identifier=" + NATIONAL_ID + "%7CX", "GET",
                    ClientAssertion.sign(key.toECPrivateKey(), key.getKeyID(), tester, TEST_INSTITUTION_ENDPOINT, audience, doctor, Instant.now()),
                    null), 403, "PHR-AUTHZ-0010");
            assertRefused(ReplicaServers.call(url, "POST", ClientAssertion.sign(key.toECPrivateKey(), key.getKeyID(), tester,
                    TEST_INSTITUTION_ENDPOINT, audience, new ActingParty("test-user-2", "test-patient", "patient", "2", "TREAT"),
                    Instant.now()), match), 403, "PHR-FEDERATION-0411");
            String consentRequests = platform.apiBase() + "/consent/requests";
            assertProblem(api("POST", consentRequests, ClientAssertion.sign(key.toECPrivateKey(), key.getKeyID(), tester, TEST_INSTITUTION_ENDPOINT,
                    audience, new ActingParty("test-user-2", "test-researcher", "researcher", "2", "HRESCH"), Instant.now()), "{}"), 403,
                    "PHR-FEDERATION-0411");
            assertProblem(api("POST", consentRequests, ClientAssertion.sign(key.toECPrivateKey(), key.getKeyID(), tester, TEST_INSTITUTION_ENDPOINT,
                    audience, new ActingParty("test-user-2", "test-patient", "patient", "2", "PATRQT"), Instant.now()), "{}"), 403,
                    "PHR-API-0403");
            String once = ClientAssertion.sign(key.toECPrivateKey(), key.getKeyID(), tester, TEST_INSTITUTION_ENDPOINT, audience, doctor, Instant.now());
            assertThat(api("POST", consentRequests, once, "{}").statusCode()).as("the same assertion refused on /api as on /fhir").isNotEqualTo(401);
            assertProblem(api("POST", consentRequests, once, "{}"), 401, "PHR-FEDERATION-0409");
        } finally {
            asOperator.removeInstitution(DevChain.address(DevChain.TEST_INSTITUTION_KEY)).send();
        }
    }

    /** A JSON API request to another deployment's server ({@code application/json}; a GET without a body). */
    private static HttpResponse<String> api(String method, String url, String token, String json) throws Exception {
        return apiWithPurpose(method, url, token, json, null);
    }

    /** A read through B's server with the purpose of use it declares ({@code X-Purpose-Of-Use}). */
    private static HttpResponse<String> apiWithPurpose(String url, String token, String purpose) throws Exception {
        return apiWithPurpose("GET", url, token, null, purpose);
    }

    private static HttpResponse<String> apiWithPurpose(String method, String url, String token, String json, String purpose) throws Exception {
        java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).timeout(Duration.ofMinutes(2))
                .header("Authorization", "Bearer " + token).header("Accept", "application/json, application/fhir+json")
                .method(method, json == null ? java.net.http.HttpRequest.BodyPublishers.noBody() : java.net.http.HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        if (purpose != null) {
            b.header("X-Purpose-Of-Use", purpose);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertRefused(HttpResponse<String> response, int status, String code) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode outcome = JSON.readTree(response.body());
        assertThat(outcome.path("resourceType").asText()).isEqualTo("OperationOutcome");
        assertThat(outcome.path("issue").get(0).path("diagnostics").asText()).startsWith(code);
    }

    /** An RFC 9457 problem of the JSON API with its status and code. */
    private static void assertProblem(HttpResponse<String> response, int status, String code) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(JSON.readTree(response.body()).path("code").asText()).isEqualTo(code);
    }

    private static AnchorRegistry registryAs(String key) {
        return AnchorRegistry.load(System.getProperty("phr.it.anchor.contract"), web3j, new RawTransactionManager(web3j,
                Credentials.create(key), DevChain.CHAIN_ID, new PollingTransactionReceiptProcessor(web3j, 250, 120)), new DefaultGasProvider());
    }
}
