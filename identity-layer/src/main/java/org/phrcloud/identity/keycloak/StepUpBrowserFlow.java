package org.phrcloud.identity.keycloak;

import jakarta.ws.rs.core.Response;
import org.keycloak.admin.client.resource.AuthenticationManagementResource;
import org.keycloak.admin.client.resource.RealmResource;
import org.keycloak.representations.idm.AuthenticationExecutionInfoRepresentation;
import org.keycloak.representations.idm.AuthenticationFlowRepresentation;
import org.keycloak.representations.idm.AuthenticatorConfigRepresentation;
import org.keycloak.representations.idm.RealmRepresentation;

import java.util.Map;

/**
 * The realm's browser login with step-up by level of authentication (Keycloak server administration
 * guide, "Creating a browser login flow with step-up mechanism"; acr as in OpenID Connect Core 1.0
 * section 2 and RFC 9470):
 * <pre>
 * phr-browser
 *   Cookie                                         ALTERNATIVE
 *   phr-browser forms                              ALTERNATIVE
 *     phr-browser level 1                          CONDITIONAL
 *       Condition - Level Of Authentication = 1    REQUIRED  (max age 10 h)
 *       Username Password Form                     REQUIRED
 *     phr-browser level 2                          CONDITIONAL
 *       Condition - Level Of Authentication = 2    REQUIRED  (max age 5 min)
 *       OTP Form                                   REQUIRED
 * </pre>
 * A client that asks for {@code acr_values=2} gets a token with {@code acr=2} only after the OTP step; the
 * password alone gives {@code acr=1}. Level 2 expires after 5 minutes, so sensitive actions re-ask the OTP.
 */
final class StepUpBrowserFlow {
    static final String ALIAS = "phr-browser";
    private static final String FORMS = ALIAS + " forms";
    private static final String LEVEL_1 = ALIAS + " level 1";
    private static final String LEVEL_2 = ALIAS + " level 2";
    static final int LEVEL_1_MAX_AGE_SECONDS = 36_000;
    static final int LEVEL_2_MAX_AGE_SECONDS = 300;

    private StepUpBrowserFlow() {
    }

    /** Creates the flow if the realm does not have it and makes it the realm's browser flow. */
    static void ensure(RealmResource realm) {
        AuthenticationManagementResource flows = realm.flows();
        boolean exists = flows.getFlows().stream().anyMatch(f -> ALIAS.equals(f.getAlias()));
        if (!exists) {
            AuthenticationFlowRepresentation top = new AuthenticationFlowRepresentation();
            top.setAlias(ALIAS);
            top.setDescription("PHR Cloud: password at level 1, OTP at level 2 (step-up)");
            top.setProviderId("basic-flow");
            top.setTopLevel(true);
            top.setBuiltIn(false);
            try (Response r = flows.createFlow(top)) {
                expect2xx(r, "flow " + ALIAS);
            }
            flows.addExecution(ALIAS, Map.of("provider", "auth-cookie"));
            requirement(flows, ALIAS, "auth-cookie", "ALTERNATIVE");
            subFlow(flows, ALIAS, FORMS, "ALTERNATIVE");
            subFlow(flows, FORMS, LEVEL_1, "CONDITIONAL");
            level(flows, LEVEL_1, 1, LEVEL_1_MAX_AGE_SECONDS, "auth-username-password-form");
            subFlow(flows, FORMS, LEVEL_2, "CONDITIONAL");
            level(flows, LEVEL_2, 2, LEVEL_2_MAX_AGE_SECONDS, "auth-otp-form");
        }
        RealmRepresentation rep = realm.toRepresentation();
        if (!ALIAS.equals(rep.getBrowserFlow())) {
            rep.setBrowserFlow(ALIAS);
            realm.update(rep);
        }
    }

    private static void subFlow(AuthenticationManagementResource flows, String parent, String alias, String requirement) {
        flows.addExecutionFlow(parent, Map.of("alias", alias, "type", "basic-flow", "provider", "registration-page-form",
                "description", alias));
        AuthenticationExecutionInfoRepresentation e = flows.getExecutions(parent).stream()
                .filter(x -> alias.equals(x.getDisplayName())).findFirst().orElseThrow();
        e.setRequirement(requirement);
        flows.updateExecutions(parent, e);
    }

    private static void level(AuthenticationManagementResource flows, String flow, int level, int maxAgeSeconds,
                              String authenticator) {
        flows.addExecution(flow, Map.of("provider", "conditional-level-of-authentication"));
        String conditionId = requirement(flows, flow, "conditional-level-of-authentication", "REQUIRED");
        AuthenticatorConfigRepresentation config = new AuthenticatorConfigRepresentation();
        config.setAlias(flow + " condition");
        config.setConfig(Map.of("loa-condition-level", String.valueOf(level), "loa-max-age", String.valueOf(maxAgeSeconds)));
        try (Response r = flows.newExecutionConfig(conditionId, config)) {
            expect2xx(r, "condition of " + flow);
        }
        flows.addExecution(flow, Map.of("provider", authenticator));
        requirement(flows, flow, authenticator, "REQUIRED");
    }

    /** Sets the requirement of the flow's execution of that provider; returns the execution id. */
    private static String requirement(AuthenticationManagementResource flows, String flow, String provider, String requirement) {
        AuthenticationExecutionInfoRepresentation e = flows.getExecutions(flow).stream()
                .filter(x -> provider.equals(x.getProviderId()) && x.getLevel() == 0).findFirst().orElseThrow();
        e.setRequirement(requirement);
        flows.updateExecutions(flow, e);
        return e.getId();
    }

    private static void expect2xx(Response r, String what) {
        if (r.getStatus() / 100 != 2) {
            throw new IllegalStateException("PHR-IDENTITY-0013: Keycloak refused " + what + ": HTTP " + r.getStatus()
                    + " " + r.readEntity(String.class));
        }
    }
}
