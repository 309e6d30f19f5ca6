package org.phrcloud.api.problem;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.phrcloud.core.error.PhrError;
import org.phrcloud.core.rest.Access;
import org.phrcloud.core.rest.ApiException;
import org.phrcloud.core.rest.JsonBodies;
import org.phrcloud.core.rest.Party;
import org.phrcloud.core.rest.Problem;

import java.util.Arrays;

/**
 * The problem types of the APIs (RFC 9457 section 3.1.1): the {@code type} of every problem answer,
 * {@code /api/problems/<code>}, answers here with the error catalog's entry. Public: the catalog holds no data.
 */
@Path("problems")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "problems", description = "The error catalog: every PHR code with its HTTP status and title")
public class ProblemTypeResource {
    /**
     * One problem type.
     *
     * @param type   {@code /api/problems/<code>}
     * @param code   {@code PHR-<AREA>-<NNNN>}
     * @param status the HTTP status of answers carrying the code
     * @param title  the short title
     */
    public record ProblemType(String type, String code, int status, String title) {
        static ProblemType of(PhrError e) {
            return new ProblemType(Problem.TYPES_PATH + e.code(), e.code(), e.status(), e.title());
        }
    }

    @GET
    @Access(Party.ANYONE)
    @Operation(summary = "Every code of the error catalog")
    public Response all() {
        return JsonBodies.ok(Arrays.stream(PhrError.values()).map(ProblemType::of).toList());
    }

    @GET
    @Path("{code}")
    @Access(Party.ANYONE)
    @Operation(summary = "One code of the error catalog")
    @APIResponse(responseCode = "404", description = "no such code")
    public Response one(@PathParam("code") String code) {
        return JsonBodies.ok(ProblemType.of(PhrError.of(code)
                .orElseThrow(() -> new ApiException("PHR-API-0405: no problem type " + code.replaceAll("[^A-Z0-9-]", "")))));
    }
}
