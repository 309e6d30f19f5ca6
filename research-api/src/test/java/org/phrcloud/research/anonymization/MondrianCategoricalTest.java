package org.phrcloud.research.anonymization;

import org.junit.jupiter.api.Test;
import org.phrcloud.research.anonymization.algorithm.Anonymization;
import org.phrcloud.research.anonymization.algorithm.FullDomainGeneralization;
import org.phrcloud.research.anonymization.algorithm.Mondrian;
import org.phrcloud.research.anonymization.hierarchy.Hierarchy;
import org.phrcloud.research.anonymization.hierarchy.PrefixHierarchy;
import org.phrcloud.research.anonymization.hierarchy.TableHierarchy;
import org.phrcloud.research.anonymization.privacy.DistinctLDiversity;
import org.phrcloud.research.anonymization.privacy.KAnonymity;
import org.phrcloud.research.anonymization.privacy.PrivacyModel;
import org.phrcloud.research.anonymization.release.ReleaseChecker;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Mondrian with categorical quasi-identifiers split along their hierarchies (LeFevre et al. 2006, section 4). */
class MondrianCategoricalTest {
    private static final List<String> COLUMNS = List.of("age", "zip", "sex", "diagnosis");
    private static final TableHierarchy ICD10 = TableHierarchy.parse(List.of(
            "E11.9;E11;E00-E90", "E10.9;E10;E00-E90", "I10;I10;I00-I99", "I21.0;I21;I00-I99", "J45.9;J45;J00-J99",
            "J44.9;J44;J00-J99"));

    private static Table table(int n, Random random) {
        String[] codes = {"E11.9", "E10.9", "I10", "I21.0", "J45.9", "J44.9"};
        List<List<String>> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add(List.of(String.valueOf(18 + random.nextInt(70)), String.format("%05d", 47000 + random.nextInt(900)),
                    random.nextBoolean() ? "F" : "M", codes[random.nextInt(codes.length)]));
        }
        return new Table(COLUMNS, rows);
    }

    private static LinkedHashMap<String, Hierarchy> categorical() {
        LinkedHashMap<String, Hierarchy> h = new LinkedHashMap<>();
        h.put("zip", new PrefixHierarchy(5));
        h.put("sex", TableHierarchy.parse(List.of("F", "M")));
        return h;
    }

    @Test
    void releasesPartitionsThatPassTheCheckerWithLabelsFromTheHierarchies() {
        Table input = table(600, new Random(11));
        List<PrivacyModel> models = List.of(new KAnonymity(5), new DistinctLDiversity("diagnosis", 2));

        Anonymization a = new Mondrian().anonymize(input, List.of(), List.of("age"), categorical(), models).orElseThrow();

        assertThat(ReleaseChecker.check(a.release(), List.of("age", "zip", "sex"), models).passed()).isTrue();
        assertThat(a.release().size()).isEqualTo(600);
        PrefixHierarchy zip = new PrefixHierarchy(5);
        // the release lists rows partition by partition: every original zip has a released label that generalizes it,
        // and every label is a prefix mask
        java.util.Map<String, List<String>> zipsByLabel = new java.util.HashMap<>();
        for (List<String> row : a.release().rows()) {
            zipsByLabel.computeIfAbsent(row.get(1), k -> new ArrayList<>());
        }
        for (List<String> original : input.rows()) {
            long labelsCovering = zipsByLabel.keySet().stream().filter(label -> java.util.stream.IntStream
                    .rangeClosed(0, zip.height()).mapToObj(l -> zip.generalize(original.get(1), l)).anyMatch(label::equals)).count();
            assertThat(labelsCovering).as("labels covering %s", original.get(1)).isPositive();
        }
        assertThat(zipsByLabel.keySet()).allMatch(label -> label.matches("[0-9]*\\**") && label.length() == 5 || label.equals("*"));
        assertThat(a.release().rows().stream().map(r -> r.get(2)).distinct()).isSubsetOf("F", "M", "*");
        assertThat(a.informationLoss()).isBetween(0.0, 1.0);
    }

    @Test
    void multidimensionalPartitionsKeepMoreDetailThanFullDomainGeneralization() {
        for (int seed = 1; seed <= 5; seed++) {
            Table input = table(400 + 100 * seed, new Random(seed));
            List<PrivacyModel> models = List.of(new KAnonymity(5));
            LinkedHashMap<String, Hierarchy> numericAsTable = new LinkedHashMap<>();
            numericAsTable.put("age", org.phrcloud.research.anonymization.hierarchy.IntervalHierarchy.ageBands());
            numericAsTable.putAll(categorical());

            Anonymization mondrian = new Mondrian().anonymize(input, List.of(), List.of("age"), categorical(), models).orElseThrow();
            Anonymization fullDomain = new FullDomainGeneralization().anonymize(input, List.of(), numericAsTable, models, 0.0).orElseThrow();

            assertThat(mondrian.discernibility()).as("seed %d", seed).isLessThan(fullDomain.discernibility());
        }
    }

    @Test
    void splitsACategoricalAttributeAlongItsHierarchyLevelByLevel() {
        // 4 records per code; k = 4 allows splitting chapter -> category -> code
        List<List<String>> rows = new ArrayList<>();
        for (String code : List.of("E11.9", "E10.9", "I10", "I21.0")) {
            for (int i = 0; i < 4; i++) {
                rows.add(List.of("40", "47000", "F", code));
            }
        }
        Table input = new Table(COLUMNS, rows);
        LinkedHashMap<String, Hierarchy> h = new LinkedHashMap<>();
        h.put("diagnosis", ICD10);

        Anonymization a = new Mondrian().anonymize(input, List.of(), List.of(), h, List.of(new KAnonymity(4))).orElseThrow();
        assertThat(a.release().rows().stream().map(r -> r.get(3)).distinct()).containsExactlyInAnyOrder("E11.9", "E10.9", "I10", "I21.0");

        Anonymization coarse = new Mondrian().anonymize(input, List.of(), List.of(), h, List.of(new KAnonymity(8))).orElseThrow();
        assertThat(coarse.release().rows().stream().map(r -> r.get(3)).distinct()).containsExactlyInAnyOrder("E00-E90", "I00-I99");
        assertThat(coarse.description()).isEqualTo("2 partitions");
    }
}
