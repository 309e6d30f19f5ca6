package org.phrcloud.standards.fhir.security;

import ca.uhn.fhir.i18n.Msg;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
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

    /**
     * A search that names someone else's record cannot be narrowed: HAPI refuses it with 403 {@code HAPI-2026};
     * the answer then says why, in our words and code.
     */
    @Hook(Pointcut.SERVER_PRE_PROCESS_OUTGOING_EXCEPTION)
    public BaseServerResponseException explainRefusedSearch(Throwable exception) {
        if (exception instanceof ForbiddenOperationException && exception.getMessage() != null
                && exception.getMessage().startsWith(Msg.code(2026))) {
            return new ForbiddenOperationException("PHR-AUTHZ-0011: a patient may search only their own record");
        }
        return null;
    }
}
