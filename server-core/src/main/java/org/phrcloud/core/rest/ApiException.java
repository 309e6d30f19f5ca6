package org.phrcloud.core.rest;

/**
 * A refusal by an API resource, with a {@code PHR-...} message; answered as a {@link Problem} whose status is the
 * code's in the error catalog ({@code org.phrcloud.core.error.PhrError}).
 */
public class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ApiException(String message) {
        super(message);
    }
}
