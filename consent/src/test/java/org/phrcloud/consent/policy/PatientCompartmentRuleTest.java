package org.phrcloud.consent.policy;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.interceptor.auth.AuthorizationInterceptor;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRule;
import ca.uhn.fhir.rest.server.interceptor.auth.PolicyEnum;
import ca.uhn.fhir.rest.server.interceptor.auth.RuleBuilder;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link PatientCompartmentRule} for an institution of 10,000 patients (Patient/1 to Patient/10000), as a literal table
 * of expected outcomes; each row is also decided by HAPI FHIR's own rule for the same compartments, which must agree
 * (the rule replaces it on a care giver's and a patient's requests, docs/benchmarks.md).
 * {@code ALLOW} is the rule's verdict; {@code -} means no verdict (the next rule decides, in the end the default deny).
 */
class PatientCompartmentRuleTest {
    private static final FhirContext FHIR = FhirContext.forR4Cached();
    private static final RestfulServer SERVER = new RestfulServer(FHIR);
    private static final AuthorizationInterceptor APPLIER = new AuthorizationInterceptor(PolicyEnum.DENY);
    private static final Set<String> INSTITUTION = IntStream.rangeClosed(1, 10_000).mapToObj(Integer::toString)
            .collect(Collectors.toSet());

    @ParameterizedTest(name = "{0} {1} {2} ({3}) -> {4}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            # access | operation   | resource                  | how it is checked                 | expected
            # a resource shown: in the compartments when it refers to one of the patients as the compartment says
            READ     | READ        | Observation subject 9999  | shown                             | ALLOW
            READ     | READ        | Observation subject 10001 | shown                             | -
            READ     | READ        | Observation performer 17  | shown                             | ALLOW
            READ     | READ        | Observation absolute 17   | shown                             | ALLOW
            READ     | READ        | Observation untyped 17    | shown                             | -
            READ     | READ        | Observation nobody        | shown                             | -
            READ     | READ        | Encounter subject 1       | shown                             | ALLOW
            READ     | READ        | Patient 10000             | shown                             | ALLOW
            READ     | READ        | Patient 10001             | shown                             | -
            READ     | READ        | Patient 10001 link 3      | shown                             | ALLOW
            READ     | READ        | Practitioner 5            | shown                             | -
            # before anything is read: HAPI's rule decides, unchanged
            READ     | READ        | Observation subject 10001 | read by id                        | ALLOW
            READ     | SEARCH_TYPE | Observation subject 5     | search patient=5                  | ALLOW
            READ     | SEARCH_TYPE | Observation subject 10001 | search patient=10001              | -
            READ     | SEARCH_TYPE | Observation subject 5     | search code=x                     | -
            # writes: the body of a create or an update
            WRITE    | CREATE      | Observation subject 42    | written                           | ALLOW
            WRITE    | CREATE      | Observation subject 10001 | written                           | -
            WRITE    | UPDATE      | Patient 42                | written                           | ALLOW
            WRITE    | UPDATE      | Patient 10001             | written                           | -
            WRITE    | UPDATE      | Observation performer 17  | written                           | ALLOW
            # a write rule says nothing about what is shown, a read rule nothing about what is written
            WRITE    | READ        | Observation subject 42    | shown                             | -
            READ     | CREATE      | Observation subject 42    | written                           | -
            """)
    void decides(PatientCompartmentRule.Access access, RestOperationTypeEnum operation, String resource, String how, String expected) {
        PolicyEnum want = expected == null ? null : PolicyEnum.valueOf(expected);
        assertThat(decision(new PatientCompartmentRule("r", access, INSTITUTION), operation, resource, how)).isEqualTo(want);
        assertThat(decision(hapiRule(access), operation, resource, how)).as("HAPI's own rule").isEqualTo(want);
    }

    @Test
    void aRuleWithoutPatientsIsRefused() {
        assertThatThrownBy(() -> new PatientCompartmentRule("r", PatientCompartmentRule.Access.READ, Set.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static PolicyEnum decision(IAuthRule rule, RestOperationTypeEnum operation, String resource, String how) {
        IBaseResource r = resource(resource);
        ServletRequestDetails request = new ServletRequestDetails();
        request.setServer(SERVER);
        request.setRestOperationType(operation);
        request.setResourceName(FHIR.getResourceType(r));
        Map<String, String[]> parameters = new HashMap<>();
        request.setParameters(parameters);
        AuthorizationInterceptor.Verdict verdict;
        if (how.equals("shown")) {
            verdict = rule.applyRule(operation, request, null, null, r, APPLIER, Set.of(), Pointcut.STORAGE_PRESHOW_RESOURCES);
        } else if (how.equals("read by id")) {
            request.setId(r.getIdElement());
            verdict = rule.applyRule(operation, request, null, r.getIdElement(), null, APPLIER, Set.of(),
                    Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED);
        } else if (how.startsWith("search ")) {
            String[] kv = how.substring("search ".length()).split("=");
            parameters.put(kv[0], new String[]{kv[1]});
            verdict = rule.applyRule(operation, request, null, null, null, APPLIER, Set.of(), Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED);
        } else {
            IIdType id = operation == RestOperationTypeEnum.CREATE ? new IdType(FHIR.getResourceType(r), (String) null) : r.getIdElement();
            request.setResource(r);
            verdict = rule.applyRule(operation, request, r, id, null, APPLIER, Set.of(),
                    operation == RestOperationTypeEnum.CREATE ? Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED
                            : Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED);
        }
        return verdict == null ? null : verdict.getDecision();
    }

    private static IAuthRule hapiRule(PatientCompartmentRule.Access access) {
        List<IIdType> owners = INSTITUTION.stream().<IIdType>map(id -> new IdType("Patient", id)).toList();
        var allow = new RuleBuilder().allow("hapi");
        return (access == PatientCompartmentRule.Access.READ ? allow.read() : allow.write()).allResources()
                .inCompartment("Patient", owners).build().get(0);
    }

    /**
     * "Observation subject 5": an Observation about Patient/5; "performer 5": performed by Patient/5 (a patient's own
     * measurement); "absolute 5": subject {@code http://other.example/fhir/Patient/5}; "untyped 5": subject {@code 5};
     * "nobody": no subject; "Patient 5 link 3": Patient/5 linked to Patient/3.
     */
    private static IBaseResource resource(String spec) {
        String[] words = spec.split(" ");
        return switch (words[0]) {
            case "Observation" -> {
                Observation o = new Observation();
                o.setId("Observation/o");
                switch (words[1]) {
                    case "subject" -> o.setSubject(new Reference("Patient/" + words[2]));
                    case "performer" -> o.addPerformer(new Reference("Patient/" + words[2]));
                    case "absolute" -> o.setSubject(new Reference("http://other.example/fhir/Patient/" + words[2]));
                    case "untyped" -> o.setSubject(new Reference(words[2]));
                    case "nobody" -> { }
                    default -> throw new IllegalArgumentException(spec);
                }
                yield o;
            }
            case "Encounter" -> new Encounter().setSubject(new Reference("Patient/" + words[2])).setId("Encounter/e");
            case "Patient" -> {
                Patient p = new Patient();
                p.setId("Patient/" + words[1]);
                if (words.length > 2) {
                    p.addLink().setOther(new Reference("Patient/" + words[3]));
                }
                yield p;
            }
            case "Practitioner" -> new Practitioner().setId("Practitioner/" + words[1]);
            default -> throw new IllegalArgumentException(spec);
        };
    }
}
