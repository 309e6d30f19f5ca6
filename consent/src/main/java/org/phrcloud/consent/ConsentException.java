package org.phrcloud.consent;

/**
 * A consent operation refused, with a {@code PHR-CONSENT-nnnn} message; the error catalog
 * ({@code org.phrcloud.core.error.PhrError}) gives the code its HTTP status.
 */
public class ConsentException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConsentException(String message) {
        super(message);
    }
}
