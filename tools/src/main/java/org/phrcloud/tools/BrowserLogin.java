package org.phrcloud.tools;

import org.phrcloud.identity.token.TokenClient;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Logs in the way a browser does: OAuth 2.0 authorization code with PKCE S256 (RFC 7636) against the
 * realm's login pages, posting Keycloak's forms, optionally asking for a level of authentication with
 * {@code acr_values} (OpenID Connect Core 1.0 section 3.1.2.1). It is the only way to a token with
 * {@code acr=2}: Keycloak's password grant yields {@code acr=1} even with an OTP. Used by operator
 * scripts ({@code ./phr token}) and the integration tests; people use the portal.
 *
 * <p>Cookies are kept by hand: Java's CookieManager drops Keycloak's {@code Secure} cookies over plain
 * http. One instance is one login; not thread-safe.
 */
public final class BrowserLogin {
    private static final Pattern FORM_ACTION = Pattern.compile("<form[^>]*\\saction=\"([^\"]+)\"", Pattern.CASE_INSENSITIVE);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final Map<String, String> cookies = new LinkedHashMap<>();
    private final String issuer;
    private final String clientId;
    private final String redirectUri;
    private final String scope;

    /** What a login step led to: the next form's page, or the redirect back to the client with a code. */
    public record Step(int status, String page, Optional<String> code) {
        public boolean showsForm(String formId) {
            return page.contains("id=\"" + formId + "\"");
        }
    }

    public BrowserLogin(String issuer, String clientId, String redirectUri) {
        this(issuer, clientId, redirectUri, "openid");
    }

    /**
     * @param scope the OAuth 2.0 {@code scope} to ask for (space-separated), e.g. {@code openid patient/Observation.rs}
     *              for a SMART app
     */
    public BrowserLogin(String issuer, String clientId, String redirectUri, String scope) {
        this.issuer = issuer;
        this.clientId = clientId;
        this.redirectUri = redirectUri;
        this.scope = scope;
    }

    private final String verifier = randomUrlSafe(48);
    private String formAction;

    /** Opens the authorization endpoint; {@code acrValues} may be null. Returns the login page. */
    public Step start(String acrValues) throws IOException, InterruptedException {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("client_id", clientId);
        q.put("response_type", "code");
        q.put("scope", scope);
        q.put("redirect_uri", redirectUri);
        q.put("state", randomUrlSafe(16));
        q.put("nonce", randomUrlSafe(16));
        q.put("code_challenge", challenge(verifier));
        q.put("code_challenge_method", "S256");
        if (acrValues != null) {
            q.put("acr_values", acrValues);
        }
        return step(HttpRequest.newBuilder(URI.create(issuer + "/protocol/openid-connect/auth?" + TokenClient.formUrlEncoded(q))).GET());
    }

    /** Posts the current page's form with these fields. */
    public Step submit(Map<String, String> fields) throws IOException, InterruptedException {
        if (formAction == null) {
            throw new IllegalStateException("no form on the current page");
        }
        return step(HttpRequest.newBuilder(URI.create(formAction))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(TokenClient.formUrlEncoded(fields))));
    }

    /** Exchanges the authorization code (with the PKCE verifier) for the token response's access token. */
    public String accessToken(String code) throws IOException {
        return new TokenClient(issuer, clientId, null).authorizationCode(code, redirectUri, verifier);
    }

    /**
     * The whole login of a user who has a TOTP credential: password, then (when asked) the current code.
     *
     * @param acrValues the level to ask for, e.g. "2"; null for the realm's default
     * @return the access token
     * @throws IOException when Keycloak does not redirect back with a code (wrong credentials, or a form
     *                     this client does not know, such as a required action)
     */
    public String login(String acrValues, String username, String password, String totpSecret)
            throws IOException, InterruptedException {
        start(acrValues);
        Step step = submit(Map.of("username", username, "password", password, "credentialId", ""));
        if (step.code().isEmpty() && step.showsForm("kc-otp-login-form")) {
            step = submit(Map.of("otp", org.phrcloud.identity.totp.Totp.code(totpSecret, java.time.Instant.now())));
        }
        return accessToken(step.code().orElseThrow(() -> new IOException(
                "PHR-TOKEN-0020: the login of " + username + " did not end with an authorization code")));
    }

    /**
     * Prints an access token: {@code BrowserLogin ISSUER CLIENT_ID REDIRECT_URI USERNAME [ACR]}, with the
     * password and Base64 TOTP secret in the environment variables {@code PHR_PASSWORD} and
     * {@code PHR_TOTP_SECRET} (so they stay out of the process list). Used by {@code ./phr token}.
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 4 || System.getenv("PHR_PASSWORD") == null || System.getenv("PHR_TOTP_SECRET") == null) {
            System.err.println("usage: PHR_PASSWORD=... PHR_TOTP_SECRET=... BrowserLogin ISSUER CLIENT_ID REDIRECT_URI USERNAME [ACR]");
            System.exit(2);
        }
        BrowserLogin login = new BrowserLogin(args[0], args[1], args[2]);
        System.out.println(login.login(args.length > 4 ? args[4] : null, args[3], System.getenv("PHR_PASSWORD"),
                System.getenv("PHR_TOTP_SECRET")));
    }

    /** @return the claims of a JWT, without verifying its signature (for display and tests) */
    public static JsonNode claims(String jwt) throws IOException {
        return JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
    }

    private Step step(HttpRequest.Builder request) throws IOException, InterruptedException {
        if (!cookies.isEmpty()) {
            request.header("Cookie", cookies.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining("; ")));
        }
        HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        for (String setCookie : r.headers().allValues("Set-Cookie")) {
            String pair = setCookie.split(";", 2)[0];
            int eq = pair.indexOf('=');
            if (eq > 0) {
                cookies.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
            }
        }
        Optional<String> location = r.headers().firstValue("Location");
        if (r.statusCode() / 100 == 3 && location.isPresent() && location.get().startsWith(redirectUri)) {
            formAction = null;
            return new Step(r.statusCode(), "", query(location.get(), "code"));
        }
        Matcher m = FORM_ACTION.matcher(r.body());
        formAction = m.find() ? m.group(1).replace("&amp;", "&") : null;
        return new Step(r.statusCode(), r.body(), Optional.empty());
    }

    private static Optional<String> query(String url, String name) {
        String q = URI.create(url).getRawQuery();
        if (q == null) {
            return Optional.empty();
        }
        for (String p : q.split("&")) {
            String[] kv = p.split("=", 2);
            if (kv[0].equals(name) && kv.length == 2) {
                return Optional.of(java.net.URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
            }
        }
        return Optional.empty();
    }

    private static String challenge(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String randomUrlSafe(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
