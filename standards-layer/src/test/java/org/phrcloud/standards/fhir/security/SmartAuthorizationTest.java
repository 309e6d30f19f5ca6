package org.phrcloud.standards.fhir.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SMART authorization and token endpoints in front of the realm (SMART App Launch 2): the {@code aud} check, and the
 * token response's {@code patient} copied from the access token. The token endpoint is exercised against a local HTTP
 * server standing in for Keycloak's token endpoint (the real one: {@code SmartAppIT}).
 */
class SmartAuthorizationTest {
    private static final String BASE = "https://phr.example/fhir";
    private HttpServer keycloak;

    @AfterEach
    void stop() {
        if (keycloak != null) {
            keycloak.stop(0);
        }
    }

    @Test
    void anAuthorizationRequestNamingThisServerGoesToKeycloakUnchanged() {
        SmartAuthorization smart = new SmartAuthorization("https://login.example/realms/phr/");
        String query = "response_type=code&client_id=app&scope=launch%2Fpatient%20openid&aud=https%3A%2F%2Fphr.example%2Ffhir%2F&state=s1";
        SmartAuthorization.Answer answer = smart.authorize(query, BASE);
        assertThat(answer.status()).isEqualTo(302);
        assertThat(answer.location()).isEqualTo("https://login.example/realms/phr/protocol/openid-connect/auth?" + query);
    }

    @Test
    void anAuthorizationRequestWithoutAudOrForAnotherServerIsRefused() throws IOException {
        SmartAuthorization smart = new SmartAuthorization("https://login.example/realms/phr");
        for (String query : List.of("response_type=code&client_id=app", "response_type=code&aud=https%3A%2F%2Fother.example%2Ffhir",
                "aud=https%3A%2F%2Fphr.example%2Ffhir%2FPatient", "")) {
            SmartAuthorization.Answer answer = smart.authorize(query, BASE);
            assertThat(answer.status()).as(query).isEqualTo(400);
            assertThat(answer.location()).isNull();
            JsonNode body = new ObjectMapper().readTree(answer.body());
            assertThat(body.path("error").asText()).isEqualTo("invalid_request");
            assertThat(body.path("error_description").asText()).isEqualTo("PHR-AUTHZ-0021: aud must be this FHIR server's base URL, " + BASE);
        }
        assertThat(smart.authorize(null, BASE).status()).isEqualTo(400);
    }

    @Test
    void theTokenResponseCarriesThePatientOfTheAccessToken() throws IOException {
        List<String> received = new ArrayList<>();
        String withPatient = "{\"access_token\":\"" + jwt("{\"sub\":\"u1\",\"patient\":\"123\",\"scope\":\"launch/patient\"}")
                + "\",\"token_type\":\"Bearer\",\"expires_in\":300,\"scope\":\"openid launch/patient\"}";
        String issuer = keycloak(200, withPatient, received);
        SmartAuthorization.Answer answer = new SmartAuthorization(issuer).token("grant_type=authorization_code&code=c1", "Basic YTpi");
        assertThat(answer.status()).isEqualTo(200);
        JsonNode body = new ObjectMapper().readTree(answer.body());
        assertThat(body.path("patient").asText()).isEqualTo("123");
        assertThat(body.path("token_type").asText()).isEqualTo("Bearer");
        assertThat(body.path("scope").asText()).isEqualTo("openid launch/patient");
        assertThat(received).containsExactly("POST /realms/phr/protocol/openid-connect/token Basic YTpi grant_type=authorization_code&code=c1");
    }

    @Test
    void aTokenWithoutPatientAndKeycloaksErrorsPassUnchanged() throws IOException {
        String without = "{\"access_token\":\"" + jwt("{\"sub\":\"u1\"}") + "\",\"token_type\":\"Bearer\"}";
        SmartAuthorization.Answer plain = new SmartAuthorization(keycloak(200, without, new ArrayList<>())).token("grant_type=x", null);
        assertThat(plain.status()).isEqualTo(200);
        assertThat(plain.body()).isEqualTo(without);
        stop();
        String refused = "{\"error\":\"invalid_grant\",\"error_description\":\"Code not valid\"}";
        SmartAuthorization.Answer error = new SmartAuthorization(keycloak(400, refused, new ArrayList<>())).token("grant_type=x", null);
        assertThat(error.status()).isEqualTo(400);
        assertThat(error.body()).isEqualTo(refused);
    }

    @Test
    void anUnreachableKeycloakIs502() throws IOException {
        SmartAuthorization.Answer answer = new SmartAuthorization("http://127.0.0.1:1/realms/phr").token("grant_type=x", null);
        assertThat(answer.status()).isEqualTo(502);
        assertThat(new ObjectMapper().readTree(answer.body()).path("error_description").asText())
                .isEqualTo("PHR-AUTHZ-0022: the authorization server cannot be reached");
    }

    private String keycloak(int status, String body, List<String> received) throws IOException {
        keycloak = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        keycloak.createContext("/", exchange -> {
            received.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " "
                    + exchange.getRequestHeaders().getFirst("Authorization") + " "
                    + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        keycloak.start();
        return "http://127.0.0.1:" + keycloak.getAddress().getPort() + "/realms/phr";
    }

    /** An unsecured JWT (RFC 7519 section 6) with these claims. */
    private static String jwt(String claims) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + ".";
    }
}
