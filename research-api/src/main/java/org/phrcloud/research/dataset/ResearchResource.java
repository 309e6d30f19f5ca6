package org.phrcloud.research.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.servlet.ServletContext;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.phrcloud.identity.caller.Caller;
import org.phrcloud.core.rest.JsonBodies;
import org.phrcloud.core.rest.SpringBeans;
import org.phrcloud.core.rest.Access;
import org.phrcloud.core.rest.AccessFilter;
import org.phrcloud.core.rest.Party;

import java.io.IOException;
import java.time.Instant;
import java.util.UUID;

/**
 * {@code /api/research}: anonymized research data sets. Researchers only, at {@code acr=2}, and each sees only their own
 * data sets (anyone else's answers 404); every other caller gets 401 or 403. A data set is drawn from the research pool
 * of one of the researcher's studies ({@code /api/consent/studies}): only patients whose HRESCH consent is in force are
 * in it. Every request, job run, download and query is an AuditEvent (purpose of use HRESCH) carrying the request's
 * {@code X-Request-ID}; each patient whose record went in gets an AuditEvent naming only them and the data set.
 */
@Path("research")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "research", description = "Anonymized research data sets: k-anonymity, l-diversity, t-closeness, a risk report, provenance")
@SecurityRequirement(name = "keycloak")
public class ResearchResource {
    @Context
    private ServletContext servletContext;
    @Context
    private ContainerRequestContext request;

    /**
     * A data set as its researcher sees it.
     *
     * @param status  queued, running, done or failed
     * @param phase   queued, cohort, extracting, anonymizing, checking, writing, done
     * @param percent 0 to 100
     * @param result  when done: records, counts (pool, outsideConsentScope, notInCohort, missingValues, included),
     *                suppressedRecords, checker, risk (prosecutor model), informationLoss, discernibility, generalization,
     *                provenance; else null
     * @param error   when failed: why ({@code PHR-RESEARCH-nnnn}); else null
     */
    public record DataSetView(String id, String study, Instant requestedAt, Instant finishedAt, String status, String phase, int percent,
                              JsonNode request, JsonNode result, String error) {
    }

    /**
     * A query on a released data set's database.
     *
     * @param sql   one SELECT on table {@code RECORDS} (columns named as the attributes)
     * @param limit rows at most, 1 to 1000; default 100
     */
    public record QueryBody(String sql, Integer limit) {
    }

    @POST
    @Path("datasets")
    @Access(Party.RESEARCHER)
    @Operation(summary = "Ask for an anonymized data set from the research pool of one of my studies",
            description = "The body: study, purpose, cohort (FHIR searches, AND-ed), attributes (name, source, class: identifier | "
                    + "quasi-identifier | sensitive | insensitive; bands or hierarchy for quasi-identifiers), k, l, lModel (distinct | "
                    + "entropy), t, suppressionLimit, algorithm (full-domain | mondrian), riskThreshold. A job runs it: poll the "
                    + "Location for status, phase and percent.")
    @APIResponse(responseCode = "202", description = "accepted; the job is queued")
    @APIResponse(responseCode = "400", description = "the request is not well formed (PHR-RESEARCH-10nn)")
    @APIResponse(responseCode = "404", description = "no such study for this caller")
    public Response create(String json, @Context UriInfo uri) {
        DataSetRequest body = JsonBodies.read(json, DataSetRequest.class);
        DataSetIndex.Row row = service().request(caller(), body, requestId());
        return Response.accepted().location(uri.getBaseUriBuilder().path("research").path("datasets").path(row.id()).build())
                .type(MediaType.APPLICATION_JSON_TYPE).entity(JsonBodies.write(view(row))).build();
    }

    @GET
    @Path("datasets")
    @Access(Party.RESEARCHER)
    @Operation(summary = "My data sets, newest first")
    public Response list() {
        return JsonBodies.ok(service().of(caller()).stream().map(ResearchResource::view).toList());
    }

    @GET
    @Path("datasets/{id}")
    @Access(Party.RESEARCHER)
    @Operation(summary = "One of my data sets: progress, and once released its risk report and provenance")
    @APIResponse(responseCode = "404", description = "no such data set for this caller")
    public Response get(@PathParam("id") String id) {
        return JsonBodies.ok(view(service().get(caller(), id)));
    }

    @GET
    @Path("datasets/{id}/records.csv")
    @Produces("text/csv")
    @Access(Party.RESEARCHER)
    @Operation(summary = "Download the released records as CSV (RFC 4180, a header line)")
    @APIResponse(responseCode = "404", description = "no such data set for this caller")
    @APIResponse(responseCode = "409", description = "not released (queued, running or failed)")
    public Response csv(@PathParam("id") String id) {
        return file(id, ReleaseFiles.CSV, "text/csv");
    }

    @GET
    @Path("datasets/{id}/records.ndjson")
    @Produces("application/fhir+ndjson")
    @Access(Party.RESEARCHER)
    @Operation(summary = "Download the released records as FHIR R4 NDJSON (Patient, Condition, Observation; one resource per line)")
    @APIResponse(responseCode = "404", description = "no such data set for this caller")
    @APIResponse(responseCode = "409", description = "not released (queued, running or failed)")
    public Response ndjson(@PathParam("id") String id) {
        return file(id, ReleaseFiles.NDJSON, "application/fhir+ndjson");
    }

    @POST
    @Path("datasets/{id}/query")
    @Access(Party.RESEARCHER)
    @Operation(summary = "Query the data set's own database with SQL (read-only, table RECORDS)",
            description = "Runs as a database user that may only SELECT from RECORDS, on a read-only connection, at most 10 s. "
                    + "Answers {columns, rows, truncated}.")
    @APIResponse(responseCode = "400", description = "not a query, not allowed, or it failed (the database's message)")
    @APIResponse(responseCode = "404", description = "no such data set for this caller")
    @APIResponse(responseCode = "409", description = "not released")
    public Response query(@PathParam("id") String id, String json) {
        QueryBody body = JsonBodies.read(json, QueryBody.class);
        int limit = body.limit() == null ? 100 : body.limit();
        return JsonBodies.ok(service().query(caller(), id, body.sql(), limit, requestId()));
    }

    private Response file(String id, String name, String type) {
        java.nio.file.Path path = service().download(caller(), id, name, requestId());
        return Response.ok(path.toFile(), type).header("Content-Disposition", "attachment; filename=\"" + name + "\"").build();
    }

    private static DataSetView view(DataSetIndex.Row r) {
        return new DataSetView(r.id(), r.studyId(), r.requestedAt(), r.finishedAt(), r.status().code(), r.phase(), r.percent(),
                tree(r.request()), tree(r.result()), r.error());
    }

    private static JsonNode tree(String json) {
        try {
            return json == null ? null : JsonBodies.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("PHR-API-0571: a stored research data set does not parse", e);
        }
    }


    /** The client's X-Request-ID, else a new one (the AuditEvents of this request carry it). */
    private String requestId() {
        String given = request.getHeaderString("X-Request-ID");
        return given != null && !given.isBlank() && given.length() <= 200 ? given : UUID.randomUUID().toString();
    }

    private ResearchDataSets service() {
        return SpringBeans.get(servletContext, ResearchDataSets.class);
    }

    private Caller caller() {
        return AccessFilter.caller(request);
    }
}
