package org.phrcloud.it.deployment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.keycloak.admin.client.Keycloak;
import org.phrcloud.identity.keycloak.DemoUser;
import org.phrcloud.identity.keycloak.RealmProvisioner;
import org.phrcloud.identity.token.TokenClient;
import org.phrcloud.identity.totp.Totp;
import org.phrcloud.it.support.Platform;
import org.phrcloud.it.support.PlatformExtension;
import org.phrcloud.it.support.ProductionKeycloak;
import org.phrcloud.it.support.ReplicaServers;
import org.phrcloud.tools.BrowserLogin;

import javax.net.ssl.SSLContext;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keycloak in production mode (Issue 21, part 2): {@code kc.sh start} on PostgreSQL, HTTPS with a certificate given by
 * configuration, the hostname set, the realm imported from the file the project makes from its provisioning code
 * ({@code RealmFile}); a server (Payara Server with the EAR, trusting that certificate) takes its tokens. The backend's
 * service account, as the file carries it, writes through FHIR; a care giver logs in with password and then TOTP
 * ({@code acr=2}) and reads through FHIR; with the password alone the same read asks for step-up.
 */
@ExtendWith(PlatformExtension.class)
class KeycloakProductionIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Platform platform;
    private static ProductionKeycloak keycloak;
    private static ReplicaServers server;
    private static SSLContext previousDefault;

    @BeforeAll
    static void productionKeycloakAndAServerTrustingIt() throws Exception {
        platform = PlatformExtension.platform();
        keycloak = ProductionKeycloak.start(platform, Integer.getInteger("phr.it.kcprod.https.port", 30443),
                Integer.getInteger("phr.it.kcprod.management.port", 30900));
        // the token and login clients use the JVM's default TLS: it must trust this Keycloak
        previousDefault = SSLContext.getDefault();
        SSLContext.setDefault(keycloak.trust());
        server = ReplicaServers.start(platform, "keycloak-production-server", "north-clinic", keycloak.issuer(), keycloak.certificate(),
                false, Integer.getInteger("phr.it.kcprod.portbase", 30400));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (keycloak != null) {
            keycloak.close();
        }
        if (previousDefault != null) {
            SSLContext.setDefault(previousDefault);
        }
    }

    @Test
    void theImportedRealmIssuesTokensTheServerTakesAndACareGiverStepsUpWithTotp() throws Exception {
        ReplicaServers.Replica replica = server.replicas().get(0);
        String realmFile = Files.readString(platform.workDir().resolve("keycloak-production/keycloak/data/import/realm-phr.json"));
        assertThat(realmFile).as("no secret in the realm file").doesNotContain(platform.realm().backendClientSecret())
                .contains("${PHR_BACKEND_CLIENT_SECRET}").contains("\"serviceAccountClientId\" : \"phr-backend\"");

        // the backend's service account as the file made it: its institution travels in the token
        String service = new TokenClient(keycloak.issuer(), platform.realm().backendClientId(), platform.realm().backendClientSecret())
                .clientCredentials();
        JsonNode serviceClaims = BrowserLogin.claims(service);
        assertThat(serviceClaims.path("iss").asText()).isEqualTo(keycloak.issuer());
        assertThat(serviceClaims.path("institutions").toString()).contains("/institutions/st-mary");
        HttpResponse<String> created = send(replica.fhirBase() + "/Patient", "POST", service, "{\"resourceType\":\"Patient\",\"identifier\":[{"
                + "\"system\":\"urn:oid:2.16.840.1.113883.4.1\",\"value\":\"KCPROD-" + UUID.randomUUID() + "\"}],"
                + "\"name\":[{\"family\":\"Produktion\",\"given\":[\"Karla\"]}],\"gender\":\"female\",\"birthDate\":\"1975-05-05\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String patientId = JSON.readTree(created.body()).path("id").asText();

        // people's accounts come from the admins, not from the file: here the provisioning code's demo accounts
        try (Keycloak admin = keycloak.admin(platform)) {
            new RealmProvisioner(admin, keycloak.url()).provision(platform.portalUrl(), true, platform.realm());
        }
        DemoUser practitioner = platform.realm().user("demo-practitioner");
        BrowserLogin login = new BrowserLogin(keycloak.issuer(), platform.realm().portalClientId(), platform.portalUrl() + "/callback");
        String stepUp = login.login("2", practitioner.username(), practitioner.password(), practitioner.totpSecret());
        assertThat(BrowserLogin.claims(stepUp).path("acr").asText()).isEqualTo("2");
        HttpResponse<String> read = send(replica.fhirBase() + "/Patient/" + patientId, "GET", stepUp, null);
        assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
        assertThat(JSON.readTree(read.body()).path("name").path(0).path("family").asText()).isEqualTo("Produktion");

        // the password alone is not enough for a care giver: the server asks for step-up (RFC 9470)
        String passwordOnly = new TokenClient(keycloak.issuer(), platform.realm().backendClientId(), platform.realm().backendClientSecret())
                .password(practitioner.username(), practitioner.password(), Totp.code(practitioner.totpSecret(), Instant.now()));
        HttpResponse<String> refused = send(replica.fhirBase() + "/Patient/" + patientId, "GET", passwordOnly, null);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.headers().firstValue("WWW-Authenticate").orElse("")).contains("insufficient_user_authentication");
    }

    private static HttpResponse<String> send(String url, String method, String token, String body) throws Exception {
        return ReplicaServers.call(url, method, token, body);
    }
}
