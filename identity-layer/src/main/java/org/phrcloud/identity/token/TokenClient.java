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
 * for institution systems and operator scripts; the resource owner password grant with a TOTP code
 * (section 4.3 plus Keycloak's {@code totp} parameter), which yields {@code acr=1}; and the authorization
 * code grant with a PKCE verifier (section 4.1.3, RFC 7636), which ends a browser login ({@code org.phrcloud.tools.BrowserLogin}).
 */
public final class TokenClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final URI tokenEndpoint;
    private final String clientId;
    private final String clientSecret;

    /**
     * @param issuer       realm URL, e.g. {@code http://127.0.0.1:8180/realms/phr}
     * @param clientId     the client
     * @param clientSecret its secret, or null for a public client
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

    /** @return the access token for an authorization code obtained with this PKCE verifier */
    public String authorizationCode(String code, String redirectUri, String codeVerifier) throws IOException {
        return request(Map.of("grant_type", "authorization_code", "code", code, "redirect_uri", redirectUri,
                "code_verifier", codeVerifier));
    }

    /** {@code application/x-www-form-urlencoded} of the fields, UTF-8 (HTML 5, "URL-encoded form data"). */
    public static String formUrlEncoded(Map<String, String> fields) {
        return fields.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    private String request(Map<String, String> params) throws IOException {
        Map<String, String> form = new LinkedHashMap<>(params);
        form.put("client_id", clientId);
        if (clientSecret != null) {
            form.put("client_secret", clientSecret);
        }
        String body = formUrlEncoded(form);
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
