package org.phrcloud.research.dataset;

/**
 * A research data set operation refused, with a {@code PHR-RESEARCH-1nnn} message; the error catalog
 * ({@code org.phrcloud.core.error.PhrError}) gives the code its HTTP status.
 */
public class ResearchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ResearchException(String message) {
        super(message);
    }
}
