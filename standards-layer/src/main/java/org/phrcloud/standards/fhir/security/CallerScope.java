package org.phrcloud.standards.fhir.security;

import ca.uhn.fhir.rest.api.server.RequestDetails;
import org.phrcloud.identity.PhrRole;
import org.phrcloud.identity.mpi.MasterPatientIndex;
import org.phrcloud.identity.token.VerifiedAccessToken;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Whose records the caller of one request may reach, from the verified token and the master patient index,
 * resolved once per request and kept in its user data.
 *
 * @param token      the verified access token; null when the request carried none (only {@code metadata})
 * @param kind       what the caller is
 * @param patientIds FHIR Patient ids (id part): for a patient their own linked Patients, for a care giver the
 *                   Patients whose home institution is one of theirs or who had an encounter at one of them;
 *                   empty for the others
 */
public record CallerScope(VerifiedAccessToken token, Kind kind, Set<String> patientIds) {
    /** What the caller is, in the order the rules look at it. */
    public enum Kind { ANONYMOUS, INSTITUTION_SYSTEM, CARE_GIVER, PATIENT, NONE }

    private static final String KEY = CallerScope.class.getName();

    public CallerScope {
        patientIds = Set.copyOf(patientIds);
    }

    /** The scope of the request's caller, computed on first use. */
    public static CallerScope of(RequestDetails request, MasterPatientIndex mpi) {
        Object cached = request.getUserData().get(KEY);
        if (cached instanceof CallerScope scope) {
            return scope;
        }
        CallerScope scope = resolve((VerifiedAccessToken) request.getUserData().get(BearerTokenAuthenticationInterceptor.VERIFIED_TOKEN), mpi);
        request.getUserData().put(KEY, scope);
        return scope;
    }

    /** The scope of a verified token (null: anonymous). */
    public static CallerScope resolve(VerifiedAccessToken token, MasterPatientIndex mpi) {
        if (token == null) {
            return new CallerScope(null, Kind.ANONYMOUS, Set.of());
        }
        if (token.serviceAccount()) {
            return new CallerScope(token, Kind.INSTITUTION_SYSTEM, Set.of());
        }
        if (token.isCareGiver()) {
            Set<String> ids = new LinkedHashSet<>();
            token.institutions().forEach(i -> ids.addAll(mpi.patientIdsOfInstitution(i)));
            return new CallerScope(token, Kind.CARE_GIVER, ids);
        }
        if (token.hasRole(PhrRole.PATIENT)) {
            return new CallerScope(token, Kind.PATIENT, mpi.patientIdsOfLogin(token.subject()));
        }
        return new CallerScope(token, Kind.NONE, Set.of());
    }
}
