package org.phrcloud.identity.token;

import org.phrcloud.identity.PhrRole;

import java.time.Instant;
import java.util.Set;

/**
 * What a verified access token says about its caller.
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
 */
public record VerifiedAccessToken(String subject, String username, String clientId, Set<PhrRole> roles,
                                  String acr, Instant expiresAt, boolean serviceAccount,
                                  Set<String> institutions) {
    /** Path prefix of institution groups in Keycloak. */
    public static final String INSTITUTION_GROUP_PREFIX = "/institutions/";

    public VerifiedAccessToken {
        roles = Set.copyOf(roles);
        institutions = Set.copyOf(institutions);
    }

    public boolean hasRole(PhrRole role) {
        return roles.contains(role);
    }

    /** @return true if any of the roles is one of {@link PhrRole#CARE_GIVERS} */
    public boolean isCareGiver() {
        return roles.stream().anyMatch(PhrRole.CARE_GIVERS::contains);
    }
}
