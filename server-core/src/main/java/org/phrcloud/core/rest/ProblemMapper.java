package org.phrcloud.core.rest;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import org.phrcloud.core.error.DatabaseUnavailable;
import org.phrcloud.core.error.PhrError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * The one path from a failure to an answer of the JSON APIs (RFC 9457 problem details):
 * <ul>
 *   <li>an exception whose message starts with a code of the error catalog ({@link PhrError}) gets that code's
 *       status and title, whatever its type ({@link ApiException}, a consent or research refusal, a master patient
 *       index conflict, a validation error of a lower layer); a 5xx code answers with its title only;</li>
 *   <li>a Jakarta REST exception (unknown path, wrong method or media type) gets its own status with
 *       PHR-API-0405 to 0409;</li>
 *   <li>a failure to reach the database ({@link DatabaseUnavailable}) is a 503 PHR-API-0503 with {@code Retry-After}:
 *       nothing was written, the request may be sent again;</li>
 *   <li>anything else, a bare {@code IllegalArgumentException} included, is a 500 PHR-API-0500 that says nothing
 *       of the cause; the log gets the exception type and code only (messages may hold request data, so no PHI
 *       reaches the log).</li>
 * </ul>
 */
public class ProblemMapper implements ExceptionMapper<Throwable> {
    private static final Logger LOG = LoggerFactory.getLogger(ProblemMapper.class);

    @Override
    public Response toResponse(Throwable e) {
        if (DatabaseUnavailable.causedBy(e)) {
            LOG.warn("API request failed: the database cannot be reached ({})", e.getClass().getName());
            return Response.fromResponse(Problem.response(Problem.of(PhrError.PHR_API_0503, null)))
                    .header("Retry-After", DatabaseUnavailable.RETRY_AFTER_SECONDS).build();
        }
        Optional<PhrError> error = PhrError.ofMessage(e.getMessage());
        if (error.isPresent()) {
            if (error.get().status() >= 500) {
                LOG.error("API request failed: {} {}", e.getClass().getName(), error.get().code(), e);
            }
            return Problem.response(Problem.of(error.get(), e.getMessage()));
        }
        if (e instanceof WebApplicationException w) {
            return Problem.response(Problem.of(forStatus(w.getResponse().getStatus()), null));
        }
        LOG.error("API request failed: {}", e.getClass().getName(), e);
        return Problem.response(Problem.of(PhrError.PHR_API_0500, null));
    }

    private static PhrError forStatus(int status) {
        return switch (status) {
            case 404 -> PhrError.PHR_API_0405;
            case 405 -> PhrError.PHR_API_0406;
            case 406 -> PhrError.PHR_API_0407;
            case 415 -> PhrError.PHR_API_0408;
            default -> status >= 500 ? PhrError.PHR_API_0500 : PhrError.PHR_API_0409;
        };
    }
}
