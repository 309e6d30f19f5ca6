package org.phrcloud.consent.policy;

import org.phrcloud.core.caller.CallerContext;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import org.phrcloud.identity.PhrRole;
import org.phrcloud.identity.mpi.MasterPatientIndex;
import org.phrcloud.identity.caller.Caller;
import org.phrcloud.consent.ConsentGrant;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Whose records the caller of one request may reach, from the verified token and the master patient index,
 * resolved once per request and kept in its user data.
 *
 * @param token      the verified access token; null when the request carried none (only {@code metadata})
 * @param kind       what the caller is
 * @param patientIds FHIR Patient ids (id part): for a patient their own linked Patients, for a care giver the
 *                   Patients whose home institution is one of theirs or who had an encounter at one of them;
 *                   empty for the others
 * @param grants     for a care giver, the consents in force that name them or one of their institutions (read access
 *                   to other patients' records, by level and resource type); empty for the others
 */
public record CallerScope(Caller token, Kind kind, Set<String> patientIds, List<ConsentGrant> grants) {
    /** What the caller is, in the order the rules look at it. */
    public enum Kind { ANONYMOUS, INSTITUTION_SYSTEM, CARE_GIVER, PATIENT, NONE }

    private static final String KEY = CallerScope.class.getName();

    public CallerScope {
        patientIds = Set.copyOf(patientIds);
        grants = List.copyOf(grants);
    }

    CallerScope(Caller token, Kind kind, Set<String> patientIds) {
        this(token, kind, patientIds, List.of());
    }

    /** The scope of the request's caller, computed on first use. */
    public static CallerScope of(RequestDetails request, MasterPatientIndex mpi, Function<Caller, List<ConsentGrant>> grants) {
        Object cached = request.getUserData().get(KEY);
        if (cached instanceof CallerScope scope) {
            return scope;
        }
        CallerScope scope = resolve(CallerContext.caller(request),
                mpi, grants);
        request.getUserData().put(KEY, scope);
        return scope;
    }

    /** The scope of a verified token (null: anonymous), without consents: the records the caller reaches in full. */
    public static CallerScope resolve(Caller token, MasterPatientIndex mpi) {
        return resolve(token, mpi, t -> List.of());
    }

    /**
     * The scope of a verified token (null: anonymous).
     *
     * @param grants the consents in force for a care giver (see {@code ConsentService#grantsInForce})
     */
    public static CallerScope resolve(Caller token, MasterPatientIndex mpi, Function<Caller, List<ConsentGrant>> grants) {
        if (token == null) {
            return new CallerScope(null, Kind.ANONYMOUS, Set.of());
        }
        if (token.serviceAccount()) {
            return new CallerScope(token, Kind.INSTITUTION_SYSTEM, Set.of());
        }
        if (token.isCareGiver()) {
            Set<String> ids = new LinkedHashSet<>();
            token.institutions().forEach(i -> ids.addAll(mpi.patientIdsOfInstitution(i)));
            return new CallerScope(token, Kind.CARE_GIVER, ids, grants.apply(token));
        }
        if (token.hasRole(PhrRole.PATIENT)) {
            return new CallerScope(token, Kind.PATIENT, mpi.patientIdsOfLogin(token.subject()));
        }
        return new CallerScope(token, Kind.NONE, Set.of());
    }
}
