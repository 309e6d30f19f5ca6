package org.phrcloud.consent;

/** What a patient (or their custodian) decides about a consent; each is signed (see {@link DecisionDocument}). */
public enum Decision {
    /** Pending request to active grant. */
    APPROVE("approve"),
    /** Pending request to rejected. */
    REJECT("reject"),
    /** Active grant to revoked: effective from the next request. */
    REVOKE("revoke");

    private final String code;

    Decision(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
