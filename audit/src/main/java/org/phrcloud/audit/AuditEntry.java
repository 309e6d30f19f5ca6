package org.phrcloud.audit;

import org.hl7.fhir.r4.model.AuditEvent;

import java.util.Set;

/**
 * One AuditEvent with the columns it is found by.
 *
 * @param event      the FHIR R4 AuditEvent (IHE BALP shape, see {@link AuditEvents})
 * @param requestId  the request's X-Request-ID (HAPI's request id when the client sent none); may be null
 * @param actor      Keycloak user id or client id of who acted; {@code anonymous} without a valid token
 * @param actorName  their username
 * @param kind       read, search, create, update, delete, history, operation or transaction
 * @param outcome    0 success, 4 minor failure (refused, bad input), 8 serious failure (FHIR AuditEventOutcome)
 * @param emergency  whether the access was an emergency ("break-glass") access
 * @param patientIds FHIR Patient ids whose records it touched or named
 */
public record AuditEntry(AuditEvent event, String requestId, String actor, String actorName, String kind, int outcome, boolean emergency,
                         Set<String> patientIds) {
    public AuditEntry {
        patientIds = Set.copyOf(patientIds);
    }
}
