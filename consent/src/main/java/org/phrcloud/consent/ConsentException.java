package org.phrcloud.consent;

/** A consent operation refused, with why (the API maps it to a status) and a {@code PHR-CONSENT-nnnn} message. */
public class ConsentException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why it was refused. */
    public enum Reason { INVALID, NOT_FOUND, FORBIDDEN, CONFLICT, BAD_SIGNATURE }

    private final Reason reason;

    public ConsentException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
