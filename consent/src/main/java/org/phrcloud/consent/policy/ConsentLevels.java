package org.phrcloud.consent.policy;

import ca.uhn.fhir.context.RuntimeResourceDefinition;
import ca.uhn.fhir.context.RuntimeSearchParam;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRuleTester;
import org.phrcloud.consent.AccessLevel;
import org.phrcloud.consent.ConsentGrant;
import org.phrcloud.consent.ConsentService;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What each {@link AccessLevel} of a consent lets its grantee ask the FHIR API (ARCHITECTURE.md "Read path"):
 * <ul>
 *   <li>{@code full}: read, search, history and includes of the resource types in scope;</li>
 *   <li>{@code information}: searches with {@code _summary=count} only (FHIR R4 search section 3.1.1.5.8): the total,
 *       never a resource; no {@code _include}/{@code _revinclude}; and {@code Observation/$stats} without the source
 *       Observations (a rule of its own in {@link CompartmentAuthorizationInterceptor});</li>
 *   <li>{@code sample}: the latest {@value ConsentService#SAMPLE_SIZE}: a search of one type in scope with
 *       {@code _sort=-date} or {@code _sort=-_lastUpdated}, {@code _count} at most {@value ConsentService#SAMPLE_SIZE},
 *       filtered at most by {@code code} or {@code category}; no further page, no read by id, no history.</li>
 * </ul>
 * The levels below full are HAPI rule testers on the read rules; a request they do not match finds no rule and is
 * refused (deny by default).
 */
final class ConsentLevels {
    private static final Set<String> NEVER_BELOW_FULL = Set.of("_include", "_revinclude", "_elements", "_contained", "_containedType",
            "_has", "_include:iterate", "_revinclude:iterate");
    private static final Set<String> SAMPLE_PARAMETERS = Set.of("_count", "_sort", "_format", "_pretty", "code", "category");

    private ConsentLevels() {
    }

    /** Whether a consent of this level opens this request (before narrowing: the resource type and request shape). */
    static boolean opens(ConsentGrant grant, RequestDetails request) {
        if (request.getResourceName() == null || !grant.covers(request.getResourceName())) {
            return false;
        }
        return switch (grant.level()) {
            case FULL -> true;
            case INFORMATION -> isCountSearch(request);
            case SAMPLE -> isSampleSearch(request);
            case NONE -> false;
        };
    }

    /** The tester of a level below full; null for full. */
    static IAuthRuleTester tester(AccessLevel level) {
        return switch (level) {
            case INFORMATION -> COUNT_ONLY;
            case SAMPLE -> SAMPLE_ONLY;
            default -> null;
        };
    }

    private static final IAuthRuleTester COUNT_ONLY = new IAuthRuleTester() {
        @Override
        public boolean matches(RuleTestRequest test) {
            return test.operation == RestOperationTypeEnum.SEARCH_TYPE && isCountSearch(test.requestDetails);
        }

        @Override
        public boolean matchesOutput(RuleTestRequest test) {
            return false;
        }
    };

    private static final IAuthRuleTester SAMPLE_ONLY = new IAuthRuleTester() {
        @Override
        public boolean matches(RuleTestRequest test) {
            return test.operation == RestOperationTypeEnum.SEARCH_TYPE && isSampleSearch(test.requestDetails);
        }

        @Override
        public boolean matchesOutput(RuleTestRequest test) {
            return matches(test);
        }
    };

    static boolean isCountSearch(RequestDetails request) {
        Map<String, String[]> params = request.getParameters();
        String[] summary = params.get("_summary");
        return request.getRestOperationType() == RestOperationTypeEnum.SEARCH_TYPE
                && summary != null && summary.length == 1 && "count".equals(summary[0])
                && params.keySet().stream().noneMatch(NEVER_BELOW_FULL::contains);
    }

    static boolean isSampleSearch(RequestDetails request) {
        if (request.getRestOperationType() != RestOperationTypeEnum.SEARCH_TYPE || request.getResourceName() == null) {
            return false;
        }
        Map<String, String[]> params = request.getParameters();
        String[] count = params.get("_count");
        String[] sort = params.get("_sort");
        if (count == null || count.length != 1 || sort == null || sort.length != 1
                || !(sort[0].equals("-date") || sort[0].equals("-_lastUpdated"))) {
            return false;
        }
        try {
            int n = Integer.parseInt(count[0]);
            if (n < 1 || n > ConsentService.SAMPLE_SIZE) {
                return false;
            }
        } catch (NumberFormatException e) {
            return false;
        }
        Set<String> allowed = new HashSet<>(SAMPLE_PARAMETERS);
        RuntimeResourceDefinition type = request.getFhirContext().getResourceDefinition(request.getResourceName());
        for (RuntimeSearchParam p : type.getSearchParamsForCompartmentName("Patient")) {
            allowed.add(p.getName());
        }
        return allowed.containsAll(params.keySet());
    }
}
