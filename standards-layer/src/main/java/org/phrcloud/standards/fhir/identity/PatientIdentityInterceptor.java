package org.phrcloud.standards.fhir.identity;

import org.phrcloud.core.caller.CallerContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Patient;
import org.phrcloud.identity.mpi.Demographics;
import org.phrcloud.identity.mpi.IdentityConflictException;
import org.phrcloud.identity.mpi.MasterPatientIndex;
import org.phrcloud.identity.caller.Caller;

import java.util.Optional;

/**
 * Keeps the master patient index in step with FHIR Patients (ARCHITECTURE.md "Identity"): a Patient created
 * through FHIR creates its identity, or links to the identity that already owns one of its identifiers, so the
 * same identifier never makes two identities; an updated Patient updates the identity's demographics; an
 * Encounter records the institution where the patient was seen.
 *
 * <p>Runs at {@link Pointcut#STORAGE_PRECOMMIT_RESOURCE_CREATED} and
 * {@link Pointcut#STORAGE_PRECOMMIT_RESOURCE_UPDATED}, inside HAPI FHIR's database transaction: the Patient and
 * its identity commit together or not at all. A Patient whose identifiers belong to two identities is refused
 * with HTTP 409 and nothing is written.
 *
 * <p>A new identity's home institution is the writer's institution (the {@code institutions} claim of the access
 * token, when it names exactly one); none for writes without a token (loads run in the server).
 */
@Interceptor
public class PatientIdentityInterceptor {
    private final MasterPatientIndex mpi;

    public PatientIdentityInterceptor(MasterPatientIndex mpi) {
        this.mpi = mpi;
    }

    /** Identifier system of institution ids, e.g. in {@code Encounter.serviceProvider.identifier}. */
    public static final String INSTITUTION_SYSTEM = "urn:phr:institution";

    @Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED)
    public void created(IBaseResource resource, RequestDetails request) {
        if (resource instanceof Patient patient) {
            link(patient, request);
        } else if (resource instanceof Encounter encounter) {
            recordEncounter(encounter, request);
        }
    }

    /**
     * An encounter makes its institution a place of care of the patient (issue "Authorization": patients of the
     * institution, "home institution or an encounter there"). The institution is
     * {@code Encounter.serviceProvider.identifier} with system {@value #INSTITUTION_SYSTEM}, otherwise the writer's
     * institution.
     */
    private void recordEncounter(Encounter encounter, RequestDetails request) {
        String subject = encounter.getSubject().getReferenceElement().getResourceType();
        if (!"Patient".equals(subject)) {
            return;
        }
        var provider = encounter.getServiceProvider().getIdentifier();
        String institution = provider != null && INSTITUTION_SYSTEM.equals(provider.getSystem()) && provider.hasValue()
                ? provider.getValue() : institution(request);
        if (institution != null) {
            mpi.recordEncounter(encounter.getSubject().getReferenceElement().getIdPart(), institution, actor(request));
        }
    }

    @Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_UPDATED)
    public void updated(IBaseResource previous, IBaseResource resource, RequestDetails request) {
        if (resource instanceof Encounter encounter) {
            recordEncounter(encounter, request);
        }
        if (resource instanceof Patient patient) {
            Optional<String> linked = mpi.pseudonymOfPatient(patient.getIdElement().getIdPart());
            if (linked.isEmpty()) {
                link(patient, request);
                return;
            }
            try {
                mpi.updateDemographics(linked.get(), PatientDemographics.from(patient), actor(request));
            } catch (IdentityConflictException e) {
                throw new ResourceVersionConflictException(e.getMessage());
            }
        }
    }

    private void link(Patient patient, RequestDetails request) {
        Demographics demographics = PatientDemographics.from(patient);
        try {
            MasterPatientIndex.Resolution resolution = mpi.resolveOrRegister(demographics, institution(request), actor(request));
            mpi.linkPatient(resolution.identity().pseudonym(), patient.getIdElement().getIdPart(), actor(request));
        } catch (IdentityConflictException e) {
            throw new ResourceVersionConflictException(e.getMessage());
        }
    }

    private static Optional<Caller> token(RequestDetails request) {
        return request == null ? Optional.empty()
                : Optional.ofNullable(CallerContext.caller(request));
    }

    private static String actor(RequestDetails request) {
        return token(request).map(Caller::username).orElse("system");
    }

    private static String institution(RequestDetails request) {
        return token(request).filter(t -> t.institutions().size() == 1)
                .map(t -> t.institutions().iterator().next()).orElse(null);
    }
}
