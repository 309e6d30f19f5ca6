package org.phrcloud.standards.fhir.security;

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

import java.util.List;

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
 *       shared directory resources ({@link #DIRECTORY}); ask {@code Patient/[id]/$everything}, whose answer is
 *       checked resource by resource.</li>
 *   <li>Patients: read their own compartment; write only what a patient records themselves (Observation,
 *       DocumentReference) in it; read the directory. A patient login not linked to a Patient gets 403.</li>
 * </ul>
 * Anything else is refused with 403 and an OperationOutcome {@code PHR-AUTHZ-0010} (or {@code 0003}). Consent
 * and emergency access widen the care givers' set later (consent issue).
 */
public class CompartmentAuthorizationInterceptor extends AuthorizationInterceptor {
    /** Resource types outside any patient compartment that every allowed person may read. */
    static final List<String> DIRECTORY = List.of("Organization", "Practitioner", "PractitionerRole", "Location",
            "Medication", "HealthcareService", "Endpoint");
    /** What a patient may write in their own compartment. */
    static final List<String> PATIENT_WRITABLE = List.of("Observation", "DocumentReference");

    private final MasterPatientIndex mpi;

    public CompartmentAuthorizationInterceptor(MasterPatientIndex mpi) {
        super(PolicyEnum.DENY);
        this.mpi = mpi;
    }

    @Override
    public List<IAuthRule> buildRuleList(RequestDetails request) {
        CallerScope scope = CallerScope.of(request, mpi);
        IAuthRuleBuilder rules = new RuleBuilder();
        rules.allow("capability statement").metadata();
        switch (scope.kind()) {
            case INSTITUTION_SYSTEM -> rules.allowAll("institution system");
            case CARE_GIVER -> {
                rules.allow("transactions").transaction().withAnyOperation().andApplyNormalRules();
                rules.allow("register patients").create().resourcesOfType("Patient").withAnyId();
                directory(rules);
                everything(rules);
                if (!scope.patientIds().isEmpty()) {
                    List<IIdType> ids = compartments(scope);
                    rules.allow("read own institution's patients").read().allResources().inCompartment("Patient", ids);
                    rules.allow("write own institution's patients").write().allResources().inCompartment("Patient", ids);
                }
            }
            case PATIENT -> {
                if (scope.patientIds().isEmpty()) {
                    throw new ForbiddenOperationException("PHR-AUTHZ-0003: this login is not linked to a patient record yet");
                }
                List<IIdType> ids = compartments(scope);
                rules.allow("transactions").transaction().withAnyOperation().andApplyNormalRules();
                directory(rules);
                everything(rules);
                rules.allow("read own record").read().allResources().inCompartment("Patient", ids);
                for (String type : PATIENT_WRITABLE) {
                    rules.allow("write own " + type).write().resourcesOfType(type).inCompartment("Patient", ids);
                }
            }
            default -> {
                // ANONYMOUS reaches here only for metadata; NONE was refused by FhirAccessPolicy
            }
        }
        return rules.denyAll("PHR default deny").build();
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
    }

    private static List<IIdType> compartments(CallerScope scope) {
        return scope.patientIds().stream().<IIdType>map(id -> new IdType("Patient", id)).toList();
    }

    @Override
    protected void handleDeny(RequestDetails request, Verdict verdict) {
        throw new ForbiddenOperationException("PHR-AUTHZ-0010: access to this record is not allowed for this caller");
    }
}
