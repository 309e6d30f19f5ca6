package org.phrcloud.consent.policy;

/**
 * The outcome of {@link FhirAccessPolicy} for one request.
 *
 * @param kind    allow, step-up needed (HTTP 401, RFC 9470), or forbidden (HTTP 403)
 * @param message a {@code PHR-AUTHZ-nnnn} message for the OperationOutcome; empty when allowed
 */
public record AccessDecision(Kind kind, String message) {
    public enum Kind { ALLOW, STEP_UP, FORBID }

    public static final AccessDecision ALLOW = new AccessDecision(Kind.ALLOW, "");

    static AccessDecision stepUp(String message) {
        return new AccessDecision(Kind.STEP_UP, message);
    }

    static AccessDecision forbid(String message) {
        return new AccessDecision(Kind.FORBID, message);
    }
}
