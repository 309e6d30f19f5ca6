package org.phrcloud.api.consent;

import jakarta.servlet.ServletContext;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.phrcloud.identity.PhrRole;
import org.phrcloud.identity.caller.Caller;
import org.phrcloud.core.rest.ApiException;
import org.phrcloud.core.rest.JsonBodies;
import org.phrcloud.core.rest.SpringBeans;
import org.phrcloud.core.rest.Access;
import org.phrcloud.core.rest.AccessFilter;
import org.phrcloud.core.rest.Party;
import org.phrcloud.consent.AccessLevel;
import org.phrcloud.consent.ConsentRecord;
import org.phrcloud.consent.ConsentService;
import org.phrcloud.consent.ConsentTerms;
import org.phrcloud.consent.Decision;
import org.phrcloud.consent.Grantee;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /api/consent}: a care giver or researcher asks a patient for access; the patient approves, rejects or
 * revokes, each decision signed with their private key (see {@code DecisionDocument}). Who may call what:
 * <ul>
 *   <li>ask: care givers and researchers, at acr 2;</li>
 *   <li>list and read: the patient (acr 1) sees every consent about them; care givers and researchers (acr 2) see
 *       the ones they asked for or that name them or their institution; anyone else gets 404 for a consent;</li>
 *   <li>approve: the patient at acr 2 (it opens their record); reject and revoke: the patient at acr 1; a custodian
 *       (family doctor linked to the patient) all three at acr 2, signing with their own registered key;</li>
 *   <li>custodians: a family doctor registers their signing key (acr 2) and lists the consents of their wards; an admin
 *       (acr 2) links or unlinks a custodian;</li>
 *   <li>research studies (ask N patients drawn at random, see the study and its research pool): researchers at acr 2,
 *       their own studies only;</li>
 *   <li>declare an emergency access: care givers at acr 2; the patient's notifications of emergency accesses: the
 *       patient at acr 1.</li>
 *   <li>care givers of other deployments (their institution's client assertion, ARCHITECTURE.md "Federation"), at
 *       acr 2: ask, declare an emergency access, and read a consent they asked for.</li>
 * </ul>
 */
@Path("consent")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "consent", description = "Access requests and the patient's signed decisions")
@SecurityRequirement(name = "keycloak")
public class ConsentResource {
    @Context
    private ServletContext servletContext;
    @Context
    private ContainerRequestContext request;

    /**
     * An access request.
     *
     * @param patient       the patient's pseudonym
     * @param grantee       {@code person} (the caller; the default) or {@code institution}
     * @param institution   with grantee institution: one of the caller's institutions
     * @param resourceTypes FHIR resource types of the Patient compartment
     * @param level         information, sample or full
     * @param purpose       TREAT, CAREMGT (care givers) or HRESCH (researchers)
     * @param start         first instant of the grant, ISO 8601 UTC; default now
     * @param days          length of the grant in days (1 to 3660)
     */
    public record AccessRequest(String patient, String grantee, String institution, List<String> resourceTypes, String level,
                                String purpose, String start, Integer days) {
    }

    /**
     * A consent as the API shows it.
     *
     * @param status    pending, active, rejected, revoked or expired
     * @param documents for the patient: per decision they may take now, the exact text to sign (UTF-8 of RFC 8785
     *                  canonical JSON, format phr-consent-decision/1); empty for everyone else
     * @param emergency for an emergency access (purpose ETREAT, resource types {@code ["*"]}): the reason given and the
     *                  FHIR Communication that notified the patient; null otherwise
     * @param registryKey its key in the on-chain ConsentRegistry ({@code consent(bytes32)}, {@code inForce(bytes32)}; the
     *                  registry's address is {@code AnchorRegistry.consentRegistry()}), 0x-prefixed hex
     */
    public record ConsentView(String id, String task, String patient, String patientId, String granteeKind, String granteeId,
                              String requester, List<String> resourceTypes, String level, String purpose, Instant start,
                              Instant end, String status, Instant requestedAt, Instant decidedAt, Map<String, String> documents,
                              EmergencyView emergency, String registryKey) {
    }

    /** @param communication id of the FHIR Communication sent to the patient */
    public record EmergencyView(String reason, String communication) {
    }

    /**
     * An emergency access declaration.
     *
     * @param patient the patient's pseudonym
     * @param reason  why, shown to the patient (1 to 1000 characters)
     */
    public record EmergencyRequest(String patient, String reason) {
    }

    /** @param publicKey Base64 of the DER SubjectPublicKeyInfo of the custodian's ECDSA P-256 key */
    public record CustodianKeyBody(String publicKey) {
    }

    /** @param signature Base64 of the 64-byte ECDSA P-256 signature (IEEE P1363, r || s) of the decision's document */
    public record SignedDecision(String signature) {
    }

    @POST
    @Path("requests")
    @Access({Party.CARE_GIVER, Party.RESEARCHER, Party.FEDERATED_CARE_GIVER})
    @Operation(summary = "Ask a patient for access to their record",
            description = "Writes a FHIR Task (requested) and a proposed FHIR Consent with the terms. The patient decides.")
    @APIResponse(responseCode = "201", description = "asked; the consent is pending")
    @APIResponse(responseCode = "400", description = "terms not well formed, a type outside the Patient compartment, or a purpose or grantee the caller may not ask for")
    @APIResponse(responseCode = "404", description = "no patient with this pseudonym")
    public Response ask(String json, @Context UriInfo uri) {
        AccessRequest body = JsonBodies.read(json, AccessRequest.class);
        if (body.patient() == null || body.days() == null) {
            throw new ApiException("PHR-API-0450: patient and days are required");
        }
        Grantee.Kind kind = body.grantee() == null ? Grantee.Kind.PERSON : Grantee.Kind.fromCode(body.grantee())
                .orElseThrow(() -> new ApiException("PHR-API-0451: grantee is person or institution"));
        ConsentTerms terms;
        try {
            Instant start = body.start() == null ? Instant.now() : Instant.parse(body.start());
            AccessLevel level = AccessLevel.fromCode(body.level() == null ? "" : body.level()).orElse(null);
            terms = new ConsentTerms(body.resourceTypes(), level, body.purpose(), start, start.plus(body.days(), ChronoUnit.DAYS));
        } catch (DateTimeParseException e) {
            throw new ApiException("PHR-API-0452: start is an ISO 8601 instant, e.g. 2026-11-24T10:00:00Z");
        }
        ConsentRecord record = service().request(caller(), body.patient(), kind, body.institution(), terms);
        return Response.created(uri.getBaseUriBuilder().path("consent").path(record.consentId()).build())
                .type(MediaType.APPLICATION_JSON_TYPE).entity(JsonBodies.write(view(record, false))).build();
    }

    /**
     * A research study.
     *
     * @param eligibility   a FHIR search on Patient defining who is eligible (empty: everyone), e.g.
     *                      {@code gender=female&_has:Condition:subject:code=http://snomed.info/sct|44054006}
     * @param size          how many patients to ask, drawn uniformly at random from the eligible (1 to 1000)
     * @param resourceTypes FHIR resource types of the Patient compartment
     * @param level         information, sample or full
     * @param days          length of each grant in days
     */
    public record StudyRequest(String eligibility, Integer size, List<String> resourceTypes, String level, Integer days) {
    }

    /**
     * A study as its researcher sees it.
     *
     * @param eligible how many patients the eligibility found when it was drawn
     * @param asked    how many were asked
     * @param statuses count of the study's consents per status (pending, active, rejected, revoked, expired)
     * @param pool     the research pool: pseudonyms of the patients whose consent is in force now
     */
    public record StudyView(String id, Instant createdAt, String eligibility, int eligible, int asked, Map<String, Integer> statuses,
                            List<String> pool, List<ConsentView> consents) {
    }

    @POST
    @Path("studies")
    @Access(Party.RESEARCHER)
    @Operation(summary = "Ask patients drawn uniformly at random from those eligible for research consent",
            description = "Draws `size` distinct patients (people, not records) with a simple random sample from those the eligibility "
                    + "search on Patient finds, and asks each (FHIR Task + proposed Consent, purpose HRESCH). The approvals in force "
                    + "form the study's research pool.")
    @APIResponse(responseCode = "201", description = "asked; the consents are pending")
    @APIResponse(responseCode = "400", description = "terms not well formed, an eligibility that is no Patient search, or fewer eligible than asked")
    public Response study(String json, @Context UriInfo uri) {
        StudyRequest body = JsonBodies.read(json, StudyRequest.class);
        if (body.size() == null || body.days() == null) {
            throw new ApiException("PHR-API-0455: size and days are required");
        }
        Instant start = Instant.now();
        AccessLevel level = AccessLevel.fromCode(body.level() == null ? "" : body.level()).orElse(null);
        ConsentTerms terms = new ConsentTerms(body.resourceTypes(), level, "HRESCH", start, start.plus(body.days(), ChronoUnit.DAYS));
        org.phrcloud.consent.ResearchStudy study = service().study(caller(), body.eligibility(), body.size(), terms);
        return Response.created(uri.getBaseUriBuilder().path("consent").path("studies").path(study.id()).build())
                .type(MediaType.APPLICATION_JSON_TYPE).entity(JsonBodies.write(studyView(study.id()))).build();
    }

    @GET
    @Path("studies")
    @Access(Party.RESEARCHER)
    @Operation(summary = "My studies, newest first, each with its consents per status and its research pool",
            description = "The same view as GET /api/consent/studies/{id} for each study of the caller; other researchers' studies are not listed.")
    public Response studies() {
        return JsonBodies.ok(service().studiesOf(caller()).stream().map(e -> studyView(e.getKey(), e.getValue())).toList());
    }

    @GET
    @Path("studies/{id}")
    @Access(Party.RESEARCHER)
    @Operation(summary = "One of my studies: its consents as they stand and the research pool")
    @APIResponse(responseCode = "404", description = "no such study for this caller")
    public Response studyOf(@PathParam("id") String id) {
        return JsonBodies.ok(studyView(id));
    }

    private StudyView studyView(String id) {
        Map.Entry<org.phrcloud.consent.ResearchStudy, List<ConsentRecord>> found = service().studyOf(caller(), id);
        return studyView(found.getKey(), found.getValue());
    }

    private StudyView studyView(org.phrcloud.consent.ResearchStudy s, List<ConsentRecord> consents) {
        Instant now = Instant.now();
        Map<String, Integer> statuses = new java.util.TreeMap<>();
        List<String> pool = new java.util.ArrayList<>();
        for (ConsentRecord r : consents) {
            statuses.merge(r.state(now).code(), 1, Integer::sum);
            if (r.inForce(now)) {
                pool.add(r.pseudonym());
            }
        }
        return new StudyView(s.id(), s.createdAt(), s.eligibility(), s.eligible(), s.consentIds().size(), statuses, pool,
                consents.stream().map(r -> view(r, false)).toList());
    }

    @jakarta.ws.rs.PUT
    @Path("custodian-key")
    @Access(Party.CARE_GIVER)
    @Operation(summary = "Register or replace my custodian signing key (family doctors)",
            description = "The P-256 public key whose signatures decide about the consents of the patients I am custodian of.")
    @APIResponse(responseCode = "204", description = "registered")
    @APIResponse(responseCode = "400", description = "not a family doctor, or not a P-256 key")
    public Response custodianKey(String json) {
        CustodianKeyBody body = JsonBodies.read(json, CustodianKeyBody.class);
        byte[] spki;
        try {
            spki = Base64.getDecoder().decode(body.publicKey() == null ? "" : body.publicKey());
        } catch (IllegalArgumentException e) {
            throw new ApiException("PHR-API-0456: publicKey is Base64");
        }
        service().registerCustodianKey(caller(), spki);
        return Response.noContent().build();
    }

    @jakarta.ws.rs.PUT
    @Path("custodians/{pseudonym}/{username}")
    @Access(Party.ADMIN)
    @Operation(summary = "Make a family doctor custodian of a patient (they decide about the patient's consents)")
    @APIResponse(responseCode = "204", description = "linked")
    @APIResponse(responseCode = "404", description = "no such patient, or no family doctor with a custodian key by this username")
    public Response linkCustodian(@PathParam("pseudonym") String pseudonym, @PathParam("username") String username) {
        service().custodian(caller(), pseudonym, username, true);
        return Response.noContent().build();
    }

    @jakarta.ws.rs.DELETE
    @Path("custodians/{pseudonym}/{username}")
    @Access(Party.ADMIN)
    @Operation(summary = "End a custodianship")
    @APIResponse(responseCode = "204", description = "unlinked")
    public Response unlinkCustodian(@PathParam("pseudonym") String pseudonym, @PathParam("username") String username) {
        service().custodian(caller(), pseudonym, username, false);
        return Response.noContent().build();
    }

    @GET
    @Path("custody")
    @Access(Party.CARE_GIVER)
    @Operation(summary = "The consents about the patients I am custodian of, with the documents I may sign")
    public Response custody() {
        Caller caller = caller();
        return JsonBodies.ok(service().ofCustodian(caller).stream().map(r -> view(r, service().decidesFor(caller, r))).toList());
    }

    @POST
    @Path("emergency")
    @Access({Party.CARE_GIVER, Party.FEDERATED_CARE_GIVER})
    @Operation(summary = "Emergency access (break the glass): full read access to a patient's whole record, without asking",
            description = "For the configured time (PHR_EMERGENCY_HOURS, default 24). Written as an active FHIR Consent with purpose "
                    + "ETREAT and the reason; the patient is notified (FHIR Communication, GET /api/consent/notifications) and every "
                    + "request it opens is audited with purpose of use ETREAT. The patient may revoke it.")
    @APIResponse(responseCode = "201", description = "in force now")
    @APIResponse(responseCode = "400", description = "no reason, or one over 1000 characters")
    @APIResponse(responseCode = "404", description = "no patient with this pseudonym")
    public Response emergency(String json, @Context UriInfo uri) {
        EmergencyRequest body = JsonBodies.read(json, EmergencyRequest.class);
        if (body.patient() == null) {
            throw new ApiException("PHR-API-0454: patient is required");
        }
        ConsentRecord record = service().emergency(caller(), body.patient(), body.reason());
        return Response.created(uri.getBaseUriBuilder().path("consent").path(record.consentId()).build())
                .type(MediaType.APPLICATION_JSON_TYPE).entity(JsonBodies.write(view(record, false))).build();
    }

    @GET
    @Path("notifications")
    @Access(value = Party.PATIENT, withoutStepUp = Party.PATIENT)
    @Operation(summary = "The emergency accesses to my record, newest first",
            description = "Who, from when until when, the reason they gave, whether it is still in force; each also a FHIR Communication.")
    public Response notifications() {
        Caller caller = caller();
        return JsonBodies.ok(service().emergenciesOfPatientLogin(caller.subject()).stream().map(r -> view(r, true)).toList());
    }

    @GET
    @Access(value = {Party.PATIENT, Party.CARE_GIVER, Party.RESEARCHER}, withoutStepUp = Party.PATIENT)
    @Operation(summary = "The consents about me (patient), or that I asked for or that name me or my institution (care giver, researcher)",
            description = "Newest first; ?status=pending|active|rejected|revoked|expired filters.")
    public Response list(@QueryParam("status") String status) {
        Caller caller = caller();
        boolean patient = isPatient(caller);
        List<ConsentRecord> records = patient ? service().ofPatientLogin(caller.subject()) : service().ofParty(caller);
        Instant now = Instant.now();
        return JsonBodies.ok(records.stream()
                .filter(r -> status == null || r.state(now).code().equals(status))
                .map(r -> view(r, patient)).toList());
    }

    @GET
    @Path("{id}")
    @Access(value = {Party.PATIENT, Party.CARE_GIVER, Party.RESEARCHER, Party.FEDERATED_CARE_GIVER}, withoutStepUp = Party.PATIENT)
    @Operation(summary = "One consent; for its patient with the documents to sign")
    @APIResponse(responseCode = "404", description = "no such consent for this caller")
    public Response get(@PathParam("id") String id) {
        Caller caller = caller();
        ConsentRecord record = service().visibleTo(caller, id);
        return JsonBodies.ok(view(record, service().decidesFor(caller, record)));
    }

    @POST
    @Path("{id}/approve")
    @Access({Party.PATIENT, Party.CARE_GIVER})
    @Operation(summary = "Approve a pending request (signed); it is in force from its start until its end or a revocation")
    @APIResponse(responseCode = "400", description = "the signature does not verify with the patient's registered key")
    @APIResponse(responseCode = "409", description = "the consent is not pending")
    public Response approve(@PathParam("id") String id, String json) {
        return decide(id, Decision.APPROVE, json);
    }

    @POST
    @Path("{id}/reject")
    @Access(value = {Party.PATIENT, Party.CARE_GIVER}, withoutStepUp = Party.PATIENT)
    @Operation(summary = "Reject a pending request (signed)")
    @APIResponse(responseCode = "400", description = "the signature does not verify with the patient's registered key")
    @APIResponse(responseCode = "409", description = "the consent is not pending")
    public Response reject(@PathParam("id") String id, String json) {
        return decide(id, Decision.REJECT, json);
    }

    @POST
    @Path("{id}/revoke")
    @Access(value = {Party.PATIENT, Party.CARE_GIVER}, withoutStepUp = Party.PATIENT)
    @Operation(summary = "Revoke an active consent (signed); the grantee's next request is refused")
    @APIResponse(responseCode = "400", description = "the signature does not verify with the patient's registered key")
    @APIResponse(responseCode = "409", description = "the consent is not active")
    public Response revoke(@PathParam("id") String id, String json) {
        return decide(id, Decision.REVOKE, json);
    }

    private Response decide(String id, Decision decision, String json) {
        SignedDecision body = JsonBodies.read(json, SignedDecision.class);
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(body.signature() == null ? "" : body.signature());
        } catch (IllegalArgumentException e) {
            throw new ApiException("PHR-API-0453: signature is Base64");
        }
        ConsentRecord record = service().decide(caller(), id, decision, signature);
        return JsonBodies.ok(view(record, true));
    }

    private ConsentView view(ConsentRecord r, boolean forPatient) {
        Instant now = Instant.now();
        ConsentRecord.Status state = r.state(now);
        Map<String, String> documents = new LinkedHashMap<>();
        if (forPatient) {
            List<Decision> open = state == ConsentRecord.Status.PENDING ? List.of(Decision.APPROVE, Decision.REJECT)
                    : state == ConsentRecord.Status.ACTIVE ? List.of(Decision.REVOKE) : List.of();
            for (Decision d : open) {
                documents.put(d.code(), new String(ConsentService.document(r, d), StandardCharsets.UTF_8));
            }
        }
        return new ConsentView(r.consentId(), r.taskId(), r.pseudonym(), r.patientId(), r.grantee().kind().code(), r.grantee().id(),
                r.requesterName(), r.terms().resourceTypes(), r.terms().level().code(), r.terms().purpose(), r.terms().start(),
                r.terms().end(), state.code(), r.requestedAt(), r.decidedAt(), documents,
                r.emergency() == null ? null : new EmergencyView(r.emergency().reason(), r.emergency().communicationId()),
                "0x" + service().registryKey(r.consentId()));
    }

    private static boolean isPatient(Caller caller) {
        return caller.hasRole(PhrRole.PATIENT) && !caller.isCareGiver() && !caller.hasRole(PhrRole.RESEARCHER);
    }


    private ConsentService service() {
        return SpringBeans.get(servletContext, ConsentService.class);
    }

    private Caller caller() {
        return AccessFilter.caller(request);
    }
}
