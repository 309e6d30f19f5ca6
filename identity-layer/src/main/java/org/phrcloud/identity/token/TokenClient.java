package org.phrcloud.identity.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Obtains access tokens from the realm's token endpoint (RFC 6749): client credentials (section 4.4),
 * for institution systems and operator scripts, and the resource owner password grant with a TOTP code
 * (section 4.3 plus Keycloak's {@code totp} parameter), which yields {@code acr=1}; a token with
 * {@code acr=2} needs the browser flow (identity issue).
 */
public final class TokenClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final URI tokenEndpoint;
    private final String clientId;
    private final String clientSecret;

    /**
     * @param issuer       realm URL, e.g. {@code http://127.0.0.1:8180/realms/phr}
     * @param clientId     a confidential client
     * @param clientSecret its secret
     */
    public TokenClient(String issuer, String clientId, String clientSecret) {
        this.tokenEndpoint = URI.create(issuer.replaceAll("/+$", "") + "/protocol/openid-connect/token");
        this.clientId = clientId;
        this.clientSecret = clientSecret;
    }

    /** @return an access token of the client's service account */
    public String clientCredentials() throws IOException {
        return request(Map.of("grant_type", "client_credentials"));
    }

    /** @return an access token for a user who has a TOTP credential ({@code acr=1}) */
    public String password(String username, String password, String totpCode) throws IOException {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "password");
        form.put("username", username);
        form.put("password", password);
        form.put("totp", totpCode);
        form.put("scope", "openid");
        return request(form);
    }

    private String request(Map<String, String> params) throws IOException {
        Map<String, String> form = new LinkedHashMap<>(params);
        form.put("client_id", clientId);
        form.put("client_secret", clientSecret);
        String body = form.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest req = HttpRequest.newBuilder(tokenEndpoint).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> resp;
        try {
            resp = http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("PHR-TOKEN-0010: interrupted", e);
        }
        JsonNode json = JSON.readTree(resp.body());
        if (resp.statusCode() != 200 || !json.hasNonNull("access_token")) {
            // error and error_description only (RFC 6749 section 5.2): never echo the request
            throw new IOException("PHR-TOKEN-0011: token endpoint answered HTTP " + resp.statusCode() + " "
                    + json.path("error").asText() + ": " + json.path("error_description").asText());
        }
        return json.get("access_token").asText();
    }
}
