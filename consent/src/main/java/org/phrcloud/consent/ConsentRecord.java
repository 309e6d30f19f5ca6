package org.phrcloud.consent;

import java.time.Instant;

/**
 * One consent as indexed: the request and, once decided, the decision.
 *
 * @param consentId     id of the FHIR Consent
 * @param taskId        id of the FHIR Task that asked for it; null for an emergency access (nobody was asked)
 * @param pseudonym     the patient's pseudonym
 * @param patientId     the FHIR Patient the Consent and Task refer to
 * @param grantee       whom it opens the record to
 * @param requester     Keycloak user id of who asked
 * @param requesterName their username (shown to the patient)
 * @param terms         scope, level, purpose, period
 * @param status        as stored; see {@link #state(Instant)} for expiry
 * @param requestedAt   when it was asked for
 * @param decidedAt     when it was last decided (approved, rejected, revoked); null while pending
 * @param decidedBy     Keycloak user id of who decided; null while pending
 * @param emergency     for an emergency access: the reason given and the notification sent to the patient; else null
 */
public record ConsentRecord(String consentId, String taskId, String pseudonym, String patientId, Grantee grantee,
                            String requester, String requesterName, ConsentTerms terms, Status status, Instant requestedAt,
                            Instant decidedAt, String decidedBy, Emergency emergency) {
    /**
     * What makes an emergency access stand out.
     *
     * @param reason          the reason the care giver stated (at most {@value #MAX_REASON} characters)
     * @param communicationId the FHIR Communication that notified the patient
     */
    public record Emergency(String reason, String communicationId) {
        public static final int MAX_REASON = 1000;
    }

    /** A request or decision that is not an emergency access. */
    public ConsentRecord(String consentId, String taskId, String pseudonym, String patientId, Grantee grantee, String requester,
                         String requesterName, ConsentTerms terms, Status status, Instant requestedAt, Instant decidedAt, String decidedBy) {
        this(consentId, taskId, pseudonym, patientId, grantee, requester, requesterName, terms, status, requestedAt, decidedAt, decidedBy, null);
    }

    /** Stored states; {@link #EXPIRED} is never stored, it is an active consent past its end. */
    public enum Status {
        PENDING, ACTIVE, REJECTED, REVOKED, EXPIRED;

        public String code() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The state at {@code now}: an active consent whose period has ended is {@link Status#EXPIRED}. */
    public Status state(Instant now) {
        return status == Status.ACTIVE && !now.isBefore(terms.end()) ? Status.EXPIRED : status;
    }

    /** Whether it opens the record at {@code now}: active and inside its period. */
    public boolean inForce(Instant now) {
        return status == Status.ACTIVE && terms.covers(now);
    }
}
