package org.phrcloud.consent.policy;

import org.phrcloud.core.caller.CallerContext;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.interceptor.auth.AuthorizationInterceptor;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRule;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRuleBuilder;
import ca.uhn.fhir.rest.server.interceptor.auth.PolicyEnum;
import ca.uhn.fhir.rest.server.interceptor.auth.RuleBuilder;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.IdType;
import org.phrcloud.identity.mpi.MasterPatientIndex;
import org.phrcloud.identity.caller.Caller;
import org.phrcloud.consent.ConsentGrant;

import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.server.interceptor.auth.AuthorizationFlagsEnum;
import ca.uhn.fhir.rest.server.interceptor.auth.IRuleApplier;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.phrcloud.consent.AccessLevel;
import org.phrcloud.consent.ConsentTerms;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRuleTester;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Which records an allowed caller may read and write (ARCHITECTURE.md "Read path": patient compartment after
 * role), with HAPI FHIR's {@link AuthorizationInterceptor}: rules per request, checked against every resource
 * read, returned or written, deny by default. {@link FhirAccessPolicy} has already refused roles without FHIR
 * access and care givers without {@code acr=2}.
 * <ul>
 *   <li>Institution systems: every record (to be limited to their institution's patients).</li>
 *   <li>Care givers (practitioner, family doctor, pharmacist, lab): read and write the Patient compartment
 *       (FHIR R4 CompartmentDefinition {@code patient}) of every patient whose home institution in the master
 *       patient index is one of theirs, or who had an encounter at one of them; create new Patients (who then belong to their institution); read the
 *       shared directory and terminology resources ({@link #DIRECTORY}, {@code ConceptMap/$translate},
 *       {@code CodeSystem/$lookup}); ask {@code Patient/[id]/$everything}, whose answer is
 *       checked resource by resource.</li>
 *   <li>Patients: read their own compartment; write only what a patient records themselves (Observation,
 *       DocumentReference) in it; read the directory. A patient login not linked to a Patient gets 403.</li>
 * </ul>
 * Care givers also read, per consent in force that names them or their institution ({@link CallerScope#grants()}), the
 * resource types in its scope in that patient's compartment, as far as its level allows ({@link ConsentLevels}).
 * An emergency access ({@link ConsentGrant#emergency()}) opens the whole compartment of its patient for reading.
 * {@code Observation/$stats} (aggregates) is open on every patient whose Observations the caller may read, and on
 * those an {@code information} consent covering Observation names, without the source Observations.
 * Nobody writes a Consent through FHIR: consents change only through {@code /api/consent}, signed by the patient.
 * Anything else is refused with 403 and an OperationOutcome {@code PHR-AUTHZ-0010} (or {@code 0003}).
 */
public class CompartmentAuthorizationInterceptor extends AuthorizationInterceptor {
    /** Resource types outside any patient compartment that every allowed person may read. */
    static final List<String> DIRECTORY = List.of("Organization", "Practitioner", "PractitionerRole", "Location",
            "Medication", "HealthcareService", "Endpoint", "CodeSystem", "ConceptMap", "ValueSet");
    /** What a patient may write in their own compartment. */
    static final List<String> PATIENT_WRITABLE = List.of("Observation", "DocumentReference");

    private final MasterPatientIndex mpi;
    private final Function<Caller, List<ConsentGrant>> grants;

    /** @param grants the consents in force for a care giver ({@code ConsentService#grantsInForce}) */
    public CompartmentAuthorizationInterceptor(MasterPatientIndex mpi, Function<Caller, List<ConsentGrant>> grants) {
        super(PolicyEnum.DENY);
        this.mpi = mpi;
        this.grants = grants;
    }

    @Override
    public List<IAuthRule> buildRuleList(RequestDetails request) {
        CallerScope scope = CallerScope.of(request, mpi, grants);
        IAuthRuleBuilder rules = new RuleBuilder();
        List<IAuthRule> built = new ArrayList<>(); // in order: what the builder holds is added before each rule of ours
        List<IAuthRule> rulesList = new ArrayList<>();
        rules.allow("capability statement").metadata();
        rules.deny("consents change through /api/consent only").write().resourcesOfType("Consent").withAnyId();
        rules.deny("consents are never deleted").delete().resourcesOfType("Consent").withAnyId();
        rules.deny("AuditEvents are recorded by the server only").write().resourcesOfType("AuditEvent").withAnyId();
        rules.deny("AuditEvents are never deleted").delete().resourcesOfType("AuditEvent").withAnyId();
        switch (scope.kind()) {
            case INSTITUTION_SYSTEM -> rules.allowAll("institution system");
            case CARE_GIVER -> {
                rules.allow("transactions").transaction().withAnyOperation().andApplyNormalRules();
                rules.allow("register patients").create().resourcesOfType("Patient").withAnyId();
                rules.allow("Patient $match").operation().named("$match").onType(org.hl7.fhir.r4.model.Patient.class)
                        .andAllowAllResponses();
                directory(rules);
                everything(rules);
                if (!scope.patientIds().isEmpty()) {
                    // before the consents' rules, so that an emergency access is marked only where it opened something
                    built.addAll(rules.build());
                    rules = new RuleBuilder();
                    built.add(new PatientCompartmentRule("read own institution's patients", PatientCompartmentRule.Access.READ,
                            scope.patientIds()));
                    built.add(new PatientCompartmentRule("write own institution's patients", PatientCompartmentRule.Access.WRITE,
                            scope.patientIds()));
                    rulesList.add(new ConsentTaskRule(scope.patientIds()));
                }
                Set<String> historyTypes = new HashSet<>();
                boolean historyOfAll = !scope.patientIds().isEmpty();
                Set<String> statsOf = new HashSet<>(scope.patientIds());
                Set<String> statsAggregateOf = new HashSet<>();
                Set<String> statsInEmergency = new HashSet<>();
                for (ConsentGrant grant : scope.grants()) {
                    if (grant.level() == AccessLevel.FULL) {
                        historyTypes.addAll(grant.resourceTypes());
                    }
                    if (grant.emergency()) {
                        statsInEmergency.addAll(grant.patientIds());
                    } else if (grant.covers("Observation") && grant.level() == AccessLevel.FULL) {
                        statsOf.addAll(grant.patientIds());
                    } else if (grant.covers("Observation") && grant.level() == AccessLevel.INFORMATION) {
                        statsAggregateOf.addAll(grant.patientIds());
                    }
                    List<IIdType> owners = grant.patientIds().stream().<IIdType>map(id -> new IdType("Patient", id)).toList();
                    if (grant.emergency()) {
                        historyOfAll = true;
                        rules.allow("emergency access " + grant.consentId()).read().allResources().inCompartment("Patient", owners)
                                .withTester(EMERGENCY);
                        continue;
                    }
                    for (String type : grant.resourceTypes()) {
                        rules.allow("consent " + grant.consentId() + " " + grant.level().code() + " " + type).read()
                                .resourcesOfType(type).inCompartment("Patient", owners)
                                .withTester(ConsentLevels.tester(grant.level()));
                    }
                }
                stats(rules, statsOf, statsAggregateOf, statsInEmergency);
                rulesList.add(new InstanceHistoryRule(historyOfAll ? null : historyTypes));
            }
            case PATIENT -> {
                if (scope.patientIds().isEmpty()) {
                    throw new ForbiddenOperationException("PHR-AUTHZ-0003: this login is not linked to a patient record yet");
                }
                List<IIdType> ids = compartments(scope);
                rules.allow("transactions").transaction().withAnyOperation().andApplyNormalRules();
                directory(rules);
                everything(rules);
                built.addAll(rules.build());
                rules = new RuleBuilder();
                built.add(new PatientCompartmentRule("read own record", PatientCompartmentRule.Access.READ, scope.patientIds()));
                rulesList.add(new ConsentTaskRule(scope.patientIds()));
                stats(rules, scope.patientIds(), Set.of(), Set.of());
                for (String type : PATIENT_WRITABLE) {
                    rules.allow("write own " + type).write().resourcesOfType(type).inCompartment("Patient", ids);
                }
                rulesList.add(new InstanceHistoryRule(null));
            }
            default -> {
                // ANONYMOUS reaches here only for metadata; NONE was refused by FhirAccessPolicy
            }
        }
        built.addAll(rules.build());
        built.addAll(rulesList);
        built.addAll(new RuleBuilder().denyAll("PHR default deny").build());
        return built;
    }

    /**
     * The consent request Tasks ({@code Task.for} a patient, see {@code ConsentService}) of the patients whose whole
     * compartment the caller reads. Task is not in the FHIR R4 Patient compartment, but it refers to the patient, so
     * {@code Patient/[id]/$everything} returns it; without this rule one consent request made the caller's whole
     * {@code $everything} answer 403. It shows nothing the Consent it asks for (in the compartment) does not.
     * Read by id and on the way out only: a Task of any other patient stays refused.
     */
    static final class ConsentTaskRule implements IAuthRule {
        private final Set<String> patientIds;

        ConsentTaskRule(Set<String> patientIds) {
            this.patientIds = Set.copyOf(patientIds);
        }

        @Override
        public AuthorizationInterceptor.Verdict applyRule(RestOperationTypeEnum operation, RequestDetails request, IBaseResource input,
                IIdType inputId, IBaseResource output, IRuleApplier applier, Set<AuthorizationFlagsEnum> flags, Pointcut pointcut) {
            if (output == null) {
                boolean readTask = operation == RestOperationTypeEnum.READ && "Task".equals(request.getResourceName());
                return readTask ? new AuthorizationInterceptor.Verdict(PolicyEnum.ALLOW, this) : null;
            }
            if (output instanceof org.hl7.fhir.r4.model.Task task && task.getFor().getReferenceElement().hasIdPart()
                    && "Patient".equals(task.getFor().getReferenceElement().getResourceType())
                    && patientIds.contains(task.getFor().getReferenceElement().getIdPart())) {
                return new AuthorizationInterceptor.Verdict(PolicyEnum.ALLOW, this);
            }
            return null;
        }

        @Override
        public String getName() {
            return "consent request Tasks of the caller's patients";
        }
    }

    /**
     * {@code GET [type]/[id]/_history}: HAPI's compartment rules refuse instance history on the way in, since the URL
     * does not say whose compartment the resource is in. This rule lets it in for the resource types the caller may
     * read in full and leaves every version returned to the compartment rules on the way out (a version outside the
     * caller's compartments makes the whole answer 403).
     */
    static final class InstanceHistoryRule implements IAuthRule {
        private final Set<String> types;

        /** @param types the resource types allowed; null for all */
        InstanceHistoryRule(Set<String> types) {
            this.types = types == null ? null : Set.copyOf(types);
        }

        @Override
        public AuthorizationInterceptor.Verdict applyRule(RestOperationTypeEnum operation, RequestDetails request, IBaseResource input,
                IIdType inputId, IBaseResource output, IRuleApplier applier, Set<AuthorizationFlagsEnum> flags, Pointcut pointcut) {
            boolean incomingHistory = operation == RestOperationTypeEnum.HISTORY_INSTANCE && output == null
                    && request.getResourceName() != null && (types == null || types.contains(request.getResourceName()));
            return incomingHistory ? new AuthorizationInterceptor.Verdict(PolicyEnum.ALLOW, this) : null;
        }

        @Override
        public String getName() {
            return "instance history, versions checked on the way out";
        }
    }

    /**
     * Passes everything its emergency-access rule matched, and marks the request's purpose of use ETREAT so that its
     * AuditEvent stands out (a request reached through an ordinary rule first is not marked). A read by id is let in
     * before HAPI knows whose the resource is, so it is marked only when the resource itself is shown; a search is
     * marked when it names the patient's compartment.
     */
    private static final IAuthRuleTester EMERGENCY = new IAuthRuleTester() {
        @Override
        public boolean matches(RuleTestRequest test) {
            if (test.operation == RestOperationTypeEnum.SEARCH_TYPE || test.operation == RestOperationTypeEnum.SEARCH_SYSTEM) {
                mark(test);
            }
            return true;
        }

        @Override
        public boolean matchesOutput(RuleTestRequest test) {
            mark(test);
            return true;
        }

        private void mark(RuleTestRequest test) {
            CallerContext.setPurposeOfUse(test.requestDetails, ConsentTerms.EMERGENCY_PURPOSE);
        }
    };

    /**
     * {@code Observation/$stats} (aggregates, {@link StatsRequest}): allowed when its {@code subject} is a
     * patient whose Observations the caller may read in full ({@code all}: own compartment, own institution, a full
     * consent covering Observation), or may see in aggregate ({@code aggregate}: an {@code information} consent
     * covering Observation) as long as it does not ask for the source Observations ({@code include}); an emergency
     * access allows both and marks the request's purpose of use ETREAT. A request naming no Patient is refused.
     */
    private static void stats(IAuthRuleBuilder rules, Set<String> all, Set<String> aggregate, Set<String> emergency) {
        if (all.isEmpty() && aggregate.isEmpty() && emergency.isEmpty()) {
            return;
        }
        Set<String> allOf = Set.copyOf(all);
        Set<String> aggregateOf = Set.copyOf(aggregate);
        Set<String> emergencyOf = Set.copyOf(emergency);
        rules.allow("Observation $stats").operation().named("$stats").onType(org.hl7.fhir.r4.model.Observation.class)
                .andAllowAllResponses().withTester(new IAuthRuleTester() {
                    @Override
                    public boolean matches(RuleTestRequest test) {
                        StatsRequest asked = StatsRequest.of(test.requestDetails);
                        if (asked == null) {
                            return false;
                        }
                        if (allOf.contains(asked.patientId()) || (!asked.include() && aggregateOf.contains(asked.patientId()))) {
                            return true;
                        }
                        if (emergencyOf.contains(asked.patientId())) {
                            CallerContext.setPurposeOfUse(test.requestDetails, ConsentTerms.EMERGENCY_PURPOSE);
                            return true;
                        }
                        return false;
                    }

                    @Override
                    public boolean matchesOutput(RuleTestRequest test) {
                        return true;
                    }
                });
    }

    /** {@code Patient/[id]/$everything}: allowed to be asked; every resource of the answer is then checked by the rules. */
    private static void everything(IAuthRuleBuilder rules) {
        rules.allow("Patient $everything").operation().named("$everything").onInstancesOfType(org.hl7.fhir.r4.model.Patient.class)
                .andRequireExplicitResponseAuthorization();
    }

    private static void directory(IAuthRuleBuilder rules) {
        for (String type : DIRECTORY) {
            rules.allow("read directory " + type).read().resourcesOfType(type).withAnyId();
        }
        rules.allow("terminology $translate").operation().named("$translate").onType(org.hl7.fhir.r4.model.ConceptMap.class)
                .andAllowAllResponses();
        rules.allow("terminology $translate of one map").operation().named("$translate")
                .onInstancesOfType(org.hl7.fhir.r4.model.ConceptMap.class).andAllowAllResponses();
        rules.allow("terminology $lookup").operation().named("$lookup").onType(org.hl7.fhir.r4.model.CodeSystem.class).andAllowAllResponses();
    }

    private static List<IIdType> compartments(CallerScope scope) {
        return scope.patientIds().stream().<IIdType>map(id -> new IdType("Patient", id)).toList();
    }

    @Override
    protected void handleDeny(RequestDetails request, Verdict verdict) {
        throw new ForbiddenOperationException("PHR-AUTHZ-0010: access to this record is not allowed for this caller");
    }
}
