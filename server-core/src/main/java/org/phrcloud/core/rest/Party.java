package org.phrcloud.core.rest;

import org.phrcloud.identity.PhrRole;
import org.phrcloud.identity.caller.Caller;

import java.util.EnumSet;
import java.util.Set;

/** The kinds of caller an endpoint can admit. */
public enum Party {
    /** Anyone, without a token (public data only, e.g. published keys). */
    ANYONE,
    /** An institution's system: a Keycloak service account (client credentials). */
    INSTITUTION_SYSTEM,
    /** Practitioner, family doctor, pharmacist or lab. */
    CARE_GIVER,
    PATIENT,
    RESEARCHER,
    ADMIN,
    /**
     * A care giver of another deployment of the network, acting through their institution's RFC 7523 client assertion
     * (ARCHITECTURE.md "Federation"); admitted only where an endpoint names this party, never as {@link #CARE_GIVER}.
     */
    FEDERATED_CARE_GIVER,
    /**
     * A patient of another deployment, as their home asserts them (RFC 7523 client assertion): admitted only where an
     * endpoint names this party (a record this deployment keeps for the patient, read by their home).
     */
    FEDERATED_PATIENT;

    /** Every party the token's holder belongs to. */
    public static Set<Party> of(Caller token) {
        Set<Party> parties = EnumSet.noneOf(Party.class);
        if (token.serviceAccount()) {
            parties.add(INSTITUTION_SYSTEM);
            return parties;
        }
        if (token.isCareGiver()) {
            parties.add(CARE_GIVER);
        }
        if (token.hasRole(PhrRole.PATIENT)) {
            parties.add(PATIENT);
        }
        if (token.hasRole(PhrRole.RESEARCHER)) {
            parties.add(RESEARCHER);
        }
        if (token.hasRole(PhrRole.ADMIN)) {
            parties.add(ADMIN);
        }
        return parties;
    }
}
