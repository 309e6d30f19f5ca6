package org.phrcloud.research.dataset;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.phrcloud.research.anonymization.hierarchy.IntervalHierarchy;
import org.phrcloud.research.anonymization.hierarchy.TableHierarchy;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a researcher asks for: which patients (a cohort within the research pool of one of their studies), which
 * attributes of each, how each is treated, and the privacy model the release must satisfy. One record per patient
 * (person, i.e. pseudonym).
 *
 * @param study            id of the researcher's study whose research pool (HRESCH consents in force) is drawn from
 * @param purpose          what the data set is for, 1 to 1000 characters (kept in the provenance)
 * @param cohort           FHIR R4 searches that every included patient must match, AND-ed, each
 *                         {@code Type?params} on a type of the Patient compartment ({@code Patient?} may be left out),
 *                         e.g. {@code Patient?birthdate=le1980-01-01},
 *                         {@code Condition?code=http://snomed.info/sct|44054006},
 *                         {@code Observation?code=http://loinc.org|4548-4&value-quantity=gt7}; at most 10, each at most
 *                         2000 characters; none: the whole pool
 * @param attributes       1 to 30 columns of the release
 * @param k                k-anonymity (Sweeney 2002), 2 to 1000: every equivalence class has at least k records
 * @param l                l-diversity (Machanavajjhala et al. 2007) of every sensitive attribute, 2 to 100; null: none
 * @param lModel           {@code distinct} (default) or {@code entropy}
 * @param t                t-closeness (Li et al. 2007) of every sensitive attribute, in (0, 1]; null: none. Earth
 *                         mover's distance with equal ground distance for codes, ordered distance for numbers
 * @param suppressionLimit share of records that may be suppressed, 0 to 0.5; default 0.1 with full-domain
 *                         generalization; Mondrian suppresses nothing (only 0 is accepted)
 * @param algorithm        {@code full-domain} (default: optimal full-domain generalization, OLA) or {@code mondrian}
 *                         (multidimensional partitioning)
 * @param riskThreshold    prosecutor risk above which a record counts as at risk in the risk report, in (0, 1];
 *                         default 0.2 (El Emam and Dankar 2008)
 */
public record DataSetRequest(String study, String purpose, List<String> cohort, List<Attribute> attributes, Integer k, Integer l,
                             String lModel, Double t, Double suppressionLimit, String algorithm, Double riskThreshold) {

    /** Sources that are numbers (ranges in Mondrian; {@code bands} in full-domain generalization). */
    private static final Set<String> NUMERIC = Set.of("age");
    private static final Set<String> SOURCES = Set.of("pseudonym", "age", "birthDate", "sex", "postalCode", "condition");
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,39}");
    private static final Pattern OBSERVATION = Pattern.compile("observation:([^|\\s]+)\\|([^|\\s]+)");

    /** How an attribute is treated (ISO/IEC 20889:2018 terms). */
    public enum AttributeClass {
        /** Replaced by a keyed-hash pseudonym, new key per data set. */
        IDENTIFIER,
        /** Generalized until the privacy model holds. */
        QUASI_IDENTIFIER,
        /** Kept, protected by l-diversity and t-closeness. */
        SENSITIVE,
        /** Kept as is. */
        INSENSITIVE;

        public static AttributeClass of(String code) {
            return switch (code == null ? "" : code) {
                case "identifier" -> IDENTIFIER;
                case "quasi-identifier" -> QUASI_IDENTIFIER;
                case "sensitive" -> SENSITIVE;
                case "insensitive" -> INSENSITIVE;
                default -> throw invalid("PHR-RESEARCH-1004: class is identifier, quasi-identifier, sensitive or insensitive");
            };
        }
    }

    /**
     * One column of the release.
     *
     * @param name           column name, {@code [a-z][a-z0-9_]{0,39}}, unique
     * @param source         {@code pseudonym} (the patient's pseudonym; class identifier only), {@code age} (whole years
     *                       at the time of the request, from Patient.birthDate), {@code birthDate} (ISO 8601 date),
     *                       {@code sex} (Patient.gender), {@code postalCode} (Patient.address[0].postalCode),
     *                       {@code condition} (code of the latest Condition, by recordedDate or onset), or
     *                       {@code observation:<system>|<code>} (value of the latest Observation with that code, a number)
     * @param attributeClass JSON {@code class}: identifier, quasi-identifier, sensitive or insensitive
     * @param bands          numeric sources as quasi-identifiers in full-domain generalization: band widths per level,
     *                       each a multiple of the one before (default for age: 5, 10, 20 years)
     * @param hierarchy      a categorical quasi-identifier's generalization hierarchy, one line per value
     *                       {@code value;level1;level2...} (format of {@code TableHierarchy}); default: the built-in one
     *                       (dates: month, year; postal codes: masking trailing characters; sex and codes: the value,
     *                       then suppressed)
     */
    public record Attribute(String name, String source, @JsonProperty("class") String attributeClass, List<Integer> bands,
                            List<String> hierarchy) {

        public AttributeClass classification() {
            return AttributeClass.of(attributeClass);
        }

        public boolean numeric() {
            return NUMERIC.contains(source) || source.startsWith("observation:");
        }

        /** For {@code observation:<system>|<code>}: {@code [system, code]}; else null. */
        public String[] observationCode() {
            var m = OBSERVATION.matcher(source);
            return m.matches() ? new String[] {m.group(1), m.group(2)} : null;
        }
    }

    public String lModelOrDefault() {
        return lModel == null ? "distinct" : lModel;
    }

    public String algorithmOrDefault() {
        return algorithm == null ? "full-domain" : algorithm;
    }

    public double suppressionLimitOrDefault() {
        return suppressionLimit != null ? suppressionLimit : "mondrian".equals(algorithmOrDefault()) ? 0 : 0.1;
    }

    public double riskThresholdOrDefault() {
        return riskThreshold == null ? 0.2 : riskThreshold;
    }

    public List<String> cohortOrEmpty() {
        return cohort == null ? List.of() : cohort;
    }

    /** The attributes of one class, in request order. */
    public List<Attribute> ofClass(AttributeClass c) {
        return attributes.stream().filter(a -> a.classification() == c).toList();
    }

    /** @throws ResearchException INVALID with a {@code PHR-RESEARCH-10nn} message for the first thing not well formed */
    public void validate() {
        if (study == null || study.isBlank()) {
            throw invalid("PHR-RESEARCH-1001: study is required (the id of one of your studies)");
        }
        if (purpose == null || purpose.isBlank() || purpose.length() > 1000) {
            throw invalid("PHR-RESEARCH-1002: purpose is 1 to 1000 characters");
        }
        if (attributes == null || attributes.isEmpty() || attributes.size() > 30) {
            throw invalid("PHR-RESEARCH-1003: ask for 1 to 30 attributes");
        }
        Set<String> names = new HashSet<>();
        for (Attribute a : attributes) {
            if (a == null || a.name() == null || !NAME.matcher(a.name()).matches() || !names.add(a.name())) {
                throw invalid("PHR-RESEARCH-1005: attribute names are unique and match [a-z][a-z0-9_]{0,39}");
            }
            if (a.source() == null || !SOURCES.contains(a.source()) && a.observationCode() == null) {
                throw invalid("PHR-RESEARCH-1006: attribute " + a.name() + ": source is one of " + new java.util.TreeSet<>(SOURCES)
                        + " or observation:<system>|<code>");
            }
            AttributeClass c = a.classification();
            if (c == AttributeClass.IDENTIFIER != "pseudonym".equals(a.source())) {
                throw invalid("PHR-RESEARCH-1007: attribute " + a.name() + ": the pseudonym is the only identifier, and it is always class identifier");
            }
            if (a.bands() != null && (!a.numeric() || a.bands().isEmpty() || a.bands().stream().anyMatch(w -> w == null || w < 1)
                    || !formIntervalHierarchy(a.bands()))) {
                throw invalid("PHR-RESEARCH-1008: attribute " + a.name() + ": bands are positive widths, each a multiple of the one "
                        + "before, for numeric sources");
            }
            if (a.hierarchy() != null && (a.numeric() || c != AttributeClass.QUASI_IDENTIFIER || a.hierarchy().size() > 100_000)) {
                throw invalid("PHR-RESEARCH-1009: attribute " + a.name() + ": a hierarchy is for categorical quasi-identifiers (at most 100000 lines)");
            }
            if (a.hierarchy() != null) {
                try {
                    TableHierarchy.parse(a.hierarchy());
                } catch (IllegalArgumentException e) {
                    throw invalid("PHR-RESEARCH-1028: attribute " + a.name() + ": the hierarchy is not a table of lines "
                            + "value;level 1;...;level n (" + e.getMessage() + ")");
                }
            }
        }
        if (ofClass(AttributeClass.QUASI_IDENTIFIER).isEmpty()) {
            throw invalid("PHR-RESEARCH-1010: name at least one quasi-identifier");
        }
        if (k == null || k < 2 || k > 1000) {
            throw invalid("PHR-RESEARCH-1011: k is 2 to 1000");
        }
        if ((l != null || t != null) && ofClass(AttributeClass.SENSITIVE).isEmpty()) {
            throw invalid("PHR-RESEARCH-1012: l-diversity and t-closeness protect sensitive attributes: name at least one");
        }
        if (l != null && (l < 2 || l > 100)) {
            throw invalid("PHR-RESEARCH-1013: l is 2 to 100");
        }
        if (!Set.of("distinct", "entropy").contains(lModelOrDefault())) {
            throw invalid("PHR-RESEARCH-1014: lModel is distinct or entropy");
        }
        if (t != null && !(t > 0 && t <= 1)) {
            throw invalid("PHR-RESEARCH-1015: t is in (0, 1]");
        }
        if (!Set.of("full-domain", "mondrian").contains(algorithmOrDefault())) {
            throw invalid("PHR-RESEARCH-1016: algorithm is full-domain or mondrian");
        }
        double s = suppressionLimitOrDefault();
        if (!(s >= 0 && s <= 0.5) || "mondrian".equals(algorithmOrDefault()) && s != 0) {
            throw invalid("PHR-RESEARCH-1017: suppressionLimit is 0 to 0.5 (0 with mondrian, which suppresses nothing)");
        }
        if (!(riskThresholdOrDefault() > 0 && riskThresholdOrDefault() <= 1)) {
            throw invalid("PHR-RESEARCH-1018: riskThreshold is in (0, 1]");
        }
        if (cohortOrEmpty().size() > 10 || cohortOrEmpty().stream().anyMatch(q -> q == null || q.isBlank() || q.length() > 2000)) {
            throw invalid("PHR-RESEARCH-1019: cohort is at most 10 FHIR searches of at most 2000 characters each");
        }
        for (Attribute a : attributes) {
            if (a.classification() == AttributeClass.QUASI_IDENTIFIER && a.source().startsWith("observation:")
                    && a.bands() == null && !"mondrian".equals(algorithmOrDefault())) {
                throw invalid("PHR-RESEARCH-1020: attribute " + a.name() + ": a numeric quasi-identifier needs bands in full-domain generalization");
            }
        }
    }

    /** Whether positive band widths make an {@link IntervalHierarchy} (each a multiple of the one before), as the job builds it. */
    private static boolean formIntervalHierarchy(List<Integer> bands) {
        try {
            new IntervalHierarchy(bands.stream().mapToInt(Integer::intValue).toArray());
            return true;
        } catch (IllegalArgumentException notNested) {
            return false;
        }
    }

    /** The resource type a cohort search is on: {@code Type?...}, or Patient when it starts with the parameters. */
    public static String cohortType(String search) {
        String s = search.strip();
        int q = s.indexOf('?');
        if (q > 0 && !s.substring(0, q).contains("=")) {
            return s.substring(0, q);
        }
        return "Patient";
    }

    /** The search as {@code Type?params}. */
    public static String cohortUrl(String search) {
        String s = search.strip();
        String type = cohortType(s);
        String params = s.startsWith(type + "?") ? s.substring(type.length() + 1) : s.startsWith("?") ? s.substring(1) : s;
        return type + "?" + params;
    }

    static ResearchException invalid(String message) {
        return new ResearchException(message);
    }

    @Override
    public String toString() {
        return "DataSetRequest[study=" + study + ", attributes=" + attributes.size() + ", k=" + k + ", l=" + l
                + ", algorithm=" + algorithmOrDefault().toLowerCase(Locale.ROOT) + "]";
    }
}
