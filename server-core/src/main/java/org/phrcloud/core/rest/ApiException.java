package org.phrcloud.core.rest;

import jakarta.ws.rs.core.Response;

/** A refusal with its status and a {@code PHR-...} message, answered as a {@link Problem}. */
public class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Response.Status status;

    public ApiException(Response.Status status, String message) {
        super(message);
        this.status = status;
    }

    public Response.Status status() {
        return status;
    }
}
