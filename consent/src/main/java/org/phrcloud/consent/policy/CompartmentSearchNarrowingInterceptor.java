package org.phrcloud.consent.policy;

import ca.uhn.fhir.i18n.Msg;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.interceptor.auth.AuthorizedList;
import ca.uhn.fhir.rest.server.interceptor.auth.SearchNarrowingInterceptor;
import org.phrcloud.identity.mpi.MasterPatientIndex;
import org.phrcloud.identity.caller.Caller;
import org.phrcloud.consent.ConsentGrant;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Searches by patients and care givers are narrowed to the Patient compartments they may reach (HAPI FHIR
 * {@link SearchNarrowingInterceptor}): {@code GET /Observation} by a patient means their own Observations, by a
 * practitioner the Observations of their institution's patients and of the patients whose consent in force opens
 * that resource type to them at the level the search needs ({@link ConsentLevels#opens}). Without it HAPI's {@link
 * CompartmentAuthorizationInterceptor} refuses any search that does not name a compartment. Institution systems
 * are not narrowed; every result is still checked by the authorization rules.
 *
 * <p>The narrowing adds the allowed Patient ids to the query: fine for an institution's patients in the
 * thousands; beyond that the list should become a join in the database (consent issue).
 */
public class CompartmentSearchNarrowingInterceptor extends SearchNarrowingInterceptor {
    private final MasterPatientIndex mpi;
    private final Function<Caller, List<ConsentGrant>> grants;

    public CompartmentSearchNarrowingInterceptor(MasterPatientIndex mpi, Function<Caller, List<ConsentGrant>> grants) {
        this.mpi = mpi;
        this.grants = grants;
    }

    @Override
    protected AuthorizedList buildAuthorizedList(RequestDetails request) {
        CallerScope scope = CallerScope.of(request, mpi, grants);
        boolean narrowed = scope.kind() == CallerScope.Kind.PATIENT || scope.kind() == CallerScope.Kind.CARE_GIVER;
        Set<String> reachable = new LinkedHashSet<>(scope.patientIds());
        for (ConsentGrant grant : scope.grants()) {
            if (ConsentLevels.opens(grant, request)) {
                reachable.addAll(grant.patientIds());
            }
        }
        if (!narrowed || reachable.isEmpty()) {
            return null;
        }
        return new AuthorizedList().addCompartments(reachable.stream().map(id -> "Patient/" + id).toArray(String[]::new));
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
