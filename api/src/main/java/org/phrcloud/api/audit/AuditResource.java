package org.phrcloud.api.audit;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.servlet.ServletContext;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.phrcloud.identity.mpi.MasterPatientIndex;
import org.phrcloud.identity.caller.Caller;
import org.phrcloud.core.rest.ApiException;
import org.phrcloud.core.rest.JsonBodies;
import org.phrcloud.core.rest.SpringBeans;
import org.phrcloud.core.rest.Access;
import org.phrcloud.core.rest.AccessFilter;
import org.phrcloud.core.rest.Party;
import org.phrcloud.audit.AuditEvents;
import org.phrcloud.audit.AuditLog;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code /api/audit}. Nothing here changes an AuditEvent: the log is append only.
 * <ul>
 *   <li>{@code GET /my-record}: the patient (acr 1) sees who accessed their record: every AuditEvent about one of their
 *       linked Patients, newest first, filterable by period, actor and kind; emergency accesses are flagged.</li>
 *   <li>{@code GET /events?requestId=} or {@code ?patientId=}: the FHIR AuditEvents themselves, for admins (acr 2) and
 *       institution systems.</li>
 * </ul>
 */
@Path("audit")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "audit", description = "Who accessed which record, when and why")
@SecurityRequirement(name = "keycloak")
public class AuditResource {
    @Context
    private ServletContext servletContext;
    @Context
    private ContainerRequestContext request;

    /**
     * One access as the patient sees it.
     *
     * @param actor        username of who acted ({@code anonymous} without a valid token)
     * @param roles        their PHR roles
     * @param institutions the institutions they belong to
     * @param outcome      0 success, 4 refused or bad request, 8 server failure
     * @param purpose      purpose of use when one was stated (ETREAT: emergency)
     * @param resources    the records touched, {@code Type/id/_history/v}
     * @param sealed       whether it is already hash-chained on the audit chain
     */
    public record AccessView(String id, Instant recorded, String kind, int outcome, String description, String actor, List<String> roles,
                             List<String> institutions, String purpose, boolean emergency, List<String> resources, boolean sealed) {
    }

    @GET
    @Path("my-record")
    @Access(value = Party.PATIENT, withoutStepUp = Party.PATIENT)
    @Operation(summary = "Who accessed my record: the AuditEvents about me, newest first",
            description = "Filters: from, to (ISO 8601 instants), actor (username), kind (read, search, create, update, delete, "
                    + "history, operation, transaction), limit (1 to 1000, default 200).")
    @APIResponse(responseCode = "403", description = "this login is not linked to a patient record")
    public Response myRecord(@QueryParam("from") String from, @QueryParam("to") String to, @QueryParam("actor") String actor,
                             @QueryParam("kind") String kind, @QueryParam("limit") @DefaultValue("200") int limit) {
        Caller caller = AccessFilter.caller(request);
        Set<String> patients = SpringBeans.get(servletContext, MasterPatientIndex.class).patientIdsOfLogin(caller.subject());
        if (patients.isEmpty()) {
            throw new ApiException("PHR-API-0460: this login is not linked to a patient record");
        }
        requireLimit(limit);
        return views(log().aboutPatients(patients, instant(from), instant(to), actor, kind, limit));
    }

    @GET
    @Path("my-actions")
    @Access(value = {Party.PATIENT, Party.CARE_GIVER, Party.RESEARCHER, Party.ADMIN}, withoutStepUp = Party.PATIENT)
    @Operation(summary = "My own access history: the AuditEvents of what I did (reads, searches, writes, refusals, research), newest first",
            description = "limit: 1 to 1000, default 200.")
    public Response myActions(@QueryParam("limit") @DefaultValue("200") int limit) {
        requireLimit(limit);
        Caller caller = AccessFilter.caller(request);
        return views(log().ofActor(caller.subject(), limit));
    }

    private static void requireLimit(int limit) {
        if (limit < 1 || limit > 1000) {
            throw new ApiException("PHR-API-0461: limit is 1 to 1000");
        }
    }

    private Response views(List<AuditLog.Stored> events) {
        List<AccessView> views = new ArrayList<>();
        for (AuditLog.Stored s : events) {
            views.add(view(s));
        }
        return JsonBodies.ok(views);
    }

    @GET
    @Path("events")
    @Access({Party.ADMIN, Party.INSTITUTION_SYSTEM})
    @Operation(summary = "FHIR AuditEvents by request id (X-Request-ID) or by Patient id",
            description = "The AuditEvent resources as stored (IHE BALP shape), oldest first for a request, newest first for a patient.")
    public Response events(@QueryParam("requestId") String requestId, @QueryParam("patientId") String patientId,
                           @QueryParam("limit") @DefaultValue("200") int limit) {
        if ((requestId == null) == (patientId == null)) {
            throw new ApiException("PHR-API-0462: give requestId or patientId");
        }
        List<AuditLog.Stored> found = requestId != null ? log().ofRequest(requestId)
                : log().aboutPatients(Set.of(patientId), null, null, null, null, Math.max(1, Math.min(limit, 1000)));
        List<JsonNode> out = new ArrayList<>();
        for (AuditLog.Stored s : found) {
            out.add(tree(s.json()));
        }
        return JsonBodies.ok(out);
    }

    private AccessView view(AuditLog.Stored s) {
        JsonNode event = tree(s.json());
        JsonNode agent = event.path("agent").path(0);
        List<String> roles = new ArrayList<>();
        agent.path("role").forEach(r -> roles.add(r.path("coding").path(0).path("code").asText()));
        List<String> institutions = new ArrayList<>();
        agent.path("extension").forEach(x -> {
            if (AuditEvents.INSTITUTION_EXTENSION.equals(x.path("url").asText())) {
                institutions.add(x.path("valueString").asText());
            }
        });
        List<String> resources = new ArrayList<>();
        event.path("entity").forEach(e -> {
            if ("4".equals(e.path("role").path("code").asText())) {
                resources.add(e.path("what").path("reference").asText());
            }
        });
        String purpose = event.path("purposeOfEvent").path(0).path("coding").path(0).path("code").asText(null);
        return new AccessView(s.eventId(), s.recorded(), s.kind(), s.outcome(), event.path("outcomeDesc").asText(null), s.actorName(),
                roles, institutions, purpose, s.emergency(), resources, s.sealedHeight() != null);
    }

    private static JsonNode tree(String json) {
        try {
            return JsonBodies.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("PHR-API-0561: a stored AuditEvent does not parse", e);
        }
    }

    private static Instant instant(String value) {
        try {
            return value == null ? null : Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new ApiException("PHR-API-0463: from and to are ISO 8601 instants, e.g. 2026-11-24T10:00:00Z");
        }
    }

    private AuditLog log() {
        return SpringBeans.get(servletContext, AuditLog.class);
    }

}
