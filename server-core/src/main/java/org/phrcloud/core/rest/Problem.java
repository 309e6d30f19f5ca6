package org.phrcloud.core.rest;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.phrcloud.core.error.PhrError;

/**
 * An error answer of the JSON APIs: RFC 9457 problem details ({@code application/problem+json}).
 *
 * @param type   the problem type, {@code /api/problems/<code>} (RFC 9457 section 3.1.1; a GET there answers with
 *               the catalog entry)
 * @param title  the catalog title of the code (section 3.1.3)
 * @param status the HTTP status, from the catalog (section 3.1.2)
 * @param detail what went wrong in this occurrence, starting with the code (section 3.1.4); for a 5xx only the code
 *               and title, so no internal message reaches the caller
 * @param code   the {@code PHR-...} code (extension member, section 3.2)
 */
public record Problem(String type, String title, int status, String detail, String code) {
    public static final MediaType MEDIA_TYPE = new MediaType("application", "problem+json");
    /** Path of the problem types, below the API root. */
    public static final String TYPES_PATH = "/api/problems/";

    /** The problem of a catalogued code, with its occurrence's message ({@code "PHR-...: what"}). */
    public static Problem of(PhrError error, String message) {
        String detail = error.status() >= 500 || message == null ? error.code() + ": " + error.title() : message;
        return new Problem(TYPES_PATH + error.code(), error.title(), error.status(), detail, error.code());
    }

    /**
     * The answer for a message that starts with a catalogued code; the status is the code's.
     *
     * @throws IllegalStateException if the message carries no catalogued code (a programming error)
     */
    public static Response response(String message) {
        PhrError error = PhrError.ofMessage(message)
                .orElseThrow(() -> new IllegalStateException("PHR-API-0500: no catalogued code in a refusal"));
        return response(of(error, message));
    }

    public static Response response(Problem problem) {
        return Response.status(problem.status()).type(MEDIA_TYPE).entity(JsonBodies.write(problem)).build();
    }
}
