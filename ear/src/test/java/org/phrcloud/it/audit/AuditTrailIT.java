package org.phrcloud.it.audit;

import com.fasterxml.jackson.databind.JsonNode;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.phrcloud.tools.BrowserLogin;
import org.phrcloud.it.support.Calls;
import org.phrcloud.it.support.Platform;
import org.phrcloud.it.support.PlatformExtension;

import java.io.File;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.phrcloud.it.support.Calls.json;

/**
 * Audit completeness on the real platform: a known mix of FHIR requests (writes, a transaction, reads, a search, history,
 * $everything, refusals with and without a token, a rejected write), each with its own X-Request-ID, and exactly one
 * AuditEvent for each, with the right kind and outcome; what the patient sees of it; and that it gets sealed.
 */
@ExtendWith(PlatformExtension.class)
@ExtendWith(ArquillianExtension.class)
class AuditTrailIT {
    private static final String NATIONAL_ID = "urn:oid:2.16.840.1.113883.4.1";

    @Deployment(testable = false)
    static EnterpriseArchive ear() {
        return ShrinkWrap.createFromZipFile(EnterpriseArchive.class, new File(System.getProperty("phr.it.ear")));
    }

    /** What one request did, and what its AuditEvent must say. */
    record Call(String requestId, String kind, int outcome, String action) {
    }

    @Test
    void everyRequestGetsExactlyOneAuditEventAndThePatientSeesWhoAccessedTheirRecord() throws Exception {
        Platform platform = PlatformExtension.platform();
        Calls calls = new Calls(platform);
        String system = platform.serviceToken();
        String admin = calls.token("demo-admin", "2");
        String login = Platform.extraPatient(18);
        String patientToken = calls.token(login, "1");
        List<Call> mix = new ArrayList<>();

        String nationalId = "AUD-" + UUID.randomUUID();
        HttpResponse<String> registered = calls.api("POST", "/identity/patients", admin, "{\"homeInstitution\":\"north-clinic\","
                + "\"demographics\":{\"identifiers\":[{\"system\":\"" + NATIONAL_ID + "\",\"value\":\"" + nationalId + "\"}],"
                + "\"family\":\"Auditova\",\"given\":[\"Ines\"],\"birthDate\":\"1966-02-11\",\"gender\":\"female\"}}");
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
        String pseudonym = json(registered).path("identity").path("pseudonym").asText();

        String patientId = Calls.created(call(calls, mix, "create", 0, "C", "POST", "/Patient", system, "{\"resourceType\":\"Patient\","
                + "\"identifier\":[{\"system\":\"" + NATIONAL_ID + "\",\"value\":\"" + nationalId + "\"}],\"name\":[{\"family\":\"Auditova\"}]}"));
        String sub = BrowserLogin.claims(patientToken).path("sub").asText();
        assertThat(calls.api("PUT", "/identity/patients/" + pseudonym + "/login", admin, "{\"keycloakUserId\":\"" + sub + "\"}").statusCode())
                .isEqualTo(204);
        String observationId = Calls.created(call(calls, mix, "create", 0, "C", "POST", "/Observation", system, observation(patientId, "98.1")));
        JsonNode stored = json(call(calls, mix, "read", 0, "R", "GET", "/Observation/" + observationId, system, null));
        ((com.fasterxml.jackson.databind.node.ObjectNode) stored.path("valueQuantity")).put("value", 98.4);
        call(calls, mix, "update", 0, "U", "PUT", "/Observation/" + observationId, system, stored.toString());
        call(calls, mix, "transaction", 0, "E", "POST", "", system, "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":["
                + "{\"fullUrl\":\"urn:uuid:" + UUID.randomUUID() + "\",\"resource\":" + observation(patientId, "97.9") + ",\"request\":{\"method\":\"POST\",\"url\":\"Observation\"}},"
                + "{\"fullUrl\":\"urn:uuid:" + UUID.randomUUID() + "\",\"resource\":" + observation(patientId, "98.0") + ",\"request\":{\"method\":\"POST\",\"url\":\"Observation\"}}]}");
        call(calls, mix, "read", 0, "R", "GET", "/Patient/" + patientId, patientToken, null);
        call(calls, mix, "search", 0, "R", "GET", "/Observation?subject=Patient/" + patientId, patientToken, null);
        call(calls, mix, "history", 0, "R", "GET", "/Observation/" + observationId + "/_history", patientToken, null);
        call(calls, mix, "operation", 0, "E", "GET", "/Patient/" + patientId + "/$everything", patientToken, null);
        call(calls, mix, "read", 4, "R", "GET", "/Patient/" + patientId, calls.token("demo-practitioner", "2"), null);
        call(calls, mix, "read", 4, "R", "GET", "/Patient/" + patientId, null, null);
        call(calls, mix, "create", 4, "C", "POST", "/Observation", system, "{\"resourceType\":\"Observation\",\"status\":\"no-such-status\","
                + "\"code\":{\"text\":\"x\"},\"subject\":{\"reference\":\"Patient/" + patientId + "\"}}");
        call(calls, mix, "create", 4, "C", "POST", "/AuditEvent", system, "{\"resourceType\":\"AuditEvent\",\"type\":{\"code\":\"rest\"},"
                + "\"recorded\":\"2026-01-01T00:00:00Z\",\"agent\":[{\"requestor\":true}],\"source\":{\"observer\":{\"display\":\"x\"}}}");
        call(calls, mix, "delete", 0, "D", "DELETE", "/Observation/" + observationId, system, null);

        for (Call c : mix) {
            JsonNode events = json(calls.api("GET", "/audit/events?requestId=" + c.requestId(), admin, null));
            assertThat(events).as("exactly one AuditEvent for " + c).hasSize(1);
            JsonNode event = events.get(0);
            assertThat(event.path("resourceType").asText()).isEqualTo("AuditEvent");
            assertThat(event.path("outcome").asText()).as(c.toString()).isEqualTo(String.valueOf(c.outcome()));
            assertThat(event.path("action").asText()).as(c.toString()).isEqualTo(c.action());
            assertThat(event.path("subtype").path(0).path("display").asText()).as(c.toString()).isEqualTo(c.kind());
        }

        JsonNode mine = json(calls.api("GET", "/audit/my-record", patientToken, null));
        StringBuilder seen = new StringBuilder();
        for (JsonNode e : mine) {
            seen.append(e.path("kind").asText()).append('/').append(e.path("outcome").asText()).append(' ');
        }
        assertThat(mine.size()).as("all but the refused AuditEvent write, which named no patient; saw " + seen + " of " + mix).isEqualTo(mix.size() - 1);
        JsonNode refused = json(calls.api("GET", "/audit/my-record?actor=demo-practitioner", patientToken, null));
        assertThat(refused).hasSize(1);
        assertThat(refused.get(0).path("outcome").asInt()).isEqualTo(4);
        assertThat(refused.get(0).path("roles").toString()).contains("practitioner");
        assertThat(refused.get(0).path("institutions").toString()).contains("st-mary");
        assertThat(json(calls.api("GET", "/audit/my-record?kind=search", patientToken, null))).hasSize(1);
        assertThat(calls.api("GET", "/audit/my-record", calls.token("demo-practitioner", "2"), null).statusCode()).isEqualTo(403);
        assertThat(calls.api("GET", "/audit/events?patientId=" + patientId, calls.token("demo-practitioner", "2"), null).statusCode()).isEqualTo(403);

        await("every AuditEvent sealed on the audit chain").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    JsonNode all = json(calls.api("GET", "/audit/my-record", calls.token(login, "1"), null));
                    for (JsonNode e : all) {
                        if (!e.path("sealed").asBoolean()) {
                            return false;
                        }
                    }
                    return true;
                });
    }

    private static HttpResponse<String> call(Calls calls, List<Call> mix, String kind, int outcome, String action, String method, String path,
                                             String token, String body) throws Exception {
        String requestId = "audit-" + UUID.randomUUID();
        HttpResponse<String> r = calls.fhir(method, path, token, body, requestId);
        assertThat(r.statusCode() < 400).as(method + " " + path + " -> " + r.statusCode() + " " + r.body()).isEqualTo(outcome == 0);
        mix.add(new Call(requestId, kind, outcome, action));
        return r;
    }

    private static String observation(String patientId, String value) {
        return "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"8310-5\"}]},"
                + "\"subject\":{\"reference\":\"Patient/" + patientId + "\"},"
                + "\"valueQuantity\":{\"value\":" + value + ",\"unit\":\"[degF]\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"[degF]\"}}";
    }
}
