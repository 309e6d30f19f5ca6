package org.phrcloud.consent;

import org.apache.commons.math3.stat.inference.ChiSquareTest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.BiFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The research draw is uniform: chi-squared goodness-of-fit tests (Pearson) on how often each patient and each subset
 * is drawn, at significance 0.001, with fixed seeds so that the figures are reproducible; and the same tests reject a
 * draw with an ordering bias, so they can fail.
 */
class ResearchDrawTest {
    private static final double ALPHA = 0.001;
    private static final List<String> ELIGIBLE = List.of("p00", "p01", "p02", "p03", "p04", "p05", "p06", "p07", "p08", "p09");

    @Test
    void everyPatientIsDrawnEquallyOftenWhateverTheOrderTheyComeIn() {
        List<String> reversed = new ArrayList<>(ELIGIBLE);
        Collections.reverse(reversed);
        for (List<String> order : List.of(ELIGIBLE, reversed)) {
            double p = inclusionPValue(order, 30_000, new Random(20261124L), (list, random) -> ResearchDraw.draw(list, 3, random));
            System.out.printf("research draw, inclusion of 10 patients over 30000 draws of 3: p = %.4f%n", p);
            assertThat(p).isGreaterThan(ALPHA);
        }
    }

    @Test
    void everySubsetOfTheRequestedSizeIsEquallyLikely() {
        Random random = new Random(7L);
        Map<String, Long> counts = new HashMap<>();
        int draws = 60_000;
        for (int i = 0; i < draws; i++) {
            counts.merge(String.join(",", new TreeSet<>(ResearchDraw.draw(ELIGIBLE, 3, random))), 1L, Long::sum);
        }
        assertThat(counts).as("C(10,3) subsets, all reached").hasSize(120);
        double p = pValue(counts.values().stream().mapToLong(Long::longValue).toArray());
        System.out.printf("research draw, 120 subsets over 60000 draws: p = %.4f%n", p);
        assertThat(p).isGreaterThan(ALPHA);
    }

    @Test
    void theTestsRejectADrawWithAnOrderingBias() {
        // a plausible mistake: one random swap into the first places, so the patients listed first are drawn far more often
        double p = inclusionPValue(ELIGIBLE, 30_000, new Random(1L), (list, random) -> {
            List<String> copy = new ArrayList<>(list);
            Collections.swap(copy, 0, random.nextInt(copy.size()));
            return copy.subList(0, 3);
        });
        assertThat(p).isLessThan(ALPHA);
    }

    @Test
    void drawsAreDistinctAndBounded() {
        assertThat(ResearchDraw.draw(List.of("a", "b", "a", "c"), 3)).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(ResearchDraw.draw(ELIGIBLE, 0)).isEmpty();
        assertThatThrownBy(() -> ResearchDraw.draw(ELIGIBLE, 11)).hasMessageStartingWith("PHR-CONSENT-0210");
        assertThatThrownBy(() -> ResearchDraw.draw(ELIGIBLE, -1)).hasMessageStartingWith("PHR-CONSENT-0210");
    }

    private static double inclusionPValue(List<String> eligible, int draws, Random random,
                                          BiFunction<List<String>, Random, List<String>> draw) {
        long[] counts = new long[eligible.size()];
        List<String> sorted = new ArrayList<>(new TreeSet<>(eligible));
        for (int i = 0; i < draws; i++) {
            for (String drawn : draw.apply(eligible, random)) {
                counts[sorted.indexOf(drawn)]++;
            }
        }
        return pValue(counts);
    }

    /** Pearson's chi-squared test of equal frequencies. */
    private static double pValue(long[] observed) {
        double[] expected = new double[observed.length];
        java.util.Arrays.fill(expected, 1.0);
        return new ChiSquareTest().chiSquareTest(expected, observed);
    }
}
