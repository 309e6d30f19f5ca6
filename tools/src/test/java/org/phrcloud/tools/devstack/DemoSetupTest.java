package org.phrcloud.tools.devstack;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.phrcloud.identity.PhrRole;
import org.phrcloud.identity.keycloak.DemoUser;
import org.phrcloud.identity.keycloak.ProvisionedRealm;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What {@code ./phr up} reports at its end, written out. */
class DemoSetupTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theSummaryNamesEveryAddressTheUsersAndTheData() throws Exception {
        ProvisionedRealm realm = new ProvisionedRealm("phr", "http://127.0.0.1:8180/realms/phr", "phr-backend", "backend-secret",
                "phr-portal", List.of(new DemoUser("demo-patient", "pw-patient", PhrRole.PATIENT, "TOTPSECRET1"),
                new DemoUser("demo-admin", "pw-admin", PhrRole.ADMIN, "TOTPSECRET2")), "directory-secret", "phr-portal-web", "web-secret");
        ObjectNode up = DemoSetup.summary(new DemoSetup.Ports("http://127.0.0.1:8080/", "http://127.0.0.1:8180", 8545, 8048, 2575,
                        Path.of("/h/secrets")), realm,
                JSON.readTree("{\"patients\":20,\"resourcesByType\":{\"Patient\":20,\"Observation\":300},\"millis\":61000}"),
                JSON.readTree("{\"patient\":\"Patient/7\",\"pseudonym\":\"0123456789abcdef0123\"}"), 42, 5, 662);

        assertThat(up.path("urls").toString()).isEqualTo("{\"fhir\":\"http://127.0.0.1:8080/fhir\",\"portal\":\"http://127.0.0.1:8080/portal\","
                + "\"keycloak\":\"http://127.0.0.1:8180\",\"keycloakAdminConsole\":\"http://127.0.0.1:8180/admin/\","
                + "\"issuer\":\"http://127.0.0.1:8180/realms/phr\",\"anvil\":\"http://127.0.0.1:8545\",\"payaraAdmin\":\"http://127.0.0.1:8048\","
                + "\"hl7v2Mllp\":\"127.0.0.1:2575\",\"hl7v2Http\":\"http://127.0.0.1:8080/api/hl7v2\"}");
        assertThat(up.path("data").toString()).isEqualTo("{\"generator\":\"Synthea\",\"seed\":42,\"yearsOfHistory\":5,\"patients\":20,"
                + "\"resources\":320,\"resourcesByType\":{\"Patient\":20,\"Observation\":300},\"loadMillis\":61000}");
        assertThat(up.path("keycloakAdmin").toString()).isEqualTo("{\"username\":\"admin\",\"passwordFile\":\"/h/secrets/keycloak-admin.password\"}");
        assertThat(up.path("clients").toString()).isEqualTo(
                "{\"backend\":{\"clientId\":\"phr-backend\",\"clientSecret\":\"backend-secret\"},\"portal\":{\"clientId\":\"phr-portal\"}}");
        assertThat(up.path("users").path(1).toString()).isEqualTo(
                "{\"username\":\"demo-admin\",\"password\":\"pw-admin\",\"role\":\"ADMIN\",\"totpSecret\":\"TOTPSECRET2\"}");
        assertThat(up.path("upSeconds").asLong()).isEqualTo(662);

        assertThat(DemoSetup.text(up, "/h/up.json")).isEqualTo("""

                PHR Cloud is up (662 s)
                  FHIR R4     http://127.0.0.1:8080/fhir   (bearer token required; /metadata is public)
                  portal      http://127.0.0.1:8080/portal
                  Keycloak    http://127.0.0.1:8180   realm phr, admin console http://127.0.0.1:8180/admin/
                  anvil       http://127.0.0.1:8545   chain id 31337
                  data        20 Synthea patients, 320 resources
                  identity    http://127.0.0.1:8080/api/identity   (OpenAPI: http://127.0.0.1:8080/openapi)
                  HL7 v2      MLLP 127.0.0.1:2575 (MSH-4 = a registered institution, e.g. st-mary), HTTP http://127.0.0.1:8080/api/hl7v2
                  demo users  (password, TOTP secret for an authenticator app; ./phr totp USER prints a code)
                    demo-patient        pw-patient          TOTPSECRET1
                    demo-admin          pw-admin            TOTPSECRET2
                  demo-patient sees Patient/7 (pseudonym 0123456789abcdef...)
                  care givers belong to st-mary (St Mary's Hospital) and see its patients
                  all of this as JSON: /h/up.json
                """);
    }
}
