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
 * Searches by patients and care givers are narrowed to the Patient compartments they may reach (HAPI FHIR
 * {@link SearchNarrowingInterceptor}): {@code GET /Observation} by a patient means their own Observations, by a
 * practitioner the Observations of their institution's patients. Without it HAPI's {@link
 * CompartmentAuthorizationInterceptor} refuses any search that does not name a compartment. Institution systems
 * are not narrowed; every result is still checked by the authorization rules.
 *
 * <p>The narrowing adds the allowed Patient ids to the query: fine for an institution's patients in the
 * thousands; beyond that the list should become a join in the database (consent issue).
 */
public class CompartmentSearchNarrowingInterceptor extends SearchNarrowingInterceptor {
    private final MasterPatientIndex mpi;

    public CompartmentSearchNarrowingInterceptor(MasterPatientIndex mpi) {
        this.mpi = mpi;
    }

    @Override
    protected AuthorizedList buildAuthorizedList(RequestDetails request) {
        CallerScope scope = CallerScope.of(request, mpi);
        boolean narrowed = scope.kind() == CallerScope.Kind.PATIENT || scope.kind() == CallerScope.Kind.CARE_GIVER;
        if (!narrowed || scope.patientIds().isEmpty()) {
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
            return new ForbiddenOperationException("PHR-AUTHZ-0011: the search names a record this caller may not reach");
        }
        return null;
    }
}
