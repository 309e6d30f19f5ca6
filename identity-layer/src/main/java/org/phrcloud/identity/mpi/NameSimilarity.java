package org.phrcloud.identity.mpi;

import org.apache.commons.text.similarity.JaroWinklerSimilarity;

import java.text.Normalizer;
import java.util.Locale;

/**
 * Scores how much two people's demographics agree, for ranked matching: Jaro-Winkler similarity (Winkler 1990,
 * "String comparator metrics and enhanced decision rules in the Fellegi-Sunter model of record linkage") of the
 * family name (weight 0.5) and of the first given name (0.35), plus 0.15 when the gender is the same. Names are
 * compared without accents, case and punctuation. Result: 0 to 1.
 */
final class NameSimilarity {
    private static final JaroWinklerSimilarity JARO_WINKLER = new JaroWinklerSimilarity();

    private NameSimilarity() {
    }

    static double score(Demographics query, Demographics candidate) {
        double family = similarity(query.family(), candidate.family());
        double given = similarity(first(query), first(candidate));
        double gender = query.gender() != null && query.gender() == candidate.gender() ? 1 : 0;
        return 0.5 * family + 0.35 * given + 0.15 * gender;
    }

    private static String first(Demographics d) {
        return d.given().isEmpty() ? null : d.given().get(0);
    }

    private static double similarity(String a, String b) {
        if (a == null || b == null) {
            return 0;
        }
        return JARO_WINKLER.apply(normalize(a), normalize(b));
    }

    static String normalize(String name) {
        return Normalizer.normalize(name, Normalizer.Form.NFKD).replaceAll("\\p{M}", "")
                .toUpperCase(Locale.ROOT).replaceAll("[^\\p{L}]", "");
    }
}
