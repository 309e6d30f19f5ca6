package org.phrcloud.research.dataset;

/** A research data set operation refused, with why (the API maps it to a status) and a {@code PHR-RESEARCH-1nnn} message. */
public class ResearchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why it was refused. */
    public enum Reason { INVALID, NOT_FOUND, CONFLICT }

    private final Reason reason;

    public ResearchException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
