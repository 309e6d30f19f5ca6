package org.phrcloud.consent.policy;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.interceptor.auth.CompartmentSearchParameterModifications;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.interceptor.auth.AuthorizationFlagsEnum;
import ca.uhn.fhir.rest.server.interceptor.auth.AuthorizationInterceptor;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRule;
import ca.uhn.fhir.rest.server.interceptor.auth.IRuleApplier;
import ca.uhn.fhir.rest.server.interceptor.auth.PolicyEnum;
import ca.uhn.fhir.rest.server.interceptor.auth.RuleBuilder;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.IdType;

import java.util.List;
import java.util.Set;

/**
 * Allows reading or writing in the Patient compartments (FHIR R4 CompartmentDefinition {@code patient}) of a set of
 * patients, as HAPI FHIR's {@code allow().read()/write().allResources().inCompartment("Patient", owners)} does, at a
 * cost that does not grow with the number of patients. A care giver's rule lists every patient of their
 * institutions, and HAPI's rule (RuleImplOp, HAPI FHIR 8.8) checks a resource by visiting its references once per
 * listed owner ({@code FhirTerser#isSourceInCompartmentForTarget}), for every resource written and every resource of
 * an answer, twice per answer: docs/benchmarks.md measured it at a fifth of a care giver's read with 20 patients.
 * <p>
 * Here, where the resource is known (a resource shown; the body of a create or update), its compartment owners are
 * found with one visit ({@code FhirTerser#getCompartmentOwnersForResource}, the same visit, default search parameter
 * modifications) and looked up in a set; a Patient is in its own compartment. Where it is not known yet (a read by
 * id, a search, history, a patch or delete, a rewrite of history), the decision is HAPI's rule's, unchanged: it lets
 * a read by id in and leaves the resource to the check on the way out, and lets a search in when it names one of the
 * compartments. The verdict is ALLOW or none (the next rule decides), as HAPI's.
 */
final class PatientCompartmentRule implements IAuthRule {
    /** What the rule allows: reading (what is shown) or writing (what is created or updated). */
    enum Access { READ, WRITE }

    private static final String COMPARTMENT = "Patient";

    private final String name;
    private final Access access;
    private final Set<String> patientIds;
    private final IAuthRule hapi;

    /**
     * @param name       the rule's name, as HAPI's rules are named (shown in HAPI's decision log)
     * @param patientIds FHIR Patient ids (id part) whose compartments the rule opens; not empty
     */
    PatientCompartmentRule(String name, Access access, Set<String> patientIds) {
        if (patientIds.isEmpty()) {
            throw new IllegalArgumentException("a compartment rule needs at least one patient");
        }
        this.name = name;
        this.access = access;
        this.patientIds = Set.copyOf(patientIds);
        List<IIdType> owners = this.patientIds.stream().<IIdType>map(id -> new IdType(COMPARTMENT, id)).toList();
        RuleBuilder builder = new RuleBuilder();
        var op = builder.allow(name);
        List<IAuthRule> built = (access == Access.READ ? op.read() : op.write()).allResources().inCompartment(COMPARTMENT, owners)
                .build();
        if (built.size() != 1) {
            throw new IllegalStateException("expected one HAPI rule, got " + built.size());
        }
        this.hapi = built.get(0);
    }

    @Override
    public AuthorizationInterceptor.Verdict applyRule(RestOperationTypeEnum operation, RequestDetails request, IBaseResource input,
            IIdType inputId, IBaseResource output, IRuleApplier applier, Set<AuthorizationFlagsEnum> flags, Pointcut pointcut) {
        IBaseResource known;
        IIdType knownId;
        if (access == Access.READ) {
            known = output;
            knownId = null; // a Patient shown is matched by its own id below
        } else {
            boolean createOrUpdate = operation == RestOperationTypeEnum.CREATE || operation == RestOperationTypeEnum.UPDATE;
            boolean rewritesHistory = request.isRewriteHistory() && request.getId() != null && request.getId().hasVersionIdPart();
            known = createOrUpdate && !rewritesHistory ? input : null;
            knownId = inputId;
        }
        if (known == null) {
            return hapi.applyRule(operation, request, input, inputId, output, applier, flags, pointcut);
        }
        return inCompartments(request.getFhirContext(), known, knownId) ? new AuthorizationInterceptor.Verdict(PolicyEnum.ALLOW, this)
                : null;
    }

    private boolean inCompartments(FhirContext fhir, IBaseResource resource, IIdType id) {
        IIdType own = resource.getIdElement();
        if (isListedPatient(id) || COMPARTMENT.equals(fhir.getResourceType(resource)) && own.hasIdPart()
                && patientIds.contains(own.getIdPart())) {
            return true;
        }
        for (IIdType owner : fhir.newTerser().getCompartmentOwnersForResource(COMPARTMENT, resource,
                new CompartmentSearchParameterModifications())) {
            if (isListedPatient(owner)) {
                return true;
            }
        }
        return false;
    }

    /** A reference or id naming one of the listed Patients ({@code Patient/[id]}, relative or absolute, any version). */
    private boolean isListedPatient(IIdType id) {
        return id != null && COMPARTMENT.equals(id.getResourceType()) && id.hasIdPart() && patientIds.contains(id.getIdPart());
    }

    @Override
    public String getName() {
        return name;
    }
}
