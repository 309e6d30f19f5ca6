package org.phrcloud.standards.fhir.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.Extension;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The SMART discovery document and CapabilityStatement security, field by field (SMART App Launch 2, "Conformance"). */
class SmartConfigurationTest {
    private final SmartConfiguration smart = new SmartConfiguration("https://login.example/realms/phr/");

    @Test
    void theDocumentNamesTheRealmsEndpointsAndWhatWorksHere() throws Exception {
        JsonNode d = new ObjectMapper().readTree(smart.document("https://phr.example/fhir/"));
        assertThat(d.path("issuer").asText()).isEqualTo("https://login.example/realms/phr");
        assertThat(d.path("jwks_uri").asText()).isEqualTo("https://login.example/realms/phr/protocol/openid-connect/certs");
        assertThat(d.path("authorization_endpoint").asText()).isEqualTo("https://phr.example/fhir/auth/authorize");
        assertThat(d.path("token_endpoint").asText()).isEqualTo("https://phr.example/fhir/auth/token");
        assertThat(d.path("introspection_endpoint").asText()).isEqualTo("https://login.example/realms/phr/protocol/openid-connect/token/introspect");
        assertThat(d.path("code_challenge_methods_supported").toString()).isEqualTo("[\"S256\"]");
        assertThat(d.path("token_endpoint_auth_methods_supported").toString())
                .isEqualTo("[\"client_secret_basic\",\"client_secret_post\",\"private_key_jwt\"]");
        assertThat(d.path("token_endpoint_auth_signing_alg_values_supported").toString()).isEqualTo("[\"ES384\",\"RS384\"]");
        assertThat(d.path("grant_types_supported").toString()).isEqualTo("[\"authorization_code\",\"client_credentials\"]");
        assertThat(d.path("capabilities").toString()).isEqualTo("[\"launch-standalone\",\"context-standalone-patient\",\"client-public\","
                + "\"client-confidential-symmetric\",\"sso-openid-connect\",\"permission-v1\",\"permission-v2\",\"permission-patient\","
                + "\"permission-user\"]");
        assertThat(d.path("capabilities").toString()).as("not built yet").doesNotContain("client-confidential-asymmetric")
                .doesNotContain("launch-ehr");
        assertThat(d.path("scopes_supported").toString()).contains("\"openid\"", "\"fhirUser\"", "\"launch/patient\"",
                "\"patient/Observation.rs\"", "\"user/*.cruds\"", "\"system/*.rs\"", "\"patient/Condition.read\"");
    }

    @Test
    void theCapabilityStatementDeclaresTheSmartServiceAndItsOAuthUris() {
        CapabilityStatement statement = new CapabilityStatement();
        statement.addRest().setMode(CapabilityStatement.RestfulCapabilityMode.SERVER);
        smart.describe(smart.describe(statement, "https://phr.example/fhir"), "https://phr.example/fhir");
        CapabilityStatement.CapabilityStatementRestSecurityComponent security = statement.getRestFirstRep().getSecurity();
        assertThat(security.getCors()).isTrue();
        assertThat(security.getService()).hasSize(1);
        assertThat(security.getServiceFirstRep().getCodingFirstRep().getSystem()).isEqualTo("http://terminology.hl7.org/CodeSystem/restful-security-service");
        assertThat(security.getServiceFirstRep().getCodingFirstRep().getCode()).isEqualTo("SMART-on-FHIR");
        assertThat(security.getExtension()).as("once, however often described").hasSize(1);
        Extension uris = security.getExtensionByUrl("http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris");
        assertThat(uris.getExtensionByUrl("authorize").getValue().primitiveValue())
                .isEqualTo("https://phr.example/fhir/auth/authorize");
        assertThat(uris.getExtensionByUrl("token").getValue().primitiveValue()).isEqualTo("https://phr.example/fhir/auth/token");
    }
}
