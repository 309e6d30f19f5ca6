package org.phrcloud.portal.api;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.security.enterprise.identitystore.openid.OpenIdContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.client.Client;
import jakarta.ws.rs.client.ClientBuilder;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.client.Invocation;
import jakarta.ws.rs.core.Response;
import org.phrcloud.portal.PortalSettings;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The portal's only way to the platform: the public FHIR REST API ({@code /fhir}) and JSON APIs ({@code /api}), called
 * with the signed-in user's own access token, so every call is authorized, consent-checked and audited exactly as if
 * the user called it (never through another module's tables). Each call carries a fresh {@code X-Request-ID}.
 */
@ApplicationScoped
public class PhrApi {
    private final Client client = ClientBuilder.newBuilder().connectTimeout(5, TimeUnit.SECONDS)
            .readTimeout(120, TimeUnit.SECONDS).build();

    @Inject
    OpenIdContext openId;
    @Inject
    HttpServletRequest request;
    @Inject
    PortalSettings settings;

    /**
     * @param method HTTP method
     * @param path   from the server root, e.g. {@code /fhir/Observation?patient=1} or {@code /api/consent}
     * @param body   JSON text or null
     * @return status and body text (a FHIR resource, JSON, or an RFC 9457 problem / OperationOutcome for errors)
     */
    public ApiAnswer call(String method, String path, String body) {
        return call(method, path, body, "application/json");
    }

    /** As {@link #call(String, String, String)} with the body's content type, e.g. {@code application/fhir+json}. */
    public ApiAnswer call(String method, String path, String body, String contentType) {
        try (Response r = builder(path, "application/fhir+json, application/json;q=0.9").method(method, body == null ? null : Entity.entity(body, contentType))) {
            return new ApiAnswer(r.getStatus(), r.hasEntity() ? r.readEntity(String.class) : "");
        }
    }

    public ApiAnswer get(String path) {
        return call("GET", path, null);
    }

    /** A download streamed through (any media type): the caller closes the response. */
    public Response stream(String path) {
        return builder(path, "*/*").get();
    }

    /**
     * A request as the user. {@code Cache-Control: no-cache} makes HAPI FHIR run each search afresh instead of answering
     * from its search cache (by default up to a minute old), so a record just added shows at once.
     */
    private Invocation.Builder builder(String path, String accept) {
        String base = settings.getApiUrl() != null ? settings.getApiUrl()
                : request.getScheme() + "://127.0.0.1:" + request.getLocalPort();
        return client.target(base + path).request()
                .header("Authorization", "Bearer " + openId.getAccessToken().getToken())
                .header("X-Request-ID", UUID.randomUUID().toString())
                .header("Cache-Control", "no-cache")
                .header("Accept", accept);
    }

    /** A value for a URL's query or path segment (application/x-www-form-urlencoded, UTF-8). */
    public static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @PreDestroy
    void close() {
        client.close();
    }
}
