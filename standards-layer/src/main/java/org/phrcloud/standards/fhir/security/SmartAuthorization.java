package org.phrcloud.standards.fhir.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jwt.JWTParser;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The two SMART App Launch endpoints this FHIR server advertises ({@link SmartConfiguration}) in front of the realm's
 * Keycloak, for what Keycloak does not do itself:
 * <ul>
 *   <li>{@code GET [base]/auth/authorize}: SMART App Launch 2 section "Obtain authorization code" requires the
 *       authorization server to refuse a request whose {@code aud} does not name this FHIR server; Keycloak ignores
 *       {@code aud}. A request naming this server is redirected (302) unchanged to Keycloak's authorization endpoint;
 *       any other is 400 {@code invalid_request} (RFC 6749 section 4.1.2.1: the redirect URI is not yet verified, so the
 *       error is shown, not redirected) with PHR-AUTHZ-0021.</li>
 *   <li>{@code POST [base]/auth/token}: the request (form and {@code Authorization} header, so any client
 *       authentication) goes to Keycloak's token endpoint unchanged; Keycloak's answer comes back with, when the access
 *       token carries the launch context claim {@code patient} (client scope {@code launch/patient}), that claim also as
 *       the token response's {@code patient} parameter (section "Launch context arrives with your access_token"), which
 *       Keycloak cannot add from a user attribute. Keycloak unreachable: 502 {@code temporarily_unavailable} with
 *       PHR-AUTHZ-0022.</li>
 * </ul>
 * The access token is read without checking its signature: it came from the issuer's token endpoint over this
 * server's own connection (as OpenID Connect Core 1.0 section 3.1.3.7 allows for an ID token over TLS); it is checked
 * like every other when the app presents it. Both answers allow any origin (browser apps call the token endpoint
 * from their own origin; no cookies are involved).
 */
public final class SmartAuthorization {
    /** The authorization endpoint's path under the FHIR base. */
    public static final String AUTHORIZE_PATH = "/auth/authorize";
    /** The token endpoint's path under the FHIR base. */
    public static final String TOKEN_PATH = "/auth/token";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String issuer;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** @param issuer the realm's issuer URL ({@code <keycloak>/realms/<realm>}) */
    public SmartAuthorization(String issuer) {
        this.issuer = issuer.replaceAll("/+$", "");
    }

    /**
     * What to answer.
     *
     * @param status   HTTP status
     * @param location the redirect target of a 302, otherwise null
     * @param body     the JSON body, or null for a redirect
     */
    public record Answer(int status, String location, String body) {
    }

    /**
     * @param rawQuery the authorization request's query string, as received (still encoded); may be null
     * @param fhirBase this FHIR server's base URL as the request reached it, e.g. {@code https://phr.example.org/fhir}
     * @return 302 to Keycloak with the same query, or 400 when {@code aud} is missing or names another server
     */
    public Answer authorize(String rawQuery, String fhirBase) {
        String aud = parameters(rawQuery).get("aud");
        String base = trimmed(fhirBase);
        if (aud == null || !trimmed(aud).equals(base)) {
            return error(400, "invalid_request", "PHR-AUTHZ-0021: aud must be this FHIR server's base URL, " + base);
        }
        return new Answer(302, issuer + "/protocol/openid-connect/auth?" + rawQuery, null);
    }

    /**
     * @param form          the token request's form body ({@code application/x-www-form-urlencoded})
     * @param authorization the request's {@code Authorization} header (client_secret_basic), or null
     * @return Keycloak's status and JSON, with {@code patient} added to a successful answer whose access token has it
     */
    public Answer token(String form, String authorization) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(issuer + "/protocol/openid-connect/token"))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(form == null ? "" : form));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<String> answer;
        try {
            answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return error(502, "temporarily_unavailable", "PHR-AUTHZ-0022: the authorization server cannot be reached");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return error(502, "temporarily_unavailable", "PHR-AUTHZ-0022: the authorization server cannot be reached");
        }
        if (answer.statusCode() != 200) {
            return new Answer(answer.statusCode(), null, answer.body());
        }
        try {
            JsonNode tokens = JSON.readTree(answer.body());
            String accessToken = tokens.path("access_token").asText(null);
            Object patient = accessToken == null ? null : JWTParser.parse(accessToken).getJWTClaimsSet().getClaim("patient");
            if (patient != null && tokens instanceof ObjectNode response) {
                response.put("patient", patient.toString());
                return new Answer(200, null, JSON.writeValueAsString(response));
            }
            return new Answer(200, null, answer.body());
        } catch (IOException | ParseException e) {
            return error(502, "temporarily_unavailable", "PHR-AUTHZ-0022: the authorization server answered something other than a token");
        }
    }

    private static Answer error(int status, String error, String description) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("error_description", description);
        try {
            return new Answer(status, null, JSON.writeValueAsString(body));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> parameters(String rawQuery) {
        Map<String, String> out = new LinkedHashMap<>();
        if (rawQuery != null) {
            for (String pair : rawQuery.split("&")) {
                String[] kv = pair.split("=", 2);
                out.putIfAbsent(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                        kv.length == 2 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
            }
        }
        return out;
    }

    private static String trimmed(String url) {
        return url.replaceAll("/+$", "");
    }
}
