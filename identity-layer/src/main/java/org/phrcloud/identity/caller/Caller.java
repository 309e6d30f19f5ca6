package org.phrcloud.identity.caller;

import org.phrcloud.identity.PhrRole;

import java.time.Instant;
import java.util.Set;

/**
 * The caller context: who is calling, with which roles, for which institutions and at which authentication level.
 * Every layer that decides or records something about a caller (FHIR authorization, consent, audit, HL7 v2,
 * research, the JSON APIs) reads this one type; it is made only by {@code AccessTokenVerifier} from a verified
 * Keycloak access token (RFC 6750 bearer token, RFC 9068 JWT profile).
 *
 * @param subject   the Keycloak user id ({@code sub})
 * @param username  {@code preferred_username}; for a client-credentials token, {@code service-account-CLIENT}
 * @param clientId  the client the token was issued to ({@code azp})
 * @param roles     the PHR realm roles the caller holds (unknown role names are dropped)
 * @param acr       the authentication context class ({@code acr}): "1" password, "2" password + OTP; null if absent
 * @param expiresAt the token's {@code exp}
 * @param serviceAccount true for a client's own token (client credentials grant, an institution system):
 *                  Keycloak gives it a {@code client_id} claim, the username {@code service-account-<client_id>}
 *                  and no session ({@code sid}); a person's token has none of these
 * @param institutions ids of the institutions the caller belongs to: Keycloak groups {@code /institutions/<id>},
 *                  carried in the {@code institutions} claim (group membership mapper, full path)
 * @param scope     the token's OAuth 2.0 {@code scope} claim (RFC 6749 section 3.3, space-separated), e.g. SMART App
 *                  Launch scopes that narrow what the caller may do; empty when the caller came without one
 */
public record Caller(String subject, String username, String clientId, Set<PhrRole> roles,
                                  String acr, Instant expiresAt, boolean serviceAccount,
                                  Set<String> institutions, String scope) {
    /** The {@code acr} of a login with a second factor (password + OTP), which people need for most operations. */
    public static final String STEP_UP_ACR = "2";
    /** The challenge that asks for a step-up login (RFC 9470 section 3). */
    public static final String STEP_UP_CHALLENGE = "Bearer realm=\"phr\", error=\"insufficient_user_authentication\", "
            + "error_description=\"A second authentication factor is required\", acr_values=\"" + STEP_UP_ACR + "\"";

    /** Path prefix of institution groups in Keycloak. */
    public static final String INSTITUTION_GROUP_PREFIX = "/institutions/";

    public Caller {
        roles = Set.copyOf(roles);
        institutions = Set.copyOf(institutions);
        scope = scope == null ? "" : scope;
    }

    /** A caller without a {@code scope} claim (a request this deployment makes for someone, a test). */
    public Caller(String subject, String username, String clientId, Set<PhrRole> roles, String acr, Instant expiresAt,
                  boolean serviceAccount, Set<String> institutions) {
        this(subject, username, clientId, roles, acr, expiresAt, serviceAccount, institutions, "");
    }

    /** @return true for a person who logged in with the second factor ({@code acr=2}) */
    public boolean steppedUp() {
        return STEP_UP_ACR.equals(acr);
    }

    public boolean hasRole(PhrRole role) {
        return roles.contains(role);
    }

    /** @return true if any of the roles is one of {@link PhrRole#CARE_GIVERS} */
    public boolean isCareGiver() {
        return roles.stream().anyMatch(PhrRole.CARE_GIVERS::contains);
    }
}
