package org.phrcloud.it.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * HTTP calls of the integration tests to the platform's FHIR endpoint and JSON APIs, with tokens cached per user
 * and level of authentication (refreshed before Keycloak's 300 s lifespan ends).
 */
public final class Calls {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Platform platform;
    private final Map<String, Map.Entry<Instant, String>> tokens = new ConcurrentHashMap<>();

    public Calls(Platform platform) {
        this.platform = platform;
    }

    /** A token of a user at {@code acr} "1" (password + OTP by direct grant) or "2" (browser login with step-up). */
    public String token(String user, String acr) throws Exception {
        String key = user + "@" + acr;
        Map.Entry<Instant, String> cached = tokens.get(key);
        if (cached == null || cached.getKey().isBefore(Instant.now().minusSeconds(200))) {
            String token = acr.equals("2") ? platform.stepUpToken(user) : platform.userToken(user);
            cached = Map.entry(Instant.now(), token);
            tokens.put(key, cached);
        }
        return cached.getValue();
    }

    public HttpResponse<String> fhir(String method, String path, String token, String body) throws Exception {
        return send(platform.fhirBase() + path, "application/fhir+json", method, token, body, null);
    }

    /** A FHIR call with its own {@code X-Request-ID}, to find its AuditEvent afterwards. */
    public HttpResponse<String> fhir(String method, String path, String token, String body, String requestId) throws Exception {
        return send(platform.fhirBase() + path, "application/fhir+json", method, token, body, requestId);
    }

    public HttpResponse<String> api(String method, String path, String token, String body) throws Exception {
        return send(platform.apiBase() + path, "application/json", method, token, body, null);
    }

    /** An API call with its own {@code X-Request-ID}, to find its AuditEvents afterwards. */
    public HttpResponse<String> api(String method, String path, String token, String body, String requestId) throws Exception {
        return send(platform.apiBase() + path, "application/json", method, token, body, requestId);
    }

    public static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    /** The id of what a 201 answer created. */
    public static String created(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return json(r).path("id").asText();
    }

    private static HttpResponse<String> send(String url, String type, String method, String token, String body, String requestId)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(2)).header("Accept", type)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", type);
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (requestId != null) {
            b.header("X-Request-ID", requestId);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
