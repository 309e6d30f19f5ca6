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
import org.phrcloud.connector.ClientAssertion;
import org.phrcloud.core.federation.FederatedCallers;
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
    private final FederatedCallers federation;

    public BearerTokenAuthenticationInterceptor(AccessTokenVerifier verifier, FhirAccessPolicy policy) {
        this(verifier, policy, null);
    }

    /** @param federation the verifier of other deployments' client assertions; null: none are accepted */
    public BearerTokenAuthenticationInterceptor(AccessTokenVerifier verifier, FhirAccessPolicy policy, FederatedCallers federation) {
        this.verifier = verifier;
        this.policy = policy;
        this.federation = federation;
    }

    @Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
    public boolean authenticate(RequestDetails requestDetails, HttpServletRequest servletRequest) {
        if ("GET".equals(servletRequest.getMethod()) && "metadata".equals(requestDetails.getRequestPath())) {
            return true;
        }
        String bearer = bearerOf(servletRequest.getHeader("Authorization"));
        Caller token = federation != null && ClientAssertion.isAssertion(bearer) ? federated(requestDetails, bearer) : verified(bearer);
        admit(token);
        CallerContext.setCaller(requestDetails, token);
        return true;
    }

    /**
     * The token of an {@code Authorization: Bearer} header (RFC 6750 section 2.1).
     *
     * @throws AuthenticationException 401 PHR-FHIR-0401 with {@code WWW-Authenticate: Bearer} when there is none
     */
    public static String bearerOf(String authorizationHeader) {
        if (authorizationHeader == null || !authorizationHeader.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            throw unauthorized("PHR-FHIR-0401: a bearer access token is required", null);
        }
        return authorizationHeader.substring(BEARER.length()).trim();
    }

    /**
     * A Keycloak access token of this realm, verified ({@link AccessTokenVerifier}).
     *
     * @throws AuthenticationException 401 PHR-FHIR-0402 with {@code error="invalid_token"} when it is not valid here
     */
    public Caller verified(String bearer) {
        try {
            return verifier.verify(bearer);
        } catch (InvalidAccessTokenException e) {
            LOG.info("refused a bearer token: {}", e.getMessage());
            throw unauthorized("PHR-FHIR-0402: the bearer access token is not valid for this server", "invalid_token");
        }
    }

    /**
     * Holds a verified caller to {@link FhirAccessPolicy}; returns when the FHIR API is open to them.
     *
     * @throws AuthenticationException 401 with the RFC 9470 step-up challenge when a second factor is needed
     * @throws ForbiddenOperationException 403 when their role gives no FHIR access
     */
    public void admit(Caller token) {
        AccessDecision decision = policy.decide(token);
        switch (decision.kind()) {
            case STEP_UP -> throw stepUp(decision.message());
            case FORBID -> throw new ForbiddenOperationException(decision.message());
            default -> {
            }
        }
    }

    /** 401 asking for a second factor: the RFC 9470 challenge ({@link Caller#STEP_UP_CHALLENGE}) with this message. */
    public static AuthenticationException stepUp(String message) {
        AuthenticationException e = new AuthenticationException(message);
        e.addResponseHeader("WWW-Authenticate", Caller.STEP_UP_CHALLENGE);
        return e;
    }

    /**
     * Another deployment's request (ARCHITECTURE.md "Federation"): its assertion verified, only what
     * {@link #federationOffers} lists, for a care giver only; the purpose of use it asserts is the request's.
     */
    private Caller federated(RequestDetails requestDetails, String assertion) {
        FederatedCallers.FederatedCaller federated;
        try {
            federated = federation.verify(assertion);
        } catch (FederatedCallers.Refused e) {
            LOG.info("refused a client assertion: {}", e.getMessage());
            throw switch (e.status()) {
                case 401 -> unauthorized(e.getMessage(), "invalid_client");
                case 403 -> new ForbiddenOperationException(e.getMessage());
                default -> new ca.uhn.fhir.rest.server.exceptions.UnclassifiedServerFailureException(e.status(), e.getMessage());
            };
        }
        if (!federated.caller().isCareGiver()) {
            throw new ForbiddenOperationException("PHR-FEDERATION-0411: another institution may act here only for care givers");
        }
        if (!federationOffers(requestDetails)) {
            throw new ForbiddenOperationException("PHR-FEDERATION-0410: another institution may only read and search "
                    + "(GET) and locate patients (POST Patient/$match) here");
        }
        CallerContext.setPurposeOfUse(requestDetails, federated.assertion().party().purposeOfUse());
        return federated.caller();
    }

    /**
     * What another deployment may ask for: reads and searches ({@code GET}: read, vread, search, history,
     * {@code $everything}), which the authorization rules then limit to what consents and emergency accesses granted
     * its person (it has no care relationship here), and locating a patient ({@code POST Patient/$match}).
     */
    static boolean federationOffers(RequestDetails request) {
        if (request.getRequestType() == ca.uhn.fhir.rest.api.RequestTypeEnum.GET) {
            return true;
        }
        return request.getRequestType() == ca.uhn.fhir.rest.api.RequestTypeEnum.POST && "Patient".equals(request.getResourceName())
                && "$match".equals(request.getOperation()) && request.getId() == null;
    }

    private static AuthenticationException unauthorized(String message, String error) {
        AuthenticationException e = new AuthenticationException(message);
        e.addResponseHeader("WWW-Authenticate",
                "Bearer realm=\"phr\"" + (error == null ? "" : ", error=\"" + error + "\""));
        return e;
    }
}
