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
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What checking one answer of 100 Observations costs a care giver's compartment rule, by the number of patients of
 * their institution: HAPI FHIR's {@code inCompartment} rule against {@link PatientCompartmentRule}, in the same run,
 * with the ratio. Each answer is checked twice, as HAPI's AuthorizationInterceptor does (resources shown, then the
 * response). Run with {@code ./mvnw -B -Pbenchmark -pl consent -am verify -Dtest=CompartmentRuleBenchmark}; not part
 * of the default test run.
 */
class CompartmentRuleBenchmark {
    private static final FhirContext FHIR = FhirContext.forR4Cached();
    private static final AuthorizationInterceptor APPLIER = new AuthorizationInterceptor(PolicyEnum.DENY);

    @Test
    void perAnswerOf100() {
        System.out.println("| patients of the institution | HAPI inCompartment (µs per answer) | PatientCompartmentRule (µs per answer) | HAPI / ours |");
        System.out.println("|---|---|---|---|");
        for (int patients : new int[]{20, 1_000, 10_000}) {
            Set<String> ids = IntStream.rangeClosed(1, patients).mapToObj(Integer::toString).collect(Collectors.toSet());
            List<IIdType> owners = ids.stream().<IIdType>map(id -> new IdType("Patient", id)).toList();
            IAuthRule hapi = new RuleBuilder().allow("hapi").read().allResources().inCompartment("Patient", owners).build().get(0);
            IAuthRule ours = new PatientCompartmentRule("ours", PatientCompartmentRule.Access.READ, ids);
            // the answer's patients spread over the institution, as a search over several patients' records
            List<Observation> answer = IntStream.range(0, 100).mapToObj(i -> {
                Observation o = new Observation().setSubject(new Reference("Patient/" + (1 + (i * 7919) % patients)));
                o.setId("Observation/o" + i);
                return o;
            }).toList();
            double hapiMicros = microsPerAnswer(hapi, answer);
            double oursMicros = microsPerAnswer(ours, answer);
            System.out.printf(Locale.ROOT, "| %,d | %.0f | %.0f | %.1fx |%n", patients, hapiMicros, oursMicros, hapiMicros / oursMicros);
        }
    }

    /** Median over rounds of the time to check the answer twice; every check must allow. */
    private static double microsPerAnswer(IAuthRule rule, List<Observation> answer) {
        ServletRequestDetails request = new ServletRequestDetails();
        request.setServer(new RestfulServer(FHIR));
        request.setRestOperationType(RestOperationTypeEnum.SEARCH_TYPE);
        request.setResourceName("Observation");
        request.setParameters(new HashMap<>());
        long deadline = System.nanoTime() + 3_000_000_000L; // warm-up
        while (System.nanoTime() < deadline) {
            check(rule, request, answer);
        }
        double[] rounds = new double[15];
        for (int i = 0; i < rounds.length; i++) {
            int answers = 0;
            long start = System.nanoTime();
            long end = start + 200_000_000L;
            long now;
            do {
                check(rule, request, answer);
                answers++;
                now = System.nanoTime();
            } while (now < end);
            rounds[i] = (now - start) / 1_000.0 / answers;
        }
        java.util.Arrays.sort(rounds);
        return rounds[rounds.length / 2];
    }

    private static void check(IAuthRule rule, ServletRequestDetails request, List<Observation> answer) {
        for (int pass = 0; pass < 2; pass++) {
            for (Observation o : answer) {
                AuthorizationInterceptor.Verdict verdict = rule.applyRule(RestOperationTypeEnum.SEARCH_TYPE, request, null, null, o, APPLIER,
                        Set.of(), Pointcut.STORAGE_PRESHOW_RESOURCES);
                assertThat(verdict).isNotNull();
            }
        }
    }
}
