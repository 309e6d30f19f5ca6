package org.phrcloud.consent.policy;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.interceptor.auth.PolicyEnum;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.AuditEvent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.phrcloud.consent.AccessLevel;
import org.phrcloud.consent.ConsentGrant;
import org.phrcloud.consent.ConsentTerms;
import org.phrcloud.core.caller.CallerContext;
import org.phrcloud.identity.PhrRole;
import org.phrcloud.identity.caller.Caller;
import org.phrcloud.identity.mpi.MasterPatientIndex;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Who may read and write which record (docs/ARCHITECTURE.md "Read path"), as a literal table of expected outcomes,
 * decided by the real {@link CompartmentAuthorizationInterceptor} rules on a real (H2) master patient index, without
 * a server. Patient/1 belongs to st-mary (its login is kc-a), Patient/2 to north-clinic. The practitioner works at
 * st-mary; {@code grant} is what consent they hold on Patient/2 ({@code -}: none).
 */
class CompartmentAuthorizationTableTest {
    private static final FhirContext FHIR = FhirContext.forR4Cached();
    private static final RestfulServer SERVER = new RestfulServer(FHIR);
    private static MasterPatientIndex mpi;

    @BeforeAll
    static void twoPatientsOfTwoInstitutions() {
        mpi = TwoInstitutions.masterPatientIndex();
    }

    @ParameterizedTest(name = "{0} with grant {1}: {2} {3} {4} -> {5}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            # who        | grant on 2          | operation   | resource              | query parameters                 | expected
            # care givers: their institution's patients, read and write
            practitioner | -                   | READ        | Observation/o1        | -                                | ALLOW
            practitioner | -                   | CREATE      | Observation/o1        | -                                | ALLOW
            practitioner | -                   | UPDATE      | Condition/c1          | -                                | ALLOW
            practitioner | -                   | READ        | Observation/o2        | -                                | DENY
            practitioner | -                   | CREATE      | Observation/o2        | -                                | DENY
            practitioner | -                   | READ        | Practitioner/d        | -                                | ALLOW
            practitioner | -                   | CREATE      | Consent/k1            | -                                | DENY
            practitioner | -                   | CREATE      | AuditEvent/e1         | -                                | DENY
            # a full consent for Observation opens reading Observations of Patient/2, nothing else
            practitioner | full:Observation    | READ        | Observation/o2        | -                                | ALLOW
            practitioner | full:Observation    | SEARCH_TYPE | Observation/o2        | patient=2                        | ALLOW
            practitioner | full:Observation    | READ        | Condition/c2          | -                                | DENY
            practitioner | full:Observation    | CREATE      | Observation/o2        | -                                | DENY
            practitioner | full:Observation    | UPDATE      | Observation/o2        | -                                | DENY
            # sample: the latest 5 of a type, by a search sorted newest first
            practitioner | sample:Observation  | SEARCH_TYPE | Observation/o2        | patient=2&_sort=-date&_count=5   | ALLOW
            practitioner | sample:Observation  | SEARCH_TYPE | Observation/o2        | patient=2&_sort=-date&_count=6   | DENY
            practitioner | sample:Observation  | SEARCH_TYPE | Observation/o2        | patient=2&_sort=date&_count=5    | DENY
            practitioner | sample:Observation  | SEARCH_TYPE | Observation/o2        | patient=2                        | DENY
            practitioner | sample:Observation  | READ        | Observation/o2        | -                                | DENY
            # information: counts only, never a resource
            practitioner | information:Observation | SEARCH_TYPE | Observation/o2    | patient=2&_summary=count         | ALLOW
            practitioner | information:Observation | SEARCH_TYPE | Observation/o2    | patient=2                        | DENY
            practitioner | information:Observation | READ        | Observation/o2    | -                                | DENY
            # emergency access: the whole compartment, for reading
            practitioner | emergency           | READ        | Condition/c2          | -                                | ALLOW
            practitioner | emergency           | READ        | Observation/o2        | -                                | ALLOW
            practitioner | emergency           | CREATE      | Observation/o2        | -                                | DENY
            # patients: their own compartment; they write Observations and DocumentReferences only
            patient      | -                   | READ        | Observation/o1        | -                                | ALLOW
            patient      | -                   | READ        | Condition/c1          | -                                | ALLOW
            patient      | -                   | READ        | Observation/o2        | -                                | DENY
            patient      | -                   | CREATE      | Observation/o1        | -                                | ALLOW
            patient      | -                   | CREATE      | Condition/c1          | -                                | DENY
            patient      | -                   | CREATE      | Observation/o2        | -                                | DENY
            patient      | -                   | READ        | Practitioner/d        | -                                | ALLOW
            patient      | -                   | CREATE      | Consent/k1            | -                                | DENY
            # institution systems: every record, but never a Consent or an AuditEvent by FHIR
            system       | -                   | READ        | Observation/o2        | -                                | ALLOW
            system       | -                   | CREATE      | Condition/c2          | -                                | ALLOW
            system       | -                   | CREATE      | Consent/k1            | -                                | DENY
            system       | -                   | CREATE      | AuditEvent/e1         | -                                | DENY
            """)
    void decides(String who, String grant, RestOperationTypeEnum operation, String resource, String query, PolicyEnum expected) {
        assertThat(decide(caller(who), grant, operation, resource, query)).isEqualTo(expected);
    }

    @Test
    void aPatientLoginNotLinkedToARecordIsRefusedWithItsCode() {
        Caller unlinked = new Caller("kc-z", "z", "phr-portal", Set.of(PhrRole.PATIENT), "1", Instant.now().plusSeconds(60), false, Set.of());
        assertThatThrownBy(() -> decide(unlinked, null, RestOperationTypeEnum.READ, "Observation/o1", null))
                .isInstanceOf(ForbiddenOperationException.class).hasMessageStartingWith("PHR-AUTHZ-0003");
    }

    @Test
    void anEmergencyReadIsMarkedWithItsPurposeOfUse() {
        ServletRequestDetails request = request(caller("practitioner"), RestOperationTypeEnum.READ, "Condition/c2", null);
        interceptor("emergency").applyRulesAndReturnDecision(RestOperationTypeEnum.READ, request, null, null,
                resource("Condition/c2"), Pointcut.STORAGE_PRESHOW_RESOURCES);
        assertThat(CallerContext.purposeOfUse(request)).isEqualTo("ETREAT");
    }

    /**
     * The checks HAPI's {@code AuthorizationInterceptor} makes for one request, in its order: on the incoming request
     * (the body and the id it names, or the type alone for a create), then on what is stored (writes) or shown
     * (reads and searches; a {@code _summary=count} search shows no resource). ALLOW only if every check allows.
     */
    private static PolicyEnum decide(Caller caller, String grant, RestOperationTypeEnum operation, String resource, String query) {
        ServletRequestDetails request = request(caller, operation, resource, query);
        CompartmentAuthorizationInterceptor rules = interceptor(grant);
        IBaseResource r = resource(resource);
        boolean write = operation == RestOperationTypeEnum.CREATE || operation == RestOperationTypeEnum.UPDATE;
        IIdType incomingId;
        if (operation == RestOperationTypeEnum.READ || operation == RestOperationTypeEnum.UPDATE) {
            request.setId(r.getIdElement());
            incomingId = r.getIdElement();
        } else if (operation == RestOperationTypeEnum.CREATE) {
            incomingId = new IdType(request.getResourceName(), (String) null);
        } else {
            incomingId = null;
        }
        if (write) {
            request.setResource(r);
        }
        PolicyEnum incoming = rules.applyRulesAndReturnDecision(operation, request, write ? r : null, incomingId, null,
                Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED).getDecision();
        if (incoming == PolicyEnum.DENY) {
            return PolicyEnum.DENY;
        }
        if (write) {
            return rules.applyRulesAndReturnDecision(operation, request, r, r.getIdElement(), null,
                    operation == RestOperationTypeEnum.CREATE ? Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED
                            : Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED).getDecision();
        }
        if (query != null && query.contains("_summary=count")) {
            return incoming;
        }
        return rules.applyRulesAndReturnDecision(operation, request, null, null, r, Pointcut.STORAGE_PRESHOW_RESOURCES).getDecision();
    }

    private static CompartmentAuthorizationInterceptor interceptor(String grant) {
        List<ConsentGrant> grants = grant == null ? List.of() : List.of(grant(grant));
        return new CompartmentAuthorizationInterceptor(mpi, t -> grants);
    }

    private static ConsentGrant grant(String spec) {
        if (spec.equals("emergency")) {
            return new ConsentGrant("e", Set.of("2"), AccessLevel.FULL, Set.of(ConsentTerms.ALL_TYPES), true);
        }
        String[] levelAndType = spec.split(":");
        return new ConsentGrant("g", Set.of("2"), AccessLevel.fromCode(levelAndType[0]).orElseThrow(), Set.of(levelAndType[1]));
    }

    private static ServletRequestDetails request(Caller caller, RestOperationTypeEnum operation, String resource, String query) {
        ServletRequestDetails request = new ServletRequestDetails();
        request.setServer(SERVER);
        request.setRestOperationType(operation);
        request.setResourceName(resource.substring(0, resource.indexOf('/')));
        Map<String, String[]> parameters = new HashMap<>();
        if (query != null) {
            for (String pair : query.split("&")) {
                String[] kv = pair.split("=", 2);
                parameters.put(kv[0], new String[]{kv[1]});
            }
        }
        request.setParameters(parameters);
        CallerContext.setCaller(request, caller);
        return request;
    }

    /** o1/c1 are in Patient/1's compartment, o2/c2 in Patient/2's; d is a Practitioner, k1 a Consent, e1 an AuditEvent. */
    private static IBaseResource resource(String id) {
        String type = id.substring(0, id.indexOf('/'));
        boolean first = id.endsWith("1");
        Reference patient = new Reference("Patient/" + (first ? "1" : "2"));
        IBaseResource r = switch (type) {
            case "Observation" -> new Observation().setSubject(patient);
            case "Condition" -> new Condition().setSubject(patient);
            case "Consent" -> new Consent().setPatient(patient);
            case "Practitioner" -> new Practitioner();
            case "AuditEvent" -> new AuditEvent();
            default -> throw new IllegalArgumentException(type);
        };
        r.setId(new IdType(id));
        return r;
    }

    private static Caller caller(String who) {
        Instant exp = Instant.now().plusSeconds(60);
        return switch (who) {
            case "practitioner" -> new Caller("kc-p", "doc", "phr-portal", Set.of(PhrRole.PRACTITIONER), "2", exp, false, Set.of("st-mary"));
            case "patient" -> new Caller("kc-a", "pat", "phr-portal", Set.of(PhrRole.PATIENT), "1", exp, false, Set.of());
            case "system" -> new Caller("svc", "service-account-phr-backend", "phr-backend", Set.of(), null, exp, true, Set.of("st-mary"));
            default -> throw new IllegalArgumentException(who);
        };
    }

}
