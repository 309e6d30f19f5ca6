package org.phrcloud.identity.mpi;

import java.time.Instant;

/**
 * An entry of the index's own audit trail: every link and unlink, of FHIR Patients and of logins, and every
 * registration, key hand-over, and first encounter at an institution.
 *
 * @param occurredAt when
 * @param action     what happened
 * @param pseudonym  whose identity
 * @param target     the FHIR Patient id, the Keycloak user id, or the pseudonym itself
 * @param actor      who did it (a username, a client id, or {@code system})
 */
public record LinkEvent(Instant occurredAt, Action action, String pseudonym, String target, String actor) {
    /** Closed vocabulary of index events. */
    public enum Action { REGISTER, UPDATE_DEMOGRAPHICS, LINK_PATIENT, UNLINK_PATIENT, LINK_LOGIN, HAND_OVER_KEY, ENCOUNTER, MOVE_IN }
}
