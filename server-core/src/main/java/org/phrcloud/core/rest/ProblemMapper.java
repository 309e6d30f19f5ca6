package org.phrcloud.core.rest;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import org.phrcloud.identity.mpi.IdentityConflictException;
import org.phrcloud.identity.mpi.UnknownIdentityException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every failure into a problem answer (RFC 9457): bad values 400 (malformed JSON is refused by
 * {@link JsonBodies} already), unknown identity
 * 404, identity conflicts 409, Jakarta REST exceptions their own status; anything else 500 without details
 * (logged without request data, so no PHI reaches the log).
 */
public class ProblemMapper implements ExceptionMapper<Throwable> {
    private static final Logger LOG = LoggerFactory.getLogger(ProblemMapper.class);

    @Override
    public Response toResponse(Throwable e) {
        if (e instanceof ApiException api) {
            return Problem.response(api.status(), api.getMessage());
        }
        if (e instanceof IllegalArgumentException) {
            return Problem.response(Response.Status.BAD_REQUEST, e.getMessage());
        }
        if (e instanceof UnknownIdentityException) {
            return Problem.response(Response.Status.NOT_FOUND, e.getMessage());
        }
        if (e instanceof IdentityConflictException) {
            return Problem.response(Response.Status.CONFLICT, e.getMessage());
        }
        if (e instanceof WebApplicationException w) {
            Response.Status status = Response.Status.fromStatusCode(w.getResponse().getStatus());
            return Problem.response(status == null ? Response.Status.BAD_REQUEST : status,
                    "PHR-API-" + w.getResponse().getStatus() + ": " + (status == null ? "request refused" : status.getReasonPhrase()));
        }
        LOG.error("API request failed: {}", e.getClass().getName(), e);
        return Problem.response(Response.Status.INTERNAL_SERVER_ERROR, "PHR-API-0500: internal error");
    }
}
