package org.phrcloud.core.rest;

import jakarta.annotation.Priority;
import jakarta.servlet.ServletContext;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.phrcloud.connector.ClientAssertion;
import org.phrcloud.core.federation.FederatedCallers;
import org.phrcloud.identity.token.AccessTokenVerifier;
import org.phrcloud.identity.token.InvalidAccessTokenException;
import org.phrcloud.identity.caller.Caller;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Enforces {@link Access} on every API request, deny by default: the bearer token (RFC 6750) is verified as
 * for FHIR (signature, issuer, audience {@code phr-backend}, expiry), the caller's {@link Party parties} must meet
 * the endpoint's, and people need {@code acr=2} unless the endpoint waives it for their party. A bearer token that is
 * another deployment's client assertion ({@code FederatedCallers}) makes the caller {@link Party#FEDERATED_CARE_GIVER}
 * or {@link Party#FEDERATED_PATIENT} and nothing else. The resources read
 * the verified caller with {@link #caller}.
 */
@Priority(Priorities.AUTHENTICATION)
public class AccessFilter implements ContainerRequestFilter {
    /** Request property holding the {@link Caller}. */
    private static final String TOKEN = AccessFilter.class.getName() + ".token";
    /** Request property set when the caller is another deployment's ({@link Party#FEDERATED_CARE_GIVER}). */
    private static final String FEDERATED = AccessFilter.class.getName() + ".federated";
    private static final String BEARER = "Bearer ";

    @Context
    private ResourceInfo resourceInfo;
    @Context
    private ServletContext servletContext;

    @Override
    public void filter(ContainerRequestContext request) {
        Method method = resourceInfo.getResourceMethod();
        Access access = method == null ? null : method.getAnnotation(Access.class);
        if (access == null) {
            request.abortWith(Problem.response("PHR-API-0001: this endpoint declares no caller"));
            return;
        }
        List<Party> admitted = Arrays.asList(access.value());
        if (admitted.contains(Party.ANYONE)) {
            return;
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            request.abortWith(unauthorized("PHR-API-0401: a bearer access token is required", null));
            return;
        }
        String bearer = header.substring(BEARER.length()).trim();
        FederatedCallers federation = SpringBeans.find(servletContext, FederatedCallers.class);
        Caller token;
        Set<Party> parties;
        if (federation != null && ClientAssertion.isAssertion(bearer)) {
            try {
                token = federation.verify(bearer).caller();
            } catch (FederatedCallers.Refused e) {
                request.abortWith(e.status() == 401 ? unauthorized(e.getMessage(), "invalid_client") : Problem.response(e.getMessage()));
                return;
            }
            parties = Set.of(token.isCareGiver() ? Party.FEDERATED_CARE_GIVER : Party.FEDERATED_PATIENT);
            request.setProperty(FEDERATED, Boolean.TRUE);
        } else {
            try {
                token = SpringBeans.get(servletContext, AccessTokenVerifier.class).verify(bearer);
            } catch (InvalidAccessTokenException e) {
                request.abortWith(unauthorized("PHR-API-0402: the bearer access token is not valid for this server", "invalid_token"));
                return;
            }
            parties = Party.of(token);
        }
        if (parties.stream().noneMatch(admitted::contains)) {
            request.abortWith(Problem.response("PHR-API-0403: this caller may not use this operation"));
            return;
        }
        boolean waived = parties.stream().filter(admitted::contains).anyMatch(Arrays.asList(access.withoutStepUp())::contains);
        if (!token.serviceAccount() && !waived && !token.steppedUp()) {
            Response r = Response.fromResponse(Problem.response(
                            "PHR-API-0404: this needs authentication with a second factor (acr=2)"))
                    .header(HttpHeaders.WWW_AUTHENTICATE, Caller.STEP_UP_CHALLENGE)
                    .build();
            request.abortWith(r);
            return;
        }
        request.setProperty(TOKEN, token);
    }

    /** The verified caller of an admitted request; null for an endpoint open to {@link Party#ANYONE}. */
    public static Caller caller(ContainerRequestContext request) {
        return (Caller) request.getProperty(TOKEN);
    }

    /** Whether the admitted caller is another deployment's, by a client assertion ({@link Party#FEDERATED_CARE_GIVER}). */
    public static boolean federated(ContainerRequestContext request) {
        return Boolean.TRUE.equals(request.getProperty(FEDERATED));
    }

    private static Response unauthorized(String message, String error) {
        return Response.fromResponse(Problem.response(message))
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"phr\"" + (error == null ? "" : ", error=\"" + error + "\""))
                .build();
    }
}
