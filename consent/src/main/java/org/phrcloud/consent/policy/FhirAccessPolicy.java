package org.phrcloud.consent.policy;

import org.phrcloud.identity.PhrRole;
import org.phrcloud.identity.caller.Caller;


/**
 * Who may use the FHIR API at all, decided from the verified token alone, deny by default
 * (ARCHITECTURE.md "Read path": role first). Rules, in order:
 * <ol>
 *   <li>Institution systems (Keycloak service accounts, client credentials; see
 *       {@link Caller#serviceAccount()}): allowed. The step-up rules apply to people.</li>
 *   <li>Practitioners, family doctors, pharmacists, labs: need {@code acr=2} (password + OTP) for every
 *       call, since every call reads or writes someone else's record; a lower level gets HTTP 401 with
 *       {@code error="insufficient_user_authentication"} and {@code acr_values="2"} (RFC 9470 section 3).
 *       A care giver who also holds another role is judged as a care giver.</li>
 *   <li>Researchers: forbidden; they work with anonymized data through {@code /api/research}.</li>
 *   <li>Patients: allowed at any level; {@link CompartmentAuthorizationInterceptor} then limits them to their own
 *       compartment (403 while their login is not linked to a Patient in the master patient index).</li>
 *   <li>Admins: forbidden (no clinical reads); every other caller: forbidden.</li>
 * </ol>
 * Which records an allowed caller may read or write is decided after this, per resource, by
 * {@link CompartmentAuthorizationInterceptor}.
 */
public final class FhirAccessPolicy {
    public AccessDecision decide(Caller token) {
        if (token.serviceAccount()) {
            return AccessDecision.ALLOW;
        }
        if (token.isCareGiver()) {
            return token.steppedUp() ? AccessDecision.ALLOW
                    : AccessDecision.stepUp("PHR-AUTHZ-0002: this needs authentication with a second factor (acr=2)");
        }
        if (token.hasRole(PhrRole.RESEARCHER)) {
            return AccessDecision.forbid("PHR-AUTHZ-0001: researchers have no FHIR access; use /api/research");
        }
        if (token.hasRole(PhrRole.PATIENT)) {
            return AccessDecision.ALLOW;
        }
        if (token.hasRole(PhrRole.ADMIN)) {
            return AccessDecision.forbid("PHR-AUTHZ-0004: administrators have no clinical access");
        }
        return AccessDecision.forbid("PHR-AUTHZ-0005: no PHR role grants FHIR access");
    }
}
