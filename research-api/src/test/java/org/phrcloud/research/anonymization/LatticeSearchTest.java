package org.phrcloud.research.anonymization;

import org.junit.jupiter.api.Test;
import org.phrcloud.research.anonymization.algorithm.Anonymization;
import org.phrcloud.research.anonymization.algorithm.FullDomainGeneralization;
import org.phrcloud.research.anonymization.hierarchy.DateHierarchy;
import org.phrcloud.research.anonymization.hierarchy.Hierarchy;
import org.phrcloud.research.anonymization.hierarchy.IntervalHierarchy;
import org.phrcloud.research.anonymization.hierarchy.PrefixHierarchy;
import org.phrcloud.research.anonymization.hierarchy.TableHierarchy;
import org.phrcloud.research.anonymization.privacy.DistinctLDiversity;
import org.phrcloud.research.anonymization.privacy.KAnonymity;
import org.phrcloud.research.anonymization.privacy.PrivacyModel;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * OLA (monotone criteria, predictive tagging) and best-first search give the same optimal node on random tables
 * with four quasi-identifiers (a lattice of 240 nodes); OLA checks fewer nodes where the optimum is high.
 */
class LatticeSearchTest {
    private static final List<String> COLUMNS = List.of("age", "zip", "sex", "admitted", "diagnosis");

    private static Table table(int n, Random random) {
        String[] diagnoses = {"E11", "I10", "J45", "C50", "F32", "N18"};
        List<List<String>> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add(List.of(String.valueOf(18 + random.nextInt(70)), String.format("%05d", 47000 + random.nextInt(900)),
                    random.nextBoolean() ? "F" : "M", LocalDate.of(2020, 1, 1).plusDays(random.nextInt(1500)).toString(),
                    diagnoses[random.nextInt(diagnoses.length)]));
        }
        return new Table(COLUMNS, rows);
    }

    private static LinkedHashMap<String, Hierarchy> hierarchies() {
        LinkedHashMap<String, Hierarchy> h = new LinkedHashMap<>();
        h.put("age", IntervalHierarchy.ageBands());
        h.put("zip", new PrefixHierarchy(5));
        h.put("sex", TableHierarchy.parse(List.of("F", "M")));
        h.put("admitted", new DateHierarchy());
        return h;
    }

    @Test
    void olaAndBestFirstAgreeOnTheOptimum() {
        int searches = 0;
        int olaChecks = 0;
        int bestFirstChecks = 0;
        for (int seed = 1; seed <= 8; seed++) {
            Table input = table(200 + 100 * seed, new Random(seed));
            for (double suppression : new double[]{0.0, 0.05}) {
                for (List<PrivacyModel> models : List.of(List.<PrivacyModel>of(new KAnonymity(2 + seed % 4)),
                        List.<PrivacyModel>of(new KAnonymity(5), new DistinctLDiversity("diagnosis", 2 + seed % 2)))) {
                    FullDomainGeneralization ola = new FullDomainGeneralization().using(FullDomainGeneralization.Strategy.OLA);
                    FullDomainGeneralization bestFirst = new FullDomainGeneralization().using(FullDomainGeneralization.Strategy.BEST_FIRST);
                    Optional<Anonymization> a = ola.anonymize(input, List.of(), hierarchies(), models, suppression);
                    Optional<Anonymization> b = bestFirst.anonymize(input, List.of(), hierarchies(), models, suppression);

                    assertThat(a.map(Anonymization::description)).as("seed %d, suppression %s, %s", seed, suppression, models)
                            .isPresent().isEqualTo(b.map(Anonymization::description));
                    assertThat(a.map(x -> x.release().rows())).isEqualTo(b.map(x -> x.release().rows()));
                    searches++;
                    olaChecks += ola.nodesChecked();
                    bestFirstChecks += bestFirst.nodesChecked();
                }
            }
        }
        System.out.printf("lattice of 240 nodes, %d searches: OLA checked %d nodes, best first %d%n", searches, olaChecks, bestFirstChecks);
        assertThat(searches).isEqualTo(32);
    }

    @Test
    void olaTagsInsteadOfCheckingWhenTheOptimumIsHigh() {
        Table input = table(400, new Random(99));
        List<PrivacyModel> strict = List.of(new KAnonymity(60)); // needs heavy generalization
        FullDomainGeneralization ola = new FullDomainGeneralization().using(FullDomainGeneralization.Strategy.OLA);
        FullDomainGeneralization bestFirst = new FullDomainGeneralization().using(FullDomainGeneralization.Strategy.BEST_FIRST);

        String a = ola.anonymize(input, List.of(), hierarchies(), strict, 0.0).orElseThrow().description();
        String b = bestFirst.anonymize(input, List.of(), hierarchies(), strict, 0.0).orElseThrow().description();

        assertThat(a).isEqualTo(b);
        assertThat(ola.nodesChecked()).isLessThan(bestFirst.nodesChecked());
        System.out.printf("k = 60 on 400 records: OLA checked %d of 240 nodes, best first %d (optimum %s)%n",
                ola.nodesChecked(), bestFirst.nodesChecked(), a);
    }

    @Test
    void aTopThatFailsEndsTheSearchAfterOneCheck() {
        FullDomainGeneralization ola = new FullDomainGeneralization().using(FullDomainGeneralization.Strategy.OLA);

        assertThat(ola.anonymize(table(20, new Random(7)), List.of(), hierarchies(), List.of(new KAnonymity(50)), 0.0)).isEmpty();
        assertThat(ola.nodesChecked()).isEqualTo(1);
    }
}
