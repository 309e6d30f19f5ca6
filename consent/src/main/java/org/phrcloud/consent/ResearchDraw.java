package org.phrcloud.consent;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

/**
 * Draws the patients a research study asks for consent: a simple random sample without replacement, every subset of
 * the requested size equally likely, whatever order the eligible patients come in.
 *
 * <p>The eligible set is first put in a canonical (sorted) order, then shuffled with {@link Collections#shuffle(List,
 * Random)} (Fisher-Yates, Knuth TAOCP vol. 2, algorithm 3.4.2 P: each permutation equally likely given a uniform source)
 * and the first {@code n} taken. In production the source is a {@link SecureRandom}, so a researcher cannot predict or
 * steer who is drawn.
 */
public final class ResearchDraw {
    private ResearchDraw() {
    }

    /**
     * @param eligible the eligible patients (pseudonyms); duplicates count once
     * @param n        how many to draw, 0 to the number of distinct eligible
     * @param random   the source of randomness
     * @return {@code n} distinct elements of {@code eligible}, in draw order
     * @throws IllegalArgumentException if {@code n} is negative or larger than the eligible set
     */
    public static <T extends Comparable<T>> List<T> draw(Collection<T> eligible, int n, Random random) {
        List<T> pool = new ArrayList<>(new TreeSet<>(eligible));
        if (n < 0 || n > pool.size()) {
            throw new IllegalArgumentException("PHR-CONSENT-0210: cannot draw " + n + " of " + pool.size() + " eligible patients");
        }
        Collections.shuffle(pool, random);
        return List.copyOf(pool.subList(0, n));
    }

    /** {@link #draw(Collection, int, Random)} with a fresh {@link SecureRandom}. */
    public static <T extends Comparable<T>> List<T> draw(Collection<T> eligible, int n) {
        return draw(eligible, n, new SecureRandom());
    }
}
