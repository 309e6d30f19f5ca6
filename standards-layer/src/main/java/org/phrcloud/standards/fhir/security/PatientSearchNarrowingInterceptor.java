package org.phrcloud.standards.fhir.security;

import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.interceptor.auth.AuthorizedList;
import ca.uhn.fhir.rest.server.interceptor.auth.SearchNarrowingInterceptor;
import org.phrcloud.identity.mpi.MasterPatientIndex;

/**
 * A patient's searches are narrowed to their own compartment (HAPI FHIR {@link SearchNarrowingInterceptor}):
 * {@code GET /Observation} by a patient means their own Observations, instead of a 403 because the result would
 * hold someone else's. Other callers' searches are not changed; {@link CompartmentAuthorizationInterceptor} still
 * checks every result.
 */
public class PatientSearchNarrowingInterceptor extends SearchNarrowingInterceptor {
    private final MasterPatientIndex mpi;

    public PatientSearchNarrowingInterceptor(MasterPatientIndex mpi) {
        this.mpi = mpi;
    }

    @Override
    protected AuthorizedList buildAuthorizedList(RequestDetails request) {
        CallerScope scope = CallerScope.of(request, mpi);
        if (scope.kind() != CallerScope.Kind.PATIENT || scope.patientIds().isEmpty()) {
            return null;
        }
        return new AuthorizedList().addCompartments(scope.patientIds().stream().map(id -> "Patient/" + id).toArray(String[]::new));
    }
}
