package org.phrcloud.core.rest;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * An error answer of the JSON APIs: RFC 9457 problem details ({@code application/problem+json}).
 *
 * @param title  short text of the status
 * @param status the HTTP status
 * @param detail what went wrong, starting with a {@code PHR-...} code
 */
public record Problem(String title, int status, String detail) {
    public static final MediaType MEDIA_TYPE = new MediaType("application", "problem+json");

    public static Response response(Response.Status status, String detail) {
        return Response.status(status).type(MEDIA_TYPE)
                .entity(JsonBodies.write(new Problem(status.getReasonPhrase(), status.getStatusCode(), detail))).build();
    }
}
