package org.phrcloud.it.smart;

import com.fasterxml.jackson.databind.JsonNode;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.phrcloud.identity.keycloak.DemoUser;
import org.phrcloud.identity.keycloak.RealmProvisioner;
import org.phrcloud.it.support.Calls;
import org.phrcloud.it.support.Platform;
import org.phrcloud.it.support.PlatformExtension;
import org.phrcloud.tools.BrowserLogin;

import java.io.File;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SMART App Launch against the real Keycloak and Payara (issue 23): the discovery document and the CapabilityStatement
 * name the realm's endpoints and what works here; a SMART app (the example public client {@code phr-smart-app},
 * authorization code with PKCE S256) that the patient grants {@code patient/Observation.rs} reads her Observations and
 * is refused her Condition, her Patient and a write; an app granted {@code patient/*.rs} reads the Condition; and a
 * scope never widens what the patient may reach (another patient's record stays refused).
 */
@ExtendWith(PlatformExtension.class)
@ExtendWith(ArquillianExtension.class)
class SmartAppIT {
    private static final String NATIONAL_ID = "urn:oid:2.16.840.1.113883.4.1";
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
    void discoveryNamesTheRealmsEndpointsAndWhatWorksHere() throws Exception {
        Calls calls = new Calls(platform);
        HttpResponse<String> found = calls.fhir("GET", "/.well-known/smart-configuration", null, null);
        assertThat(found.statusCode()).as(found.body()).isEqualTo(200);
        assertThat(found.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        JsonNode smart = Calls.json(found);
        String issuer = platform.realm().issuer();
        assertThat(smart.path("issuer").asText()).isEqualTo(issuer);
        assertThat(smart.path("authorization_endpoint").asText()).isEqualTo(issuer + "/protocol/openid-connect/auth");
        assertThat(smart.path("token_endpoint").asText()).isEqualTo(issuer + "/protocol/openid-connect/token");
        assertThat(smart.path("jwks_uri").asText()).isEqualTo(issuer + "/protocol/openid-connect/certs");
        assertThat(smart.path("code_challenge_methods_supported").toString()).isEqualTo("[\"S256\"]");
        assertThat(texts(smart.path("capabilities"))).contains("launch-standalone", "client-public", "client-confidential-symmetric",
                "sso-openid-connect", "permission-v1", "permission-v2", "permission-patient", "permission-user");
        assertThat(texts(smart.path("scopes_supported"))).contains("openid", "patient/Observation.rs", "patient/*.rs", "user/*.cruds",
                "system/*.rs", "patient/Observation.read");
        assertThat(texts(smart.path("grant_types_supported"))).containsExactly("authorization_code", "client_credentials");

        JsonNode metadata = Calls.json(calls.fhir("GET", "/metadata", null, null));
        JsonNode security = metadata.path("rest").get(0).path("security");
        assertThat(security.path("service").get(0).path("coding").get(0).path("code").asText()).isEqualTo("SMART-on-FHIR");
        assertThat(security.path("service").get(0).path("coding").get(0).path("system").asText())
                .isEqualTo("http://terminology.hl7.org/CodeSystem/restful-security-service");
        JsonNode uris = security.path("extension").get(0);
        assertThat(uris.path("url").asText()).isEqualTo("http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris");
        assertThat(uris.toString()).contains(issuer + "/protocol/openid-connect/auth").contains(issuer + "/protocol/openid-connect/token");
    }

    @Test
    void anAppGrantedHerObservationsReadsThemAndNothingElse() throws Exception {
        Calls calls = new Calls(platform);
        // a patient with a Patient, an Observation and a Condition, her login linked; and another patient
        String mrn = "SMART-" + UUID.randomUUID();
        HttpResponse<String> registered = calls.api("POST", "/identity/patients", calls.token("demo-admin", "2"), "{\"homeInstitution\":"
                + "\"st-mary\",\"demographics\":{\"identifiers\":[{\"system\":\"" + NATIONAL_ID + "\",\"value\":\"" + mrn + "\"}],"
                + "\"family\":\"Appleby\",\"given\":[\"Sam\"],\"birthDate\":\"1990-05-01\",\"gender\":\"female\"}}");
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
        String pseudonym = Calls.json(registered).path("identity").path("pseudonym").asText();
        String other = "SMART-OTHER-" + UUID.randomUUID();
        String p1 = "urn:uuid:" + UUID.randomUUID();
        String p2 = "urn:uuid:" + UUID.randomUUID();
        HttpResponse<String> written = calls.fhir("POST", "", platform.serviceToken(), "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":["
                + entry(p1, "Patient", "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"" + NATIONAL_ID + "\",\"value\":\""
                        + mrn + "\"}],\"name\":[{\"family\":\"Appleby\",\"given\":[\"Sam\"]}],\"gender\":\"female\",\"birthDate\":\"1990-05-01\"}") + ","
                + entry("urn:uuid:" + UUID.randomUUID(), "Observation", "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"coding\":[{\"system\":"
                        + "\"http://loinc.org\",\"code\":\"15074-8\"}]},\"subject\":{\"reference\":\"" + p1 + "\"},\"effectiveDateTime\":"
                        + "\"2026-12-01T08:00:00Z\",\"valueQuantity\":{\"value\":5.8,\"unit\":\"mmol/L\",\"system\":\"http://unitsofmeasure.org\","
                        + "\"code\":\"mmol/L\"}}") + ","
                + entry("urn:uuid:" + UUID.randomUUID(), "Condition", "{\"resourceType\":\"Condition\",\"subject\":{\"reference\":\"" + p1 + "\"},\"code\":"
                        + "{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":\"44054006\"}]}}") + ","
                + entry(p2, "Patient", "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"" + NATIONAL_ID + "\",\"value\":\""
                        + other + "\"}],\"name\":[{\"family\":\"Otherton\"}],\"gender\":\"male\",\"birthDate\":\"1970-01-01\"}") + ","
                + entry("urn:uuid:" + UUID.randomUUID(), "Observation", "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"coding\":[{\"system\":"
                        + "\"http://loinc.org\",\"code\":\"15074-8\"}]},\"subject\":{\"reference\":\"" + p2 + "\"}}") + "]}");
        assertThat(written.statusCode()).as(written.body()).isEqualTo(200);
        String patientId = Calls.json(written).path("entry").get(0).path("response").path("location").asText().split("/")[1];
        String otherId = Calls.json(written).path("entry").get(3).path("response").path("location").asText().split("/")[1];
        DemoUser sam = platform.realm().user(Platform.extraPatient(25));
        String sub = BrowserLogin.claims(calls.token(sam.username(), "1")).path("sub").asText();
        assertThat(calls.api("PUT", "/identity/patients/" + pseudonym + "/login", calls.token("demo-admin", "2"),
                "{\"keycloakUserId\":\"" + sub + "\"}").statusCode()).isEqualTo(204);

        // the app asks for her Observations only; Keycloak grants that scope
        String observationsOnly = smartLogin(sam, "openid patient/Observation.rs");
        assertThat(BrowserLogin.claims(observationsOnly).path("scope").asText().split(" ")).contains("patient/Observation.rs")
                .doesNotContain("patient/Condition.rs", "patient/*.rs");
        assertThat(BrowserLogin.claims(observationsOnly).path("azp").asText()).isEqualTo(RealmProvisioner.SMART_APP_CLIENT);
        HttpResponse<String> observations = calls.fhir("GET", "/Observation?patient=" + patientId, observationsOnly, null);
        assertThat(observations.statusCode()).as(observations.body()).isEqualTo(200);
        assertThat(Calls.json(observations).path("total").asInt()).isEqualTo(1);
        assertThat(observations.body()).contains("5.8");
        assertRefused(calls.fhir("GET", "/Condition?patient=" + patientId, observationsOnly, null), "search on Condition");
        assertRefused(calls.fhir("GET", "/Patient/" + patientId, observationsOnly, null), "read on Patient");
        assertRefused(calls.fhir("GET", "/Patient/" + patientId + "/$everything", observationsOnly, null), "read on Patient");
        assertRefused(calls.fhir("POST", "/Observation", observationsOnly, "{\"resourceType\":\"Observation\",\"status\":\"final\","
                + "\"code\":{\"text\":\"steps\"},\"subject\":{\"reference\":\"Patient/" + patientId + "\"},\"valueQuantity\":{\"value\":8000}}"),
                "create on Observation");

        // an app granted every type reads the Condition; no scope opens another patient's record
        String everything = smartLogin(sam, "openid patient/*.cruds");
        HttpResponse<String> conditions = calls.fhir("GET", "/Condition?patient=" + patientId, everything, null);
        assertThat(conditions.statusCode()).as(conditions.body()).isEqualTo(200);
        assertThat(Calls.json(conditions).path("total").asInt()).isEqualTo(1);
        HttpResponse<String> theirs = calls.fhir("GET", "/Observation?patient=" + otherId, everything, null);
        assertThat(theirs.statusCode()).as(theirs.body()).isEqualTo(403);
        assertThat(theirs.body()).doesNotContain("PHR-AUTHZ-0020");
    }

    private static String smartLogin(DemoUser user, String scope) throws Exception {
        return new BrowserLogin(platform.realm().issuer(), RealmProvisioner.SMART_APP_CLIENT, platform.portalUrl() + "/smart-app", scope)
                .login("1", user.username(), user.password(), user.totpSecret());
    }

    private static void assertRefused(HttpResponse<String> response, String what) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(403);
        assertThat(response.body()).contains("OperationOutcome").contains("PHR-AUTHZ-0020").contains(what);
    }

    private static String entry(String fullUrl, String type, String resource) {
        return "{\"fullUrl\":\"" + fullUrl + "\",\"resource\":" + resource + ",\"request\":{\"method\":\"POST\",\"url\":\"" + type + "\"}}";
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
