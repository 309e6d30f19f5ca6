package org.phrcloud.consent.policy;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.SimplePreResourceShowDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.phrcloud.core.caller.CallerContext;
import org.phrcloud.identity.PhrRole;
import org.phrcloud.identity.caller.Caller;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatNoException;

/** SMART App Launch scopes (v2 and v1 forms) as literal tables: scope x request -> outcome. */
class SmartScopesTest {

    @ParameterizedTest(name = "[{0}] {2} {1} {3} -> {4}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            # scope claim                                   | type         | permission | parameters            | permitted
            patient/Observation.rs                          | Observation  | READ       | -                     | true
            patient/Observation.rs                          | Observation  | SEARCH     | -                     | true
            patient/Observation.rs                          | Observation  | CREATE     | -                     | false
            patient/Observation.rs                          | Condition    | READ       | -                     | false
            patient/Observation.rs                          | Condition    | SEARCH     | -                     | false
            patient/Observation.r                           | Observation  | SEARCH     | -                     | false
            user/*.cruds                                    | Condition    | DELETE     | -                     | true
            user/*.cruds                                    | Patient      | UPDATE     | -                     | true
            system/*.rs                                     | Encounter    | SEARCH     | -                     | true
            system/*.rs                                     | Encounter    | CREATE     | -                     | false
            user/Observation.cu                             | Observation  | CREATE     | -                     | true
            user/Observation.cu                             | Observation  | UPDATE     | -                     | true
            user/Observation.cu                             | Observation  | DELETE     | -                     | false
            user/Observation.cu                             | Observation  | READ       | -                     | false
            patient/Observation.read                        | Observation  | READ       | -                     | true
            patient/Observation.read                        | Observation  | SEARCH     | -                     | true
            patient/Observation.read                        | Observation  | UPDATE     | -                     | false
            patient/Observation.write                       | Observation  | CREATE     | -                     | true
            patient/Observation.write                       | Observation  | DELETE     | -                     | true
            patient/Observation.write                       | Observation  | READ       | -                     | false
            patient/*.*                                     | Condition    | DELETE     | -                     | true
            patient/*.read                                  | Condition    | SEARCH     | -                     | true
            patient/Observation.rs?category=laboratory      | Observation  | SEARCH     | category=laboratory   | true
            patient/Observation.rs?category=laboratory      | Observation  | SEARCH     | category=vital-signs  | false
            patient/Observation.rs?category=laboratory      | Observation  | SEARCH     | -                     | false
            patient/Observation.rs?category=laboratory      | Observation  | READ       | -                     | false
            patient/Observation.rs?category=laboratory      | Observation  | SEARCH     | code=15074-8          | false
            patient/Observation.rs?category=laboratory patient/Observation.r | Observation | READ | -            | true
            openid fhirUser launch/patient                  | Condition    | DELETE     | -                     | true
            openid profile                                  | Observation  | CREATE     | -                     | true
            -                                               | Observation  | CREATE     | -                     | true
            patient/Observation.sr                          | Observation  | READ       | -                     | false
            patient/Observation.                            | Observation  | READ       | -                     | false
            patient/Observation.read?category=laboratory    | Observation  | SEARCH     | category=laboratory   | false
            patient/Observation.rs?category                 | Observation  | SEARCH     | category=laboratory   | false
            patient/observation.rs                          | Observation  | READ       | -                     | false
            clinic/Observation.rs                           | Observation  | READ       | -                     | true
            openid patient/Observation.rs offline_access    | Observation  | SEARCH     | -                     | true
            """)
    void scopeTimesRequest(String claim, String type, SmartScopes.Permission permission, String parameters, boolean permitted) {
        assertThat(SmartScopes.parse(claim).permits(type, permission, parameters(parameters))).isEqualTo(permitted);
    }

    @Test
    void onlyResourceScopesNarrowAndMalformedOnesGrantNothing() {
        assertThat(SmartScopes.parse("openid fhirUser launch/patient offline_access").narrows()).isFalse();
        assertThat(SmartScopes.parse(null).narrows()).isFalse();
        assertThat(SmartScopes.parse("patient/Observation.sr").narrows()).as("out of order: a resource scope that grants nothing").isTrue();
        assertThat(SmartScopes.parse("patient/Observation.sr").scopes()).isEmpty();
        SmartScopes.Scope scope = SmartScopes.parse("openid patient/Observation.rs?category=laboratory&status=final").scopes().get(0);
        assertThat(scope.context()).isEqualTo("patient");
        assertThat(scope.resourceType()).isEqualTo("Observation");
        assertThat(scope.permissions()).containsExactly(SmartScopes.Permission.READ, SmartScopes.Permission.SEARCH);
        assertThat(scope.restrictions()).containsExactly(Map.entry("category", "laboratory"), Map.entry("status", "final"));
    }

    private static final FhirContext FHIR = FhirContext.forR4Cached();

    @ParameterizedTest(name = "[{0}] {1} {2} -> {3}")
    @CsvSource(delimiter = '|', textBlock = """
            # scope claim                   | operation    | type        | allowed
            patient/Observation.rs          | SEARCH_TYPE  | Observation | true
            patient/Observation.rs          | READ         | Observation | true
            patient/Observation.rs          | SEARCH_TYPE  | Condition   | false
            patient/Observation.rs          | READ         | Condition   | false
            patient/Observation.rs          | CREATE       | Observation | false
            patient/Observation.rs          | SEARCH_SYSTEM |            | false
            patient/*.rs                    | SEARCH_SYSTEM |            | true
            patient/Observation.rs          | TRANSACTION  |             | true
            patient/Observation.rs          | METADATA     |             | true
            patient/Observation.rs          | EXTENDED_OPERATION_INSTANCE | Patient | false
            patient/Patient.r               | EXTENDED_OPERATION_INSTANCE | Patient | true
            user/Observation.u              | PATCH        | Observation | true
            user/Observation.u              | DELETE       | Observation | false
            user/*.cruds                    | GRAPHQL_REQUEST |          | false
            openid                          | GRAPHQL_REQUEST |          | true
            """)
    void operationsNeedTheirPermissionBeforeTheyAreHandled(String claim, RestOperationTypeEnum operation, String type, boolean allowed) {
        ServletRequestDetails request = request(claim);
        request.setResourceName(type == null || type.isBlank() ? null : type);
        SmartScopeInterceptor interceptor = new SmartScopeInterceptor(FHIR);
        if (allowed) {
            assertThatNoException().isThrownBy(() -> interceptor.beforeHandling(request, operation));
        } else {
            assertThatThrownBy(() -> interceptor.beforeHandling(request, operation)).isInstanceOf(ForbiddenOperationException.class)
                    .hasMessageStartingWith("PHR-AUTHZ-0020");
        }
    }

    @Test
    void itsHooksAreOnesHapiFhirCalls() {
        ca.uhn.fhir.interceptor.executor.InterceptorService service = new ca.uhn.fhir.interceptor.executor.InterceptorService();
        assertThat(service.registerInterceptor(new SmartScopeInterceptor(FHIR))).isTrue();
        assertThat(service.getAllRegisteredInterceptors()).hasSize(1);
    }

    @Test
    void whatAnAnswerShowsAndWhatARequestStoresNeedTheirTypesScopes() {
        SmartScopeInterceptor interceptor = new SmartScopeInterceptor(FHIR);
        ServletRequestDetails observationsOnly = request("patient/Observation.rs");
        assertThatNoException().isThrownBy(() -> interceptor.beforeShowing(new SimplePreResourceShowDetails(List.of(new Observation())), observationsOnly));
        assertThatThrownBy(() -> interceptor.beforeShowing(new SimplePreResourceShowDetails(List.of(new Observation(), new Condition())),
                observationsOnly)).as("an _include or $everything shows a Condition").hasMessageStartingWith("PHR-AUTHZ-0020");
        assertThatThrownBy(() -> interceptor.beforeCreate(new Observation(), observationsOnly)).hasMessageContaining("create on Observation");

        ServletRequestDetails writer = request("user/Observation.cu user/Patient.r");
        assertThatNoException().isThrownBy(() -> interceptor.beforeCreate(new Observation(), writer));
        assertThatNoException().isThrownBy(() -> interceptor.beforeUpdate(new Observation(), new Observation(), writer));
        assertThatThrownBy(() -> interceptor.beforeDelete(new Observation(), writer)).hasMessageContaining("delete on Observation");
        assertThatThrownBy(() -> interceptor.beforeCreate(new Patient(), writer)).as("a transaction entry of another type")
                .hasMessageContaining("create on Patient");

        ServletRequestDetails firstParty = request("openid profile");
        assertThatNoException().isThrownBy(() -> interceptor.beforeCreate(new Condition(), firstParty));
        SystemRequestDetails internal = new SystemRequestDetails();
        CallerContext.setCaller(internal, caller("patient/Observation.rs"));
        assertThatNoException().as("what the platform stores on the caller's behalf (an AuditEvent, a consent)")
                .isThrownBy(() -> interceptor.beforeCreate(new Condition(), internal));
    }

    private static ServletRequestDetails request(String claim) {
        ServletRequestDetails request = new ServletRequestDetails();
        CallerContext.setCaller(request, caller(claim));
        request.setParameters(new HashMap<>());
        return request;
    }

    private static Caller caller(String claim) {
        return new Caller("u1", "app-user", "smart-app", Set.of(PhrRole.PATIENT), "1", Instant.MAX, false, Set.of(), claim);
    }

    private static Map<String, String[]> parameters(String spelled) {
        Map<String, String[]> parameters = new HashMap<>();
        if (spelled != null) {
            for (String pair : spelled.split("&")) {
                String[] kv = pair.split("=", 2);
                parameters.put(kv[0], new String[]{kv[1]});
            }
        }
        return parameters;
    }
}
