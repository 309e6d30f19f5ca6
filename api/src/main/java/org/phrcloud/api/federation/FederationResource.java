package org.phrcloud.api.federation;

import jakarta.servlet.ServletContext;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Patient;
import org.phrcloud.connector.ActingParty;
import org.phrcloud.connector.FederationClient;
import org.phrcloud.connector.NetworkRegistry;
import org.phrcloud.core.federation.FederatedCallers;
import org.phrcloud.core.rest.Access;
import org.phrcloud.core.rest.AccessFilter;
import org.phrcloud.core.rest.ApiException;
import org.phrcloud.core.rest.JsonBodies;
import org.phrcloud.core.rest.Party;
import org.phrcloud.core.rest.SpringBeans;
import org.phrcloud.identity.caller.Caller;
import org.phrcloud.identity.mpi.Demographics;

import java.sql.Date;
import java.util.List;
import java.util.Map;

/**
 * {@code /api/federation} (ARCHITECTURE.md "Federation"): a care giver of this deployment locates a patient whose
 * record lives at another deployment of the network. This server asks every other admitted institution with
 * {@code Patient/$match} (IHE PDQm ITI-119, the discovery step of IHE XCPD), authenticated by this institution's
 * RFC 7523 client assertion on the care giver's behalf (their id, role and {@code acr}, purpose of use TREAT); the
 * answering institutions audit the query. Answers carry pseudonyms and where each chain lives, never demographics
 * the care giver did not send. Errors: 400 (PHR-API-0410, 0411), 503 without a chain (PHR-FEDERATION-0504) or when
 * the chain cannot be read (PHR-FEDERATION-0503).
 *
 * <p>Then, for a patient whose chain lives elsewhere ({@code patients/{pseudonym}/...}): ask for access, declare an
 * emergency access and read their record, each forwarded to the patient's home (the registry's latest entry) with a
 * client assertion for the caller; the home decides by its consents and audits, and this server audits the caller's
 * request too (the resource at the home named by its URL, the purpose of use), so the access shows at both ends.
 * Errors there: 400 (PHR-FEDERATION-0412, 0414), 404 (0413), 502 when the home cannot be reached (0502); the home's
 * own answers (OperationOutcome, RFC 9457 problem) pass through as they are.
 */
@Path("federation")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "federation", description = "Patients whose records live at other deployments of the network")
@SecurityRequirement(name = "keycloak")
public class FederationResource {
    @Context
    private ServletContext servletContext;
    @Context
    private ContainerRequestContext request;

    /**
     * The body of a locate request: the demographics the care giver has (identifiers, or family and given names with
     * birth date and gender) and at most how many candidates each institution returns (1 to 50, default 5).
     */
    public record LocateRequest(Demographics demographics, Integer count) {
    }

    /** An institution as the chain lists it: CAIP-10 account id and endpoint. */
    public record InstitutionView(String account, String endpoint) {
        static InstitutionView of(NetworkRegistry.Institution i) {
            return new InstitutionView(i.accountId(), i.endpoint());
        }
    }

    /** Where a patient's chain lives: its institution, the latest anchored head and its height. */
    public record HomeView(InstitutionView institution, String head, long height) {
    }

    /** One candidate: pseudonym, the answering institution's Patient id, match grade and score, and the chain's home (null before its first anchor). */
    public record MatchView(String pseudonym, String patientId, String grade, double score, InstitutionView answeredBy, HomeView home) {
    }

    /** The answer: candidates (best first) and the institutions that could not answer, with the reason. */
    public record Located(List<MatchView> matches, List<String> unanswered) {
    }

    @POST
    @Path("locate")
    @Access(Party.CARE_GIVER)
    @Operation(summary = "Locate a patient across the network (Patient/$match at every other institution)",
            description = "Body: {demographics, count}. Answer: {matches: [{pseudonym, patientId, grade, score, answeredBy, home}], "
                    + "unanswered}. The other institutions see the request as made by the caller on behalf of this institution.")
    @APIResponse(responseCode = "503", description = "no chain configured, or the chain cannot be read")
    public Response locate(String json) {
        LocateRequest body = JsonBodies.read(json, LocateRequest.class);
        if (body == null || body.demographics() == null) {
            throw new ApiException("PHR-API-0410: demographics are required");
        }
        int count = body.count() == null ? 5 : body.count();
        if (count < 1 || count > 50) {
            throw new ApiException("PHR-API-0411: limit is 1 to 50");
        }
        FederationClient client = client();
        FederationClient.Located located;
        try {
            located = client.locate(patient(body.demographics()), party("TREAT"), count);
        } catch (NetworkRegistry.RegistryUnavailableException e) {
            throw new ApiException("PHR-FEDERATION-0503: the network registry on chain cannot be read");
        }
        return JsonBodies.ok(new Located(located.matches().stream().map(m -> new MatchView(m.pseudonym(), m.patientId(), m.grade(),
                m.score(), InstitutionView.of(m.answeredBy()), m.home().map(h -> new HomeView(InstitutionView.of(h.institution()),
                        h.head(), h.height())).orElse(null))).toList(), located.unanswered()));
    }

    /** A FHIR path this deployment forwards: a type, an instance, its history or versions, or its {@code $everything}. */
    private static final java.util.regex.Pattern FHIR_PATH = java.util.regex.Pattern.compile(
            "[A-Z][A-Za-z]{1,63}(/[A-Za-z0-9\\-.]{1,64}(/_history(/[0-9]{1,19})?|/\\$everything)?)?");

    @GET
    @Path("patients/{pseudonym}/fhir/{path: .+}")
    @Produces({"application/fhir+json", MediaType.APPLICATION_JSON})
    @Access(Party.CARE_GIVER)
    @Operation(summary = "Read or search a patient's record at their home deployment, through this server",
            description = "Forwards GET <home>/fhir/{path}?<query> with this institution's client assertion for the caller; the home "
                    + "answers what its consents and emergency accesses allow the caller and audits it; this server audits it too. "
                    + "Header X-Purpose-Of-Use: TREAT (default) or ETREAT (after an emergency access).")
    @APIResponse(responseCode = "404", description = "no institution holds a chain of this pseudonym")
    public Response read(@PathParam("pseudonym") String pseudonym, @PathParam("path") String path,
                         @jakarta.ws.rs.HeaderParam("X-Purpose-Of-Use") String purposeHeader, @Context jakarta.ws.rs.core.UriInfo uri) {
        if (!FHIR_PATH.matcher(path).matches()) {
            throw new ApiException("PHR-FEDERATION-0412: a path relative to the other deployment's FHIR endpoint is required, "
                    + "e.g. Observation or Patient/12/$everything");
        }
        String purpose = purposeHeader == null ? "TREAT" : purposeHeader.strip();
        if (!purpose.equals("TREAT") && !purpose.equals("ETREAT")) {
            throw new ApiException("PHR-FEDERATION-0414: the purpose of use is TREAT or ETREAT");
        }
        String query = uri.getRequestUri().getRawQuery();
        boolean instance = path.contains("/") && !path.endsWith("$everything") && !path.endsWith("_history");
        return forward(pseudonym, "GET", "fhir/" + path + (query == null ? "" : "?" + query), null, purpose,
                instance ? "read" : path.endsWith("$everything") ? "operation" : "search");
    }

    /**
     * An access request to a patient of another deployment: the body of {@code POST /api/consent/requests} (resourceTypes,
     * level, purpose, days, start, grantee) without {@code patient}.
     */
    @POST
    @Path("patients/{pseudonym}/consent-requests")
    @Access(Party.CARE_GIVER)
    @Operation(summary = "Ask a patient of another deployment for access (forwarded to POST <home>/api/consent/requests)",
            description = "The patient sees and decides the request at their home; the answer is the home's (201 with the pending consent).")
    public Response ask(@PathParam("pseudonym") String pseudonym, String json) {
        com.fasterxml.jackson.databind.node.ObjectNode body = JsonBodies.read(json, com.fasterxml.jackson.databind.node.ObjectNode.class);
        if (body == null) {
            throw new ApiException("PHR-API-0400: the JSON body is missing or not what this operation takes");
        }
        body.put("patient", pseudonym);
        return forward(pseudonym, "POST", "api/consent/requests", body.toString(), "TREAT", "create");
    }

    /** @param reason why, shown to the patient (1 to 1000 characters) */
    public record EmergencyRequest(String reason) {
    }

    @POST
    @Path("patients/{pseudonym}/emergency")
    @Access(Party.CARE_GIVER)
    @Operation(summary = "Emergency access to a patient of another deployment (forwarded to POST <home>/api/consent/emergency)",
            description = "The home opens the record to the caller for its configured time, notifies the patient and audits every read "
                    + "with purpose of use ETREAT; read it then through patients/{pseudonym}/fhir with X-Purpose-Of-Use: ETREAT.")
    public Response emergency(@PathParam("pseudonym") String pseudonym, String json) {
        EmergencyRequest body = JsonBodies.read(json, EmergencyRequest.class);
        String forwarded = JsonBodies.write(Map.of("patient", pseudonym, "reason", body == null || body.reason() == null ? "" : body.reason()));
        return forward(pseudonym, "POST", "api/consent/emergency", forwarded, "ETREAT", "create");
    }

    /**
     * A record kept here for a patient of another deployment.
     *
     * @param url         its absolute URL here
     * @param resource    the stored resource (FHIR JSON)
     * @param home        the institution whose chain of the patient names it
     * @param height      the height of the block the home appended
     * @param blockHash   that block's hash, hex
     * @param authorKeyId the key that signed it, {@code <this institution's account>#<kid>}
     */
    public record KeptView(String url, com.fasterxml.jackson.databind.JsonNode resource, String home, long height, String blockHash,
                           String authorKeyId) {
    }

    @POST
    @Path("patients/{pseudonym}/records")
    @jakarta.ws.rs.Consumes({"application/fhir+json", MediaType.APPLICATION_JSON})
    @Access(Party.CARE_GIVER)
    @Operation(summary = "Record something here for a patient of another deployment; their home's chain names it",
            description = "The body is one FHIR resource of a type with a subject (e.g. an Observation); its subject becomes the patient's "
                    + "pseudonym (a logical reference) and it is stored here, while the home appends a block naming it (its URL here and "
                    + "content hash) signed with this institution's key, if a consent or emergency access there opens the record to the "
                    + "caller. Refused by the home: nothing is stored here.")
    @APIResponse(responseCode = "201", description = "stored here and named in the patient's chain at the home")
    public Response record(@PathParam("pseudonym") String pseudonym, String json) {
        if (!pseudonym.matches("[0-9a-f]{64}")) {
            throw new ApiException("PHR-FEDERATION-0413: no institution holds a chain of this pseudonym");
        }
        org.phrcloud.standards.fhir.federation.RecordsForOtherHomes records = federation(org.phrcloud.standards.fhir.federation.RecordsForOtherHomes.class);
        Caller caller = AccessFilter.caller(request);
        org.phrcloud.audit.Auditor auditor = SpringBeans.get(servletContext, org.phrcloud.audit.Auditor.class);
        ca.uhn.fhir.rest.api.server.SystemRequestDetails audited = org.phrcloud.core.caller.CallerContext.systemRequestAs(caller, "TREAT");
        org.phrcloud.standards.fhir.federation.RecordsForOtherHomes.Kept kept;
        try {
            kept = records.keep(caller, party("TREAT"), pseudonym, json);
        } catch (FederationClient.Refused e) {
            auditor.record(audited, "create", e.status() < 500 ? 4 : 8, e.status() + (e.body().startsWith("PHR-")
                    ? " " + e.body().substring(0, e.body().indexOf(':')) : " at the home"), java.util.Set.of(),
                    List.of("federation/patients/" + pseudonym + "/records"), null);
            if (e.body().startsWith("PHR-")) {
                throw new ApiException(e.body());
            }
            return Response.status(e.status()).type(MediaType.APPLICATION_JSON).entity(e.body()).build();
        } catch (NetworkRegistry.RegistryUnavailableException e) {
            throw new ApiException("PHR-FEDERATION-0503: the network registry on chain cannot be read");
        }
        auditor.record(audited, "create", 0, null, java.util.Set.of(), List.of(kept.url()), null);
        KeptView view = new KeptView(kept.url(), JsonBodies.read(kept.resource(), com.fasterxml.jackson.databind.JsonNode.class),
                kept.home().accountId(), kept.block().height(), java.util.HexFormat.of().formatHex(kept.block().hash()), kept.block().authorKeyId());
        return Response.created(java.net.URI.create(kept.url())).type(MediaType.APPLICATION_JSON).entity(JsonBodies.write(view)).build();
    }

    /**
     * A chain moved here.
     *
     * @param blocks   its blocks
     * @param anchored the highest height an anchor covers (this deployment's next anchor covers the head)
     */
    public record MovedInView(String pseudonym, int blocks, long anchored) {
    }

    @POST
    @Path("patients/{pseudonym}/chain")
    @jakarta.ws.rs.Consumes(MediaType.APPLICATION_JSON)
    @Access(Party.FEDERATED_PATIENT)
    @Operation(summary = "The patient's home hands their chain over to this deployment, their new home",
            description = "Only for the institution the PatientRegistry names as the chain's home, acting for the patient (client assertion, "
                    + "acr 2), with the patient's signed move request for this deployment, their public key, the former homes and the chain "
                    + "export (phr-chain-export/1). The chain is verified offline (links, signatures with the keys published on chain, anchors) "
                    + "before it is kept; the next anchor here makes this deployment the home. Audited here.")
    @APIResponse(responseCode = "201", description = "kept; this deployment anchors its head next")
    @APIResponse(responseCode = "400", description = "PHR-FEDERATION-0423: not the patient's signed request for a move here")
    @APIResponse(responseCode = "403", description = "PHR-FEDERATION-0424: the caller is not the chain's home")
    @APIResponse(responseCode = "409", description = "PHR-LEDGER-0303 / PHR-IDENTITY-0320: kept here already")
    @APIResponse(responseCode = "422", description = "PHR-FEDERATION-0425: the chain does not verify")
    public Response moveIn(@PathParam("pseudonym") String pseudonym, String json) {
        if (!pseudonym.matches("[0-9a-f]{64}")) {
            throw new ApiException("PHR-FEDERATION-0423: the path names a pseudonym (64 hex digits)");
        }
        org.phrcloud.standards.fhir.federation.ChainMoves moves = federation(org.phrcloud.standards.fhir.federation.ChainMoves.class);
        org.phrcloud.standards.fhir.federation.ChainMoves.HandOver handOver = JsonBodies.read(json,
                org.phrcloud.standards.fhir.federation.ChainMoves.HandOver.class);
        Caller caller = AccessFilter.caller(request);
        org.phrcloud.audit.Auditor auditor = SpringBeans.get(servletContext, org.phrcloud.audit.Auditor.class);
        ca.uhn.fhir.rest.api.server.SystemRequestDetails audited = org.phrcloud.core.caller.CallerContext.systemRequestAs(caller, "PATRQT");
        List<String> what = List.of("ledger/patients/" + pseudonym);
        org.phrcloud.standards.fhir.federation.ChainMoves.MovedIn moved;
        try {
            moved = moves.moveIn(caller, pseudonym, handOver);
        } catch (FederationClient.Refused e) {
            auditor.record(audited, "create", 4, e.body().substring(0, Math.max(0, e.body().indexOf(':'))), java.util.Set.of(), what, null);
            throw new ApiException(e.body());
        } catch (NetworkRegistry.RegistryUnavailableException e) {
            throw new ApiException("PHR-FEDERATION-0503: the network registry on chain cannot be read");
        }
        auditor.record(audited, "create", 0, null, java.util.Set.of(), what, null);
        return Response.status(Response.Status.CREATED).type(MediaType.APPLICATION_JSON)
                .entity(JsonBodies.write(new MovedInView(moved.pseudonym(), moved.blocks(), moved.anchored()))).build();
    }

    @GET
    @Path("records/{type}/{id}")
    @Produces({"application/fhir+json", MediaType.APPLICATION_JSON})
    @Access(value = {Party.FEDERATED_CARE_GIVER, Party.FEDERATED_PATIENT}, withoutStepUp = Party.FEDERATED_PATIENT)
    @Operation(summary = "A record kept here for a patient of another deployment, read by that patient's home",
            description = "Only for the home of the chain whose pseudonym the record names (client assertion of that institution, "
                    + "for the patient or a care giver there, whom the home's own consents let see it); the home checks it against "
                    + "the hash in the patient's chain. Audited here.")
    @APIResponse(responseCode = "403", description = "PHR-FEDERATION-0421: the caller's institution is not the patient's home")
    @APIResponse(responseCode = "404", description = "PHR-FEDERATION-0422: no such record kept here for another deployment's patient")
    public Response kept(@PathParam("type") String type, @PathParam("id") String id) {
        if (!type.matches("[A-Z][A-Za-z]{1,63}") || !id.matches("[A-Za-z0-9\\-.]{1,64}")) {
            throw new ApiException("PHR-FEDERATION-0422: no record kept here for another deployment's patient by this type and id");
        }
        org.phrcloud.standards.fhir.federation.RecordsForOtherHomes records = federation(org.phrcloud.standards.fhir.federation.RecordsForOtherHomes.class);
        Caller caller = AccessFilter.caller(request);
        org.phrcloud.audit.Auditor auditor = SpringBeans.get(servletContext, org.phrcloud.audit.Auditor.class);
        ca.uhn.fhir.rest.api.server.SystemRequestDetails audited = org.phrcloud.core.caller.CallerContext.systemRequestAs(caller,
                FederatedCallers.purposeOfUse(caller));
        String json;
        try {
            json = records.read(caller, type, id);
        } catch (FederationClient.Refused e) {
            auditor.record(audited, "read", 4, e.status() + " " + e.body().substring(0, e.body().indexOf(':')), java.util.Set.of(),
                    List.of(type + "/" + id), null);
            throw new ApiException(e.body());
        } catch (NetworkRegistry.RegistryUnavailableException e) {
            throw new ApiException("PHR-FEDERATION-0503: the network registry on chain cannot be read");
        }
        auditor.record(audited, "read", 0, null, java.util.Set.of(), List.of(type + "/" + id), null);
        return Response.ok(json, "application/fhir+json").build();
    }

    /**
     * Sends the request to the home of the pseudonym's chain for the caller, records this deployment's AuditEvent of it
     * (the caller, the purpose of use, the resource at the home, the outcome), and answers with the home's answer.
     */
    private Response forward(String pseudonym, String method, String path, String json, String purpose, String kind) {
        if (!pseudonym.matches("[0-9a-f]{64}")) {
            throw new ApiException("PHR-FEDERATION-0413: no institution holds a chain of this pseudonym");
        }
        FederationClient client = client();
        NetworkRegistry registry = SpringBeans.get(servletContext, NetworkRegistry.class);
        NetworkRegistry.Institution home;
        try {
            home = registry.home(pseudonym).map(NetworkRegistry.Home::institution).filter(i -> !i.endpoint().isEmpty())
                    .orElseThrow(() -> new ApiException("PHR-FEDERATION-0413: no institution holds a chain of this pseudonym"));
        } catch (NetworkRegistry.RegistryUnavailableException e) {
            throw new ApiException("PHR-FEDERATION-0503: the network registry on chain cannot be read");
        }
        Caller caller = AccessFilter.caller(request);
        java.net.http.HttpResponse<String> answer;
        String target = home.endpoint().replaceAll("/+$", "") + "/" + path;
        org.phrcloud.audit.Auditor auditor = SpringBeans.get(servletContext, org.phrcloud.audit.Auditor.class);
        ca.uhn.fhir.rest.api.server.SystemRequestDetails audited = org.phrcloud.core.caller.CallerContext.systemRequestAs(caller, purpose);
        try {
            answer = client.send(home, party(purpose), method, path, json == null ? null : MediaType.APPLICATION_JSON, json);
        } catch (java.io.IOException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            auditor.record(audited, kind, 8, "502 PHR-FEDERATION-0502 at " + home.accountId(), java.util.Set.of(), List.of(target), null);
            throw new ApiException("PHR-FEDERATION-0502: the patient's home deployment cannot be reached");
        }
        int status = answer.statusCode();
        auditor.record(audited, kind, status < 400 ? 0 : status < 500 ? 4 : 8,
                status < 400 ? null : status + " at " + home.accountId(), java.util.Set.of(), List.of(target), null);
        return Response.status(status).type(answer.headers().firstValue("Content-Type").orElse(MediaType.APPLICATION_JSON))
                .entity(answer.body()).build();
    }

    private FederationClient client() {
        return federation(FederationClient.class);
    }

    private <T> T federation(Class<T> type) {
        return federation(servletContext, type);
    }

    /** A bean of the federation; 503 {@code PHR-FEDERATION-0504} without a chain (the beans are null then). */
    public static <T> T federation(ServletContext servletContext, Class<T> type) {
        T bean = SpringBeans.find(servletContext, type);
        if (bean == null) {
            throw new ApiException("PHR-FEDERATION-0504: this deployment has no chain configured, so no federation");
        }
        return bean;
    }

    /** The caller as the person this institution acts for. */
    private ActingParty party(String purpose) {
        return FederatedCallers.actingParty(AccessFilter.caller(request), purpose);
    }

    /** The demographics as the Patient resource of a {@code $match}. */
    static Patient patient(Demographics d) {
        Patient p = new Patient();
        d.identifiers().forEach(i -> p.addIdentifier().setSystem(i.system()).setValue(i.value()));
        if (d.family() != null || !d.given().isEmpty()) {
            var name = p.addName().setFamily(d.family());
            d.given().forEach(name::addGiven);
        }
        if (d.birthDate() != null) {
            p.setBirthDate(Date.valueOf(d.birthDate()));
        }
        if (d.gender() != null) {
            p.setGender(Enumerations.AdministrativeGender.fromCode(d.gender().code()));
        }
        return p;
    }
}
