package org.phrcloud.audit;

import org.phrcloud.core.caller.CallerContext;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.phrcloud.identity.caller.Caller;

import java.time.Clock;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Function;

/**
 * Turns what happened in one request into one {@link AuditEntry} and stores it ({@link AuditWriteInterceptor} for
 * writes, inside their transaction; {@link AuditRequestInterceptor} for reads, searches, operations and refusals).
 */
public class Auditor {
    /** Request user data: set once the request's AuditEvent is stored, so that no request is recorded twice. */
    static final String RECORDED = Auditor.class.getName() + ".recorded";
    /** Request user data: the X-Request-ID and operation of the HTTP request (sub-requests of a transaction share its user data). */
    static final String ROOT_REQUEST_ID = Auditor.class.getName() + ".requestId";
    static final String ROOT_OPERATION = Auditor.class.getName() + ".operation";

    private final AuditLog log;
    private final FhirContext fhir;
    private final String institution;
    private final Clock clock;
    private final Function<IIdType, IBaseResource> reader;

    /** @param reader reads a resource by id with the server's rights (to name the patient of a refused read); may throw */
    public Auditor(AuditLog log, FhirContext fhir, String institution, Clock clock, Function<IIdType, IBaseResource> reader) {
        this.log = log;
        this.fhir = fhir;
        this.institution = institution;
        this.clock = clock;
        this.reader = reader;
    }

    /** The Patients whose compartment the stored resource {@code id} is in; empty when it cannot be read. */
    Set<String> ownersOfStored(IIdType id) {
        try {
            return owners(reader.apply(id.toUnqualifiedVersionless()));
        } catch (RuntimeException e) {
            return Set.of();
        }
    }

    /**
     * Stores the AuditEvent of a request (at most one per request). Also for what happens outside {@code /fhir} on a
     * caller's behalf (research data sets: one request object per event).
     *
     * @param request     the request; for server-internal work a {@code SystemRequestDetails} carrying the caller's token,
     *                    its request id and purpose of use ({@link CallerContext#purposeOfUse})
     * @param kind        read, search, create, update, delete, history, operation, transaction
     * @param outcome     0 success, 4 refused or bad request, 8 server failure
     * @param description what happened (ids and codes, no PHI); null for a plain success
     * @param patientIds  the FHIR Patient ids concerned (the event shows in their "who accessed my record")
     * @param resources   references of the resources touched
     * @param query       a search's query (stored Base64 in the event); null otherwise
     */
    public void record(RequestDetails request, String kind, int outcome, String description, Set<String> patientIds,
                Collection<String> resources, String query) {
        record(request, kind, outcome, description, patientIds, resources, query, true);
    }

    /**
     * Stores the AuditEvent of a request refused outside {@code /fhir} (a consent decision through {@code /api/consent}
     * whose signature does not verify, or that the consent's state does not allow; an HL7 v2 message answered AE or AR):
     * outcome 4.
     *
     * @param request     a {@code SystemRequestDetails} carrying the caller's verified token
     * @param kind        the restful interaction it attempted (e.g. update)
     * @param description the HTTP status and the error (codes and reasons only, no PHI)
     * @param patientIds  the FHIR Patient ids concerned
     * @param resource    the resource it named, {@code Type/id}; null if none (an HL7 v2 message refused before mapping)
     */
    public void refused(RequestDetails request, String kind, String description, Set<String> patientIds, String resource) {
        record(request, kind, 4, description, patientIds, resource == null ? java.util.List.of() : java.util.List.of(resource), null);
    }

    /** @param markRecorded false when the caller marks the request itself (a write: only once its transaction commits) */
    void record(RequestDetails request, String kind, int outcome, String description, Set<String> patientIds,
                Collection<String> resources, String query, boolean markRecorded) {
        if (request != null && Boolean.TRUE.equals(request.getUserData().get(RECORDED))) {
            return;
        }
        Caller token = request == null ? null
                : CallerContext.caller(request);
        String address = request instanceof ServletRequestDetails s && s.getServletRequest() != null ? s.getServletRequest().getRemoteAddr() : null;
        String requestId = request == null ? null : request.getUserData().get(ROOT_REQUEST_ID) instanceof String root ? root
                : request.getRequestId();
        String purpose = request == null ? null : CallerContext.purposeOfUse(request);
        log.append(new AuditEntry(AuditEvents.build(kind, outcome, description, token, address, institution, patientIds, resources, query,
                requestId, purpose, clock.instant()), requestId, token == null ? "anonymous" : token.serviceAccount() ? token.clientId()
                : token.subject(), token == null ? "anonymous" : token.username(), kind, outcome, "ETREAT".equals(purpose), patientIds));
        if (request != null && markRecorded) {
            markRecorded(request);
        }
    }

    /** The operation of the HTTP request behind {@code request} (a transaction's entries are sub-requests). */
    static ca.uhn.fhir.rest.api.RestOperationTypeEnum rootOperation(RequestDetails request) {
        return request.getUserData().get(ROOT_OPERATION) instanceof ca.uhn.fhir.rest.api.RestOperationTypeEnum op ? op
                : request.getRestOperationType();
    }

    static void markRecorded(RequestDetails request) {
        request.getUserData().put(RECORDED, Boolean.TRUE);
    }

    /** The Patients whose compartment (FHIR R4 CompartmentDefinition patient) the resource is in; a Patient is in its own. */
    Set<String> owners(IBaseResource resource) {
        Set<String> owners = new LinkedHashSet<>();
        String type = fhir.getResourceType(resource);
        if ("Patient".equals(type)) {
            owners.add(resource.getIdElement().getIdPart());
            return owners;
        }
        if (fhir.getResourceDefinition(type).getSearchParamsForCompartmentName("Patient").isEmpty()) {
            return owners;
        }
        for (IIdType owner : fhir.newTerser().getCompartmentOwnersForResource("Patient", resource, Set.<String>of())) {
            if ("Patient".equals(owner.getResourceType()) && owner.hasIdPart()) {
                owners.add(owner.getIdPart());
            }
        }
        return owners;
    }

    String reference(IBaseResource resource) {
        IIdType id = resource.getIdElement();
        String type = fhir.getResourceType(resource);
        String version = id.hasVersionIdPart() ? id.getVersionIdPart() : resource.getMeta().getVersionId();
        return type + "/" + id.getIdPart() + (version == null ? "" : "/_history/" + version);
    }

    FhirContext fhir() {
        return fhir;
    }
}
