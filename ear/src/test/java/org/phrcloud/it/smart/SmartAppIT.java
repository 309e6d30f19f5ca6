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

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.phrcloud.it.support.Browser;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SMART App Launch against the real Keycloak and Payara (issue 23): the discovery document and the CapabilityStatement
 * name the endpoints and what works here; the authorization endpoint checks {@code aud}; a stock app (npm
 * {@code fhirclient} in headless Chromium) launches with the patient in context; a SMART app (the example public client {@code phr-smart-app},
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
        assertThat(smart.path("authorization_endpoint").asText()).isEqualTo(platform.fhirBase() + "/auth/authorize");
        assertThat(smart.path("token_endpoint").asText()).isEqualTo(platform.fhirBase() + "/auth/token");
        assertThat(found.headers().firstValue("Access-Control-Allow-Origin")).as("browser apps read it").contains("*");
        assertThat(smart.path("jwks_uri").asText()).isEqualTo(issuer + "/protocol/openid-connect/certs");
        assertThat(smart.path("code_challenge_methods_supported").toString()).isEqualTo("[\"S256\"]");
        assertThat(texts(smart.path("capabilities"))).contains("launch-standalone", "context-standalone-patient", "client-public", "client-confidential-symmetric",
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
        assertThat(uris.toString()).contains(platform.fhirBase() + "/auth/authorize").contains(platform.fhirBase() + "/auth/token");

        // the authorization endpoint sends a request for this server on to Keycloak and refuses one for another server
        HttpClient http = HttpClient.newHttpClient();
        String query = "response_type=code&client_id=" + RealmProvisioner.SMART_APP_CLIENT + "&scope=openid&state=s1&aud=";
        HttpResponse<String> forUs = http.send(HttpRequest.newBuilder(URI.create(platform.fhirBase() + "/auth/authorize?" + query
                + URLEncoder.encode(platform.fhirBase(), StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(forUs.statusCode()).isEqualTo(302);
        assertThat(forUs.headers().firstValue("Location").orElseThrow()).isEqualTo(issuer + "/protocol/openid-connect/auth?" + query
                + URLEncoder.encode(platform.fhirBase(), StandardCharsets.UTF_8));
        HttpResponse<String> forOthers = http.send(HttpRequest.newBuilder(URI.create(platform.fhirBase() + "/auth/authorize?" + query
                + URLEncoder.encode("https://other.example/fhir", StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(forOthers.statusCode()).isEqualTo(400);
        assertThat(Calls.json(forOthers).path("error").asText()).isEqualTo("invalid_request");
        assertThat(Calls.json(forOthers).path("error_description").asText()).startsWith("PHR-AUTHZ-0021");
        // the token endpoint answers as Keycloak's does for a code it never issued
        HttpResponse<String> badCode = http.send(HttpRequest.newBuilder(URI.create(platform.fhirBase() + "/auth/token"))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(
                        "grant_type=authorization_code&code=never-issued&client_id=" + RealmProvisioner.SMART_APP_CLIENT
                                + "&redirect_uri=" + URLEncoder.encode(platform.portalUrl() + "/smart-app", StandardCharsets.UTF_8)))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(badCode.statusCode()).as(badCode.body()).isEqualTo(400);
        assertThat(Calls.json(badCode).path("error").asText()).isEqualTo("invalid_grant");
        assertThat(badCode.headers().firstValue("Cache-Control")).contains("no-store");
    }

    /**
     * A stock SMART app (npm {@code fhirclient} in a page of its own origin, headless Chromium): standalone launch with
     * {@code launch/patient}, the patient signs in with password and TOTP, and the app gets her in context (token
     * response {@code patient}, ID token {@code fhirUser}) and reads her Patient, Observations and Condition; a second app
     * granted {@code patient/Observation.rs} only reads the Observations and is refused the Patient and the Condition.
     */
    @Test
    void aStockSmartAppLaunchesWithThePatientInContextAndReadsWhatItsScopesAllow() throws Exception {
        Assumptions.assumeTrue(Browser.available(), "Chromium is not installed here");
        Calls calls = new Calls(platform);
        SmartPatient p = smartPatient(calls, Platform.extraPatient(26), "Brightwater");
        HttpServer app = appServer();
        try {
            String appBase = "http://127.0.0.1:" + app.getAddress().getPort() + "/app";
            try (org.keycloak.admin.client.Keycloak admin = platform.keycloakAdmin()) {
                RealmProvisioner.registerSmartApp(admin.realm(platform.realm().realm()), "it-fhirclient-full", "fhirclient app (all her records)", appBase);
                RealmProvisioner.registerSmartApp(admin.realm(platform.realm().realm()), "it-fhirclient-obs", "fhirclient app (Observations)", appBase);
            }

            JsonNode full = launch(p.user(), appBase, "it-fhirclient-full", "openid fhirUser launch/patient patient/*.rs");
            assertThat(full.path("error").isMissingNode()).as(full.toString()).isTrue();
            assertThat(full.path("patient").asText()).isEqualTo(p.patientId());
            assertThat(full.path("fhirUser").asText()).isEqualTo("Patient/" + p.patientId());
            assertThat(full.path("scope").asText().split(" ")).contains("launch/patient", "patient/*.rs", "fhirUser");
            assertThat(full.path("family").asText()).isEqualTo("Brightwater");
            assertThat(full.path("observations").asText()).isEqualTo("1 5.8");
            assertThat(full.path("condition").asText()).isEqualTo("1 44054006");

            JsonNode narrow = launch(p.user(), appBase, "it-fhirclient-obs", "openid launch/patient patient/Observation.rs");
            assertThat(narrow.path("error").isMissingNode()).as(narrow.toString()).isTrue();
            assertThat(narrow.path("patient").asText()).isEqualTo(p.patientId());
            assertThat(narrow.path("observations").asText()).isEqualTo("1 5.8");
            assertThat(narrow.path("family").asText()).startsWith("ERROR 403").contains("PHR-AUTHZ-0020");
            assertThat(narrow.path("condition").asText()).startsWith("ERROR 403").contains("PHR-AUTHZ-0020");
        } finally {
            app.stop(0);
        }
    }

    /**
     * SMART Backend Services: an admin registers an institution's system with its public keys (JWK Set); the system,
     * written with an ordinary JWT library (Nimbus JOSE + JWT), signs a client assertion (RFC 7523, ES384 and RS384,
     * {@code aud} the issuer) and gets a token at the SMART token endpoint with {@code system/*.rs}; it reads the
     * institution's records and is refused a write by its scope; an assertion signed by a key not registered gets no token.
     */
    @Test
    void anInstitutionSystemAuthenticatesWithASignedClientAssertionAndReadsWithinItsScopes() throws Exception {
        Calls calls = new Calls(platform);
        String admin = calls.token("demo-admin", "2");
        ECKey ecKey = new ECKeyGenerator(Curve.P_384).keyID("lab-ec-1").keyUse(KeyUse.SIGNATURE).generate();
        RSAKey rsaKey = new RSAKeyGenerator(2048).keyID("lab-rsa-1").keyUse(KeyUse.SIGNATURE).generate();
        String publicKeys = new JWKSet(List.of(ecKey.toPublicJWK(), rsaKey.toPublicJWK())).toString(true);
        String clientId = "it-lab-system-" + UUID.randomUUID().toString().substring(0, 8);

        HttpResponse<String> withPrivateKey = calls.api("POST", "/identity/admin/institutions/st-mary/systems", admin,
                "{\"clientId\":\"" + clientId + "\",\"jwks\":" + new JWKSet(ecKey).toString(false) + "}");
        assertThat(withPrivateKey.statusCode()).as(withPrivateKey.body()).isEqualTo(400);
        assertThat(withPrivateKey.body()).contains("PHR-IDENTITY-0512");
        HttpResponse<String> nowhere = calls.api("POST", "/identity/admin/institutions/no-such-place/systems", admin,
                "{\"clientId\":\"" + clientId + "\",\"jwks\":" + publicKeys + "}");
        assertThat(nowhere.statusCode()).as(nowhere.body()).isEqualTo(400);
        assertThat(nowhere.body()).contains("PHR-IDENTITY-0511");
        HttpResponse<String> byDoctor = calls.api("POST", "/identity/admin/institutions/st-mary/systems", calls.token("demo-practitioner", "2"),
                "{\"clientId\":\"" + clientId + "\",\"jwks\":" + publicKeys + "}");
        assertThat(byDoctor.statusCode()).as(byDoctor.body()).isEqualTo(403);
        HttpResponse<String> registered = calls.api("POST", "/identity/admin/institutions/st-mary/systems", admin,
                "{\"clientId\":\"" + clientId + "\",\"name\":\"St Mary's lab system\",\"jwks\":" + publicKeys + "}");
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
        assertThat(Calls.json(registered).path("clientId").asText()).isEqualTo(clientId);
        assertThat(Calls.json(registered).path("institution").asText()).isEqualTo("st-mary");
        assertThat(texts(Calls.json(registered).path("scopes"))).containsExactly("system/*.cruds", "system/*.read", "system/*.rs");
        HttpResponse<String> again = calls.api("POST", "/identity/admin/institutions/st-mary/systems", admin,
                "{\"clientId\":\"" + clientId + "\",\"jwks\":" + publicKeys + "}");
        assertThat(again.statusCode()).as(again.body()).isEqualTo(409);
        assertThat(again.body()).contains("PHR-IDENTITY-0513");

        // a patient of the institution, written by its existing system
        String mrn = "SMART-BACKEND-" + UUID.randomUUID();
        String p1 = "urn:uuid:" + UUID.randomUUID();
        HttpResponse<String> written = calls.fhir("POST", "", platform.serviceToken(), "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":["
                + entry(p1, "Patient", "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"" + NATIONAL_ID + "\",\"value\":\""
                        + mrn + "\"}],\"name\":[{\"family\":\"Labworth\"}],\"gender\":\"male\",\"birthDate\":\"1961-02-03\"}") + ","
                + entry("urn:uuid:" + UUID.randomUUID(), "Observation", "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"coding\":[{\"system\":"
                        + "\"http://loinc.org\",\"code\":\"2345-7\"}]},\"subject\":{\"reference\":\"" + p1 + "\"},\"valueQuantity\":{\"value\":6.1,"
                        + "\"unit\":\"mmol/L\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"mmol/L\"}}") + "]}");
        assertThat(written.statusCode()).as(written.body()).isEqualTo(200);
        String patientId = Calls.json(written).path("entry").get(0).path("response").path("location").asText().split("/")[1];

        JsonNode smart = Calls.json(calls.fhir("GET", "/.well-known/smart-configuration", null, null));
        String tokenEndpoint = smart.path("token_endpoint").asText();
        String issuer = smart.path("issuer").asText();
        for (JWK key : List.of(ecKey, rsaKey)) {
            HttpResponse<String> token = clientCredentials(tokenEndpoint, assertion(key, clientId, issuer), "system/*.rs");
            assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
            String accessToken = Calls.json(token).path("access_token").asText();
            JsonNode claims = BrowserLogin.claims(accessToken);
            assertThat(claims.path("azp").asText()).isEqualTo(clientId);
            assertThat(claims.path("scope").asText().split(" ")).contains("system/*.rs").doesNotContain("system/*.cruds");
            assertThat(claims.path("institutions").toString()).contains("/institutions/st-mary");

            HttpResponse<String> patient = calls.fhir("GET", "/Patient/" + patientId, accessToken, null);
            assertThat(patient.statusCode()).as(patient.body()).isEqualTo(200);
            assertThat(patient.body()).contains("Labworth");
            HttpResponse<String> observations = calls.fhir("GET", "/Observation?patient=" + patientId, accessToken, null);
            assertThat(observations.statusCode()).as(observations.body()).isEqualTo(200);
            assertThat(Calls.json(observations).path("total").asInt()).isEqualTo(1);
            assertRefused(calls.fhir("POST", "/Observation", accessToken, "{\"resourceType\":\"Observation\",\"status\":\"final\","
                    + "\"code\":{\"text\":\"note\"},\"subject\":{\"reference\":\"Patient/" + patientId + "\"}}"), "create on Observation");
        }

        // the issuer is the audience Keycloak takes (draft-ietf-oauth-rfc7523bis): not the token endpoint's URL
        HttpResponse<String> toTheEndpoint = clientCredentials(tokenEndpoint, assertion(ecKey, clientId, tokenEndpoint), "system/*.rs");
        assertThat(toTheEndpoint.statusCode()).as(toTheEndpoint.body()).isIn(400, 401);
        assertThat(Calls.json(toTheEndpoint).path("error").asText()).isEqualTo("invalid_client");

        // a key the system never registered: no token
        ECKey stranger = new ECKeyGenerator(Curve.P_384).keyID("lab-ec-1").generate();
        HttpResponse<String> refused = clientCredentials(tokenEndpoint, assertion(stranger, clientId, issuer), "system/*.rs");
        assertThat(refused.statusCode()).as(refused.body()).isIn(400, 401);
        assertThat(Calls.json(refused).path("error").asText()).isEqualTo("invalid_client");
        assertThat(refused.body()).doesNotContain("access_token");
    }

    /** A client assertion (RFC 7523 section 3): iss = sub = the client, aud = the issuer, 60 s, a fresh jti. */
    private static String assertion(JWK key, String clientId, String audience) throws Exception {
        boolean ec = key instanceof ECKey;
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(ec ? JWSAlgorithm.ES384 : JWSAlgorithm.RS384).keyID(key.getKeyID())
                .type(JOSEObjectType.JWT).build(),
                new JWTClaimsSet.Builder().issuer(clientId).subject(clientId).audience(audience).jwtID(UUID.randomUUID().toString())
                        .issueTime(new java.util.Date()).expirationTime(new java.util.Date(System.currentTimeMillis() + 60_000)).build());
        jwt.sign(ec ? new ECDSASigner((ECKey) key) : new RSASSASigner((RSAKey) key));
        return jwt.serialize();
    }

    /** The SMART Backend Services token request (client credentials with a client assertion). */
    private static HttpResponse<String> clientCredentials(String tokenEndpoint, String assertion, String scope) throws Exception {
        String form = "grant_type=client_credentials&scope=" + URLEncoder.encode(scope, StandardCharsets.UTF_8)
                + "&client_assertion_type=" + URLEncoder.encode("urn:ietf:params:oauth:client-assertion-type:jwt-bearer", StandardCharsets.UTF_8)
                + "&client_assertion=" + assertion;
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(tokenEndpoint))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Opens the app's launch page in a new Chromium, signs the patient in and returns what the app page reports. */
    private static JsonNode launch(DemoUser user, String appBase, String clientId, String scope) throws Exception {
        try (Browser browser = new Browser(platform.workDir())) {
            browser.signIn(appBase + "/launch.html?iss=" + URLEncoder.encode(platform.fhirBase(), StandardCharsets.UTF_8)
                    + "&client=" + clientId + "&scope=" + URLEncoder.encode(scope, StandardCharsets.UTF_8), user);
            String result = browser.waitFor(By.id("result")).getText();
            return new ObjectMapper().readTree(result);
        }
    }

    /**
     * The SMART app, served from its own origin: {@code launch.html} starts the standalone launch with the page's
     * {@code iss}, {@code client} and {@code scope}; {@code index.html} completes it and reports, as JSON in
     * {@code #result}, the context and what each read gave ({@code ERROR <status> <message>} when refused).
     */
    private static HttpServer appServer() throws IOException {
        String fhirClient = Files.readString(Path.of(System.getProperty("phr.it.fhirclient.js")));
        Map<String, String> pages = Map.of(
                "/app/fhir-client.js", fhirClient,
                "/app/launch.html", "<!DOCTYPE html><html lang=\"en\"><head><title>Launch</title><script src=\"fhir-client.js\"></script></head><body><script>"
                        + "const q = new URLSearchParams(location.search);"
                        + "FHIR.oauth2.authorize({iss: q.get('iss'), clientId: q.get('client'), scope: q.get('scope'), redirectUri: 'index.html',"
                        + " pkceMode: 'required'});</script></body></html>",
                "/app/index.html", "<!DOCTYPE html><html lang=\"en\"><head><title>App</title><script src=\"fhir-client.js\"></script></head><body><script>"
                        + "const out = {};"
                        + "const step = async (name, f) => { try { out[name] = await f(); } catch (e) { out[name] = 'ERROR ' + e.statusCode + ' ' + e.message; } };"
                        + "FHIR.oauth2.ready().then(async client => {"
                        + " out.patient = client.patient.id; out.fhirUser = client.user.fhirUser; out.scope = client.state.tokenResponse.scope;"
                        + " await step('family', async () => (await client.patient.read()).name[0].family);"
                        + " await step('observations', async () => { const b = await client.request('Observation?patient=' + client.patient.id);"
                        + "   return b.total + ' ' + b.entry.map(e => e.resource.valueQuantity.value).join(','); });"
                        + " await step('condition', async () => { const b = await client.request('Condition?patient=' + client.patient.id);"
                        + "   return b.total + ' ' + b.entry[0].resource.code.coding[0].code; });"
                        + "}, e => { out.error = String(e); }).finally(() => { const r = document.createElement('pre'); r.id = 'result';"
                        + " r.textContent = JSON.stringify(out); document.body.appendChild(r); });</script></body></html>");
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/app/", exchange -> {
            String page = pages.get(exchange.getRequestURI().getPath());
            byte[] body = (page == null ? "not found" : page).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", exchange.getRequestURI().getPath().endsWith(".js")
                    ? "text/javascript; charset=utf-8" : "text/html; charset=utf-8");
            exchange.sendResponseHeaders(page == null ? 404 : 200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return server;
    }

    @Test
    void anAppGrantedHerObservationsReadsThemAndNothingElse() throws Exception {
        Calls calls = new Calls(platform);
        SmartPatient p = smartPatient(calls, Platform.extraPatient(25), "Appleby");
        String patientId = p.patientId();
        String otherId = p.otherId();
        DemoUser sam = p.user();

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

    /** A patient with her login linked, and another patient, as the FHIR ids of their Patients. */
    private record SmartPatient(DemoUser user, String patientId, String otherId) {
    }

    /**
     * Registers a patient (family name {@code family}) with a Patient, an Observation (5.8 mmol/L) and a Condition, links
     * the login {@code login} to her, and writes another patient with an Observation.
     */
    private static SmartPatient smartPatient(Calls calls, String login, String family) throws Exception {
        // a patient with a Patient, an Observation and a Condition, her login linked; and another patient
        String mrn = "SMART-" + UUID.randomUUID();
        HttpResponse<String> registered = calls.api("POST", "/identity/patients", calls.token("demo-admin", "2"), "{\"homeInstitution\":"
                + "\"st-mary\",\"demographics\":{\"identifiers\":[{\"system\":\"" + NATIONAL_ID + "\",\"value\":\"" + mrn + "\"}],"
                + "\"family\":\"" + family + "\",\"given\":[\"Sam\"],\"birthDate\":\"1990-05-01\",\"gender\":\"female\"}}");
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
        String pseudonym = Calls.json(registered).path("identity").path("pseudonym").asText();
        String other = "SMART-OTHER-" + UUID.randomUUID();
        String p1 = "urn:uuid:" + UUID.randomUUID();
        String p2 = "urn:uuid:" + UUID.randomUUID();
        HttpResponse<String> written = calls.fhir("POST", "", platform.serviceToken(), "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":["
                + entry(p1, "Patient", "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"" + NATIONAL_ID + "\",\"value\":\""
                        + mrn + "\"}],\"name\":[{\"family\":\"" + family + "\",\"given\":[\"Sam\"]}],\"gender\":\"female\",\"birthDate\":\"1990-05-01\"}") + ","
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
        DemoUser sam = platform.realm().user(login);
        String sub = BrowserLogin.claims(calls.token(sam.username(), "1")).path("sub").asText();
        assertThat(calls.api("PUT", "/identity/patients/" + pseudonym + "/login", calls.token("demo-admin", "2"),
                "{\"keycloakUserId\":\"" + sub + "\"}").statusCode()).isEqualTo(204);
        return new SmartPatient(sam, patientId, otherId);
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
