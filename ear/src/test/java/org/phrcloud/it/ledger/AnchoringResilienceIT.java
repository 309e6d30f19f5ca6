package org.phrcloud.it.ledger;

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
import org.phrcloud.it.support.OnChain;
import org.phrcloud.it.support.Platform;
import org.phrcloud.it.support.PlatformExtension;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 4's outage and crash cases on the whole platform (real Payara, anvil, Keycloak, database): FHIR writes go
 * on while the chain node is down and are all anchored once it is back; the server killed ({@code kill -9}) with an
 * anchor in flight anchors it exactly once after a restart. "Exactly once" is read on chain: every anchor's root
 * is distinct and registered once, and the patient's heads were registered at strictly rising heights.
 */
@ExtendWith(PlatformExtension.class)
@ExtendWith(ArquillianExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AnchoringResilienceIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Platform platform;
    private static String patientId;
    private static String pseudonym;

    @Deployment(testable = false)
    static EnterpriseArchive ear() {
        return ShrinkWrap.createFromZipFile(EnterpriseArchive.class, new File(System.getProperty("phr.it.ear")));
    }

    @BeforeAll
    static void aPatient() throws Exception {
        platform = PlatformExtension.platform();
        HttpResponse<String> created = fhir("POST", "/Patient", "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":"
                + "\"urn:oid:2.16.840.1.113883.4.1\",\"value\":\"R-" + UUID.randomUUID() + "\"}],\"name\":[{\"family\":\"Moreau\","
                + "\"given\":[\"Inès\"]}],\"gender\":\"female\",\"birthDate\":\"1991-06-30\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        patientId = JSON.readTree(created.body()).path("id").asText();
        pseudonym = JSON.readTree(api("/identity/patients?patientId=" + patientId).body()).path("pseudonym").asText();
    }

    @Test
    @Order(0)
    void theHealthEndpointsSayStartedLiveAndReadyWithTheDatabaseTheIssuerAndTheChain() throws Exception {
        assertThat(health("started").path("status").asText()).isEqualTo("UP");
        assertThat(health("live").path("status").asText()).isEqualTo("UP");
        JsonNode ready = health("ready");
        assertThat(ready.path("status").asText()).as(ready.toString()).isEqualTo("UP");
        assertThat(check(ready, "database").path("status").asText()).isEqualTo("UP");
        assertThat(check(ready, "token-issuer").path("status").asText()).isEqualTo("UP");
        assertThat(check(ready, "token-issuer").path("data").path("jwks").asText())
                .isEqualTo(platform.realm().issuer() + "/protocol/openid-connect/certs");
        assertThat(check(ready, "chain").path("data").path("node").asText()).isEqualTo("reachable");
    }

    @Test
    @Order(1)
    void writesGoOnWhileTheChainIsDownAndAreAllAnchoredOnceWhenItIsBack() throws Exception {
        awaitAllAnchored();
        JsonNode before = anchoring();
        platform.stopChain();
        try {
            // still ready: the chain is reported, never a condition (writes go on without it)
            JsonNode ready = health("ready");
            assertThat(ready.path("status").asText()).as(ready.toString()).isEqualTo("UP");
            assertThat(check(ready, "chain").path("status").asText()).isEqualTo("UP");
            assertThat(check(ready, "chain").path("data").path("node").asText()).isEqualTo("unreachable");
            for (int i = 0; i < 5; i++) {
                assertThat(fhir("POST", "/Observation", observation(70 + i)).statusCode()).isEqualTo(201);
            }
            // two anchoring intervals (PHR_ANCHOR_INTERVAL_SECONDS=2) pass with the chain down: the blocks wait
            JsonNode waiting = await("blocks waiting two anchoring intervals").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(500)).until(AnchoringResilienceIT::anchoring,
                            a -> a.path("oldestPendingSeconds").asLong() >= 4);
            assertThat(waiting.path("pendingBlocks").asLong()).isGreaterThanOrEqualTo(5);
            assertThat(waiting.path("lastAnchor").path("id").asLong()).as("nothing was anchored meanwhile")
                    .isEqualTo(before.path("lastAnchor").path("id").asLong());
        } finally {
            platform.startChain();
        }

        awaitAllAnchored();
        assertEveryAnchorOnChainOnceAndTheExportVerifies();
    }

    @Test
    @Order(2)
    void theServerKilledWithAnAnchorInFlightAnchorsItExactlyOnceAfterARestart() throws Exception {
        awaitAllAnchored();
        platform.rpc("evm_setIntervalMining", "[0]"); // the node takes the transaction but mines nothing
        String inFlight;
        List<String> accepted = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                accepted.add(created(fhir("POST", "/Observation", observation(80 + i))));
            }
            await("an anchor in flight").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .until(() -> anchoring().path("inFlight").isObject());
            inFlight = anchoring().path("inFlight").path("txHash").asText();
            accepted.add(created(fhir("POST", "/Observation", observation(90)))); // acknowledged just before the crash
            platform.killServer();
        } finally {
            platform.rpc("evm_setIntervalMining", "[1]"); // mined while the server is down
        }
        platform.startServer();
        assertThat(health("started").path("status").asText()).isEqualTo("UP");
        for (String id : accepted) { // nothing acknowledged is lost (H2 commits to disk at each commit)
            assertThat(fhir("GET", "/Observation/" + id, null).statusCode()).as("Observation/" + id).isEqualTo(200);
        }

        awaitAllAnchored();
        JsonNode receipt = platform.rpc("eth_getTransactionReceipt", "[\"" + inFlight + "\"]");
        assertThat(receipt.path("status").asText()).isEqualTo("0x1");
        assertEveryAnchorOnChainOnceAndTheExportVerifies();
    }

    /** {@code GET /health/<kind>} of MicroProfile Health (200 UP, 503 DOWN, both with the JSON). */
    private static JsonNode health(String kind) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(platform.baseUrl() + "health/" + kind))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(r.body());
        assertThat(r.statusCode()).as(r.body()).isEqualTo("UP".equals(body.path("status").asText()) ? 200 : 503);
        return body;
    }

    private static JsonNode check(JsonNode health, String name) {
        for (JsonNode c : health.path("checks")) {
            if (c.path("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no check " + name + " in " + health);
    }

    private static void awaitAllAnchored() {
        await("everything anchored").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            JsonNode status = anchoring();
            return status.path("pendingBlocks").asLong() == 0 && status.path("inFlight").isNull();
        });
    }

    private static void assertEveryAnchorOnChainOnceAndTheExportVerifies() throws Exception {
        OnChain.assertEveryAnchorRegisteredOnce(platform);
        List<Long> heights = OnChain.headHeights(platform, pseudonym);
        assertThat(heights).isNotEmpty().isSorted().doesNotHaveDuplicates();

        HttpResponse<String> exported = api("/ledger/patients/" + pseudonym + "/export");
        assertThat(JSON.readTree(exported.body()).path("anchors").size()).isEqualTo(heights.size()); // one per anchor on chain
        OnChain.Verified verified = OnChain.verify(platform, exported.body(), api("/identity/institutions/keys").body(), null);
        assertThat(verified.status()).as(verified.report().toString()).isZero();
        assertThat(verified.report().path("anchoredHeight").asLong()).isEqualTo(heights.get(heights.size() - 1));
    }

    private static JsonNode anchoring() throws Exception {
        return JSON.readTree(api("/ledger/anchoring").body());
    }

    private static String observation(int value) {
        return "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"coding\":[{\"system\":\"http://loinc.org\","
                + "\"code\":\"8867-4\"}]},\"subject\":{\"reference\":\"Patient/" + patientId + "\"},\"valueQuantity\":{\"value\":"
                + value + ",\"unit\":\"/min\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"/min\"}}";
    }

    private static HttpResponse<String> fhir(String method, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(platform.fhirBase() + path)).timeout(Duration.ofMinutes(1))
                .header("Authorization", "Bearer " + platform.serviceToken()).header("Content-Type", "application/fhir+json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String created(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return JSON.readTree(r.body()).path("id").asText();
    }

    /** A GET of the JSON APIs as the institution's system account. */
    private static HttpResponse<String> api(String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(platform.apiBase() + path)).timeout(Duration.ofMinutes(1))
                .header("Authorization", "Bearer " + platform.serviceToken()).header("Accept", "application/json").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return r;
    }
}
