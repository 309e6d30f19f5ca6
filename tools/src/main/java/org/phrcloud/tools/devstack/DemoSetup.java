package org.phrcloud.tools.devstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.phrcloud.identity.keycloak.DemoUser;
import org.phrcloud.identity.PhrRole;
import org.phrcloud.identity.keycloak.ProvisionedRealm;
import org.phrcloud.identity.token.TokenClient;
import org.phrcloud.tools.BrowserLogin;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.StreamSupport;

/**
 * The last steps of {@code ./phr up} on the running platform: the demo patient's login linked to a Synthea patient, and
 * the summary of what is up.
 */
public final class DemoSetup {
    /** Synthea's patient identifier system; every generated Patient carries one. */
    static final String SYNTHEA_IDENTIFIER_SYSTEM = "https://github.com/synthetichealth/synthea";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private DemoSetup() {
    }

    /**
     * Links the login {@code demo-patient} to the identity of the first Synthea Patient the FHIR server finds: the admin
     * at {@code acr=2} (browser login, password and TOTP) calls {@code PUT /api/identity/patients/{pseudonym}/login}
     * with the patient login's Keycloak user id.
     *
     * @param baseUrl the deployment's base URL, e.g. {@code http://127.0.0.1:8080/} ({@code fhir/}, {@code api/},
     *                {@code portal/callback} below it)
     * @return {@code {"patient": "Patient/ID", "pseudonym": "HEX"}}
     * @throws IllegalStateException when there is no Synthea patient or a call is refused (its status and body)
     */
    public static ObjectNode linkDemoPatient(ProvisionedRealm realm, String baseUrl) throws IOException, InterruptedException {
        String system = new TokenClient(realm.issuer(), realm.backendClientId(), realm.backendClientSecret()).clientCredentials();
        JsonNode bundle = get(baseUrl + "fhir/Patient?identifier="
                + URLEncoder.encode(SYNTHEA_IDENTIFIER_SYSTEM + "|", StandardCharsets.UTF_8) + "&_count=1", system);
        String id = bundle.path("entry").path(0).path("resource").path("id").asText();
        if (id.isEmpty()) {
            throw new IllegalStateException("the FHIR server holds no Synthea patient");
        }
        String pseudonym = get(baseUrl + "api/identity/patients?patientId=" + id, system).path("pseudonym").asText();
        String admin = login(realm, baseUrl, "demo-admin", "2");
        String patientSub = BrowserLogin.claims(login(realm, baseUrl, "demo-patient", "1")).path("sub").asText();
        HttpResponse<String> linked = HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + "api/identity/patients/" + pseudonym + "/login"))
                .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(JSON.createObjectNode().put("keycloakUserId", patientSub).toString()))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (linked.statusCode() != 204) {
            throw new IllegalStateException("the link answered " + linked.statusCode() + " " + linked.body());
        }
        return JSON.createObjectNode().put("patient", "Patient/" + id).put("pseudonym", pseudonym);
    }

    /**
     * What {@code ./phr up} started, as JSON (written to {@code .phr/up.json}, mode 600, since it holds the demo users'
     * passwords) and as the text it prints.
     *
     * @param stack       the ports and the secrets folder
     * @param realm       the provisioned realm
     * @param load        the loader's summary ({@code patients}, {@code resourcesByType}, {@code millis})
     * @param demoPatient {@link #linkDemoPatient}'s answer
     * @param seed        Synthea's seed; {@code years} its years of history; {@code seconds} how long {@code up} took
     */
    public static ObjectNode summary(Ports stack, ProvisionedRealm realm, JsonNode load, JsonNode demoPatient, int seed, int years,
                                     long seconds) {
        ObjectNode up = JSON.createObjectNode();
        ObjectNode urls = up.putObject("urls");
        urls.put("fhir", stack.base() + "fhir").put("portal", stack.base() + "portal").put("keycloak", stack.keycloak())
                .put("keycloakAdminConsole", stack.keycloak() + "/admin/").put("issuer", realm.issuer())
                .put("anvil", "http://127.0.0.1:" + stack.anvil()).put("payaraAdmin", "http://127.0.0.1:" + stack.payaraAdmin())
                .put("hl7v2Mllp", "127.0.0.1:" + stack.mllp()).put("hl7v2Http", stack.base() + "api/hl7v2");
        up.putObject("keycloakAdmin").put("username", "admin").put("passwordFile", stack.secrets().resolve("keycloak-admin.password").toString());
        ObjectNode clients = up.putObject("clients");
        clients.putObject("backend").put("clientId", realm.backendClientId()).put("clientSecret", realm.backendClientSecret());
        clients.putObject("portal").put("clientId", realm.portalClientId());
        up.set("users", JSON.valueToTree(realm.users()));
        up.set("demoPatient", demoPatient);
        up.putArray("institutions").add("st-mary (demo care givers and the phr-backend system)").add("north-clinic");
        long resources = StreamSupport.stream(load.path("resourcesByType").spliterator(), false).mapToLong(JsonNode::asLong).sum();
        ObjectNode data = up.putObject("data");
        data.put("generator", "Synthea").put("seed", seed).put("yearsOfHistory", years).put("patients", load.path("patients").asInt())
                .put("resources", resources).set("resourcesByType", load.path("resourcesByType"));
        data.put("loadMillis", load.path("millis").asLong());
        up.put("upSeconds", seconds);
        return up;
    }

    /** The text {@code ./phr up} ends with, from {@link #summary}'s JSON written to {@code file}. */
    public static String text(ObjectNode up, String file) {
        JsonNode urls = up.path("urls");
        StringBuilder s = new StringBuilder("\nPHR Cloud is up (" + up.path("upSeconds").asLong() + " s)\n");
        s.append("  FHIR R4     ").append(urls.path("fhir").asText()).append("   (bearer token required; /metadata is public)\n");
        s.append("  portal      ").append(urls.path("portal").asText()).append('\n');
        s.append("  Keycloak    ").append(urls.path("keycloak").asText()).append("   realm phr, admin console ")
                .append(urls.path("keycloakAdminConsole").asText()).append('\n');
        s.append("  anvil       ").append(urls.path("anvil").asText()).append("   chain id 31337\n");
        s.append("  data        ").append(up.path("data").path("patients").asInt()).append(" Synthea patients, ")
                .append(up.path("data").path("resources").asLong()).append(" resources\n");
        String api = urls.path("fhir").asText().replaceAll("fhir$", "api");
        s.append("  identity    ").append(api).append("/identity   (OpenAPI: ").append(api.replaceAll("api$", "openapi")).append(")\n");
        s.append("  HL7 v2      MLLP ").append(urls.path("hl7v2Mllp").asText())
                .append(" (MSH-4 = a registered institution, e.g. st-mary), HTTP ").append(urls.path("hl7v2Http").asText()).append('\n');
        s.append("  demo users  (password, TOTP secret for an authenticator app; ./phr totp USER prints a code)\n");
        for (JsonNode u : up.path("users")) {
            s.append(String.format("    %-20s%-20s%s%n", u.path("username").asText(), u.path("password").asText(), u.path("totpSecret").asText()));
        }
        String pseudonym = up.path("demoPatient").path("pseudonym").asText();
        s.append("  demo-patient sees ").append(up.path("demoPatient").path("patient").asText()).append(" (pseudonym ")
                .append(pseudonym, 0, Math.min(16, pseudonym.length())).append("...)\n");
        s.append("  care givers belong to st-mary (St Mary's Hospital) and see its patients\n");
        s.append("  all of this as JSON: ").append(file).append('\n');
        return s.toString();
    }

    /**
     * The development stack's addresses.
     *
     * @param base        the deployment's base URL with a trailing slash
     * @param keycloak    Keycloak's base URL
     * @param anvil       anvil's JSON-RPC port; {@code payaraAdmin} Payara's admin port; {@code mllp} the MLLP port
     * @param secrets     the secrets folder
     */
    public record Ports(String base, String keycloak, int anvil, int payaraAdmin, int mllp, java.nio.file.Path secrets) {
    }

    /**
     * An access token of a demo user through the portal's browser login (authorization code with PKCE, password, then
     * the TOTP code): care roles and admins at {@code acr=2} (their APIs demand it), patients at {@code acr=1}.
     *
     * @throws IllegalArgumentException when the realm has no such user (PHR-IDENTITY-0010)
     */
    public static String token(ProvisionedRealm realm, String baseUrl, String username) throws IOException, InterruptedException {
        return login(realm, baseUrl, username, realm.user(username).role() == PhrRole.PATIENT ? "1" : "2");
    }

    private static String login(ProvisionedRealm realm, String baseUrl, String username, String acr) throws IOException, InterruptedException {
        DemoUser user = realm.user(username);
        return new BrowserLogin(realm.issuer(), realm.portalClientId(), baseUrl + "portal/callback")
                .login(acr, user.username(), user.password(), user.totpSecret());
    }

    private static JsonNode get(String url, String token) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + URI.create(url).getPath() + " answered " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }
}
