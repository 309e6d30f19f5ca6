package org.phrcloud.consent.policy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.phrcloud.identity.PhrRole;
import org.phrcloud.identity.caller.Caller;

import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The role and acr gate of the FHIR API, as a table of expected outcomes (roles x acr x caller kind). */
class FhirAccessPolicyTest {
    private final FhirAccessPolicy policy = new FhirAccessPolicy();

    private static Set<PhrRole> roles(String names) {
        if (names.isBlank()) {
            return Set.of();
        }
        return Arrays.stream(names.split("\\+")).map(n -> PhrRole.fromRoleName(n).orElseThrow())
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(PhrRole.class)));
    }

    private static Caller person(String roles, String acr) {
        return new Caller("sub", "someone", "phr-portal", roles(roles), acr.equals("none") ? null : acr,
                Instant.now().plusSeconds(60), false, Set.of());
    }

    @ParameterizedTest(name = "{0} with acr {1}: {2} {3}")
    @CsvSource(delimiter = '|', textBlock = """
            practitioner                 | none | STEP_UP | PHR-AUTHZ-0002
            practitioner                 | 0    | STEP_UP | PHR-AUTHZ-0002
            practitioner                 | 1    | STEP_UP | PHR-AUTHZ-0002
            practitioner                 | 2    | ALLOW   |
            family-doctor                | none | STEP_UP | PHR-AUTHZ-0002
            family-doctor                | 0    | STEP_UP | PHR-AUTHZ-0002
            family-doctor                | 1    | STEP_UP | PHR-AUTHZ-0002
            family-doctor                | 2    | ALLOW   |
            pharmacist                   | none | STEP_UP | PHR-AUTHZ-0002
            pharmacist                   | 0    | STEP_UP | PHR-AUTHZ-0002
            pharmacist                   | 1    | STEP_UP | PHR-AUTHZ-0002
            pharmacist                   | 2    | ALLOW   |
            lab                          | none | STEP_UP | PHR-AUTHZ-0002
            lab                          | 0    | STEP_UP | PHR-AUTHZ-0002
            lab                          | 1    | STEP_UP | PHR-AUTHZ-0002
            lab                          | 2    | ALLOW   |
            researcher                   | none | FORBID  | PHR-AUTHZ-0001
            researcher                   | 0    | FORBID  | PHR-AUTHZ-0001
            researcher                   | 1    | FORBID  | PHR-AUTHZ-0001
            researcher                   | 2    | FORBID  | PHR-AUTHZ-0001
            patient                      | none | ALLOW   |
            patient                      | 0    | ALLOW   |
            patient                      | 1    | ALLOW   |
            patient                      | 2    | ALLOW   |
            admin                        | none | FORBID  | PHR-AUTHZ-0004
            admin                        | 0    | FORBID  | PHR-AUTHZ-0004
            admin                        | 1    | FORBID  | PHR-AUTHZ-0004
            admin                        | 2    | FORBID  | PHR-AUTHZ-0004
            ''                           | none | FORBID  | PHR-AUTHZ-0005
            ''                           | 0    | FORBID  | PHR-AUTHZ-0005
            ''                           | 1    | FORBID  | PHR-AUTHZ-0005
            ''                           | 2    | FORBID  | PHR-AUTHZ-0005
            practitioner+researcher      | 1    | STEP_UP | PHR-AUTHZ-0002
            practitioner+researcher      | 2    | ALLOW   |
            practitioner+admin           | 1    | STEP_UP | PHR-AUTHZ-0002
            practitioner+admin           | 2    | ALLOW   |
            patient+practitioner         | 1    | STEP_UP | PHR-AUTHZ-0002
            patient+practitioner         | 2    | ALLOW   |
            patient+researcher           | 2    | FORBID  | PHR-AUTHZ-0001
            patient+admin                | 2    | ALLOW   |
            researcher+admin             | 2    | FORBID  | PHR-AUTHZ-0001
            pharmacist+lab               | 1    | STEP_UP | PHR-AUTHZ-0002
            pharmacist+lab               | 2    | ALLOW   |
            """)
    void people(String roles, String acr, AccessDecision.Kind expected, String code) {
        AccessDecision d = policy.decide(person(roles, acr));
        assertThat(d.kind()).isEqualTo(expected);
        if (code == null) {
            assertThat(d.message()).isEmpty();
        } else {
            assertThat(d.message()).startsWith(code + ":");
        }
    }

    static Stream<String> everyRoleSetAndAcr() {
        return Stream.of("", "patient", "practitioner", "researcher", "admin", "lab", "pharmacist", "family-doctor")
                .flatMap(r -> Stream.of("none", "1", "2").map(a -> r + ";" + a));
    }

    /** Institution systems (client credentials) are not held to the step-up rules of people. */
    @ParameterizedTest(name = "service account with roles [{0}]")
    @MethodSource("everyRoleSetAndAcr")
    void serviceAccountsAreAllowed(String rolesAndAcr) {
        String[] ra = rolesAndAcr.split(";", -1);
        Caller t = new Caller("sub", "service-account-phr-backend", "phr-backend",
                roles(ra[0]), ra[1].equals("none") ? null : ra[1], Instant.now().plusSeconds(60), true, Set.of());
        assertThat(policy.decide(t)).isEqualTo(AccessDecision.ALLOW);
    }

    /** A person's token is judged as a person's, whatever the username says. */
    @ParameterizedTest(name = "username {0}")
    @CsvSource({"service-account-phr-backend", "service-account", "xservice-account-phr-backend"})
    void aPersonNamedLikeAServiceAccountIsStillAPerson(String username) {
        Caller t = new Caller("sub", username, "phr-portal", Set.of(), "1",
                Instant.now().plusSeconds(60), false, Set.of());
        assertThat(policy.decide(t).kind()).isEqualTo(AccessDecision.Kind.FORBID);
    }
}
