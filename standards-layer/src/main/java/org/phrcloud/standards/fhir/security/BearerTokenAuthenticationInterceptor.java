package org.phrcloud.standards.fhir.security;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.AuthenticationException;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import org.phrcloud.core.caller.CallerContext;
import org.phrcloud.consent.policy.AccessDecision;
import org.phrcloud.consent.policy.FhirAccessPolicy;
import org.phrcloud.identity.caller.Caller;
import org.phrcloud.identity.token.AccessTokenVerifier;
import org.phrcloud.identity.token.InvalidAccessTokenException;
import org.phrcloud.identity.caller.Caller;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Every FHIR request must carry a valid Keycloak access token ({@code Authorization: Bearer}, RFC 6750);
 * otherwise it ends with 401, an OperationOutcome, and {@code WWW-Authenticate: Bearer} (RFC 6750
 * section 3). The one exception is {@code GET /fhir/metadata}: the CapabilityStatement holds no patient
 * data and clients need it to discover the server before they log in (FHIR R4 3.1.0.1.4, SMART App Launch).
 * The caller is then held to {@link FhirAccessPolicy}: 403 when the role gives no FHIR access, 401 with
 * {@code error="insufficient_user_authentication"} when a second factor is needed (RFC 9470).
 *
 * <p>Runs at {@link Pointcut#SERVER_INCOMING_REQUEST_POST_PROCESSED}, before the body is parsed, so a
 * caller who may not use the API learns nothing about the request. The verified token is kept in the
 * request's {@link CallerContext} for the interceptors that follow.
 */
@Interceptor
public class BearerTokenAuthenticationInterceptor {
    private static final Logger LOG = LoggerFactory.getLogger(BearerTokenAuthenticationInterceptor.class);
    private static final String BEARER = "Bearer ";

    private final AccessTokenVerifier verifier;
    private final FhirAccessPolicy policy;

    public BearerTokenAuthenticationInterceptor(AccessTokenVerifier verifier, FhirAccessPolicy policy) {
        this.verifier = verifier;
        this.policy = policy;
    }

    @Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
    public boolean authenticate(RequestDetails requestDetails, HttpServletRequest servletRequest) {
        if ("GET".equals(servletRequest.getMethod()) && "metadata".equals(requestDetails.getRequestPath())) {
            return true;
        }
        String header = servletRequest.getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            throw unauthorized("PHR-FHIR-0401: a bearer access token is required", null);
        }
        Caller token;
        try {
            token = verifier.verify(header.substring(BEARER.length()).trim());
        } catch (InvalidAccessTokenException e) {
            LOG.info("refused a bearer token: {}", e.getMessage());
            throw unauthorized("PHR-FHIR-0402: the bearer access token is not valid for this server", "invalid_token");
        }
        AccessDecision decision = policy.decide(token);
        switch (decision.kind()) {
            case STEP_UP -> {
                AuthenticationException e = new AuthenticationException(decision.message());
                e.addResponseHeader("WWW-Authenticate", Caller.STEP_UP_CHALLENGE);
                throw e;
            }
            case FORBID -> throw new ForbiddenOperationException(decision.message());
            default -> {
                CallerContext.setCaller(requestDetails, token);
                return true;
            }
        }
    }

    private static AuthenticationException unauthorized(String message, String error) {
        AuthenticationException e = new AuthenticationException(message);
        e.addResponseHeader("WWW-Authenticate",
                "Bearer realm=\"phr\"" + (error == null ? "" : ", error=\"" + error + "\""));
        return e;
    }
}
