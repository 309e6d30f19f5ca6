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
import org.phrcloud.research.anonymization.release.RiskReport;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The inpatient microdata of Machanavajjhala, Kifer, Gehrke, Venkitasubramaniam 2007, "l-diversity:
 * privacy beyond k-anonymity" (ACM TKDD 1(1)), figures 1 to 3, transcribed from the paper: the
 * 4-anonymous release of figure 2 falls to the homogeneity attack, the 3-diverse release of figure 3 does
 * not, and the engine finds figure 3 itself.
 */
class TextbookExamplesTest {
    static final List<String> COLUMNS = List.of("id", "zip", "age", "nationality", "condition");
    static final List<String> QIS = List.of("zip", "age", "nationality");

    /** Figure 1. Inpatient microdata (the record number stands in for a direct identifier). */
    static final Table FIGURE_1 = table(
            "1,13053,28,Russian,Heart Disease",
            "2,13068,29,American,Heart Disease",
            "3,13068,21,Japanese,Viral Infection",
            "4,13053,23,American,Viral Infection",
            "5,14853,50,Indian,Cancer",
            "6,14853,55,Russian,Heart Disease",
            "7,14850,47,American,Viral Infection",
            "8,14850,49,American,Viral Infection",
            "9,13053,31,American,Cancer",
            "10,13053,37,Indian,Cancer",
            "11,13068,36,Japanese,Cancer",
            "12,13068,35,American,Cancer");

    /** Figure 2. 4-anonymous inpatient microdata. */
    static final Table FIGURE_2 = table(
            "1,130**,<30,*,Heart Disease", "2,130**,<30,*,Heart Disease",
            "3,130**,<30,*,Viral Infection", "4,130**,<30,*,Viral Infection",
            "5,1485*,≥40,*,Cancer", "6,1485*,≥40,*,Heart Disease",
            "7,1485*,≥40,*,Viral Infection", "8,1485*,≥40,*,Viral Infection",
            "9,130**,3*,*,Cancer", "10,130**,3*,*,Cancer", "11,130**,3*,*,Cancer", "12,130**,3*,*,Cancer");

    /** Figure 3. 3-diverse inpatient microdata. */
    static final Table FIGURE_3 = table(
            "1,1305*,≤40,*,Heart Disease", "4,1305*,≤40,*,Viral Infection",
            "9,1305*,≤40,*,Cancer", "10,1305*,≤40,*,Cancer",
            "5,1485*,>40,*,Cancer", "6,1485*,>40,*,Heart Disease",
            "7,1485*,>40,*,Viral Infection", "8,1485*,>40,*,Viral Infection",
            "2,1306*,≤40,*,Heart Disease", "3,1306*,≤40,*,Viral Infection",
            "11,1306*,≤40,*,Cancer", "12,1306*,≤40,*,Cancer");

    static Table table(String... rows) {
        List<List<String>> r = new ArrayList<>();
        for (String row : rows) {
            r.add(List.of(row.split(",")));
        }
        return new Table(COLUMNS, r);
    }

    /** The generalizations the paper's figures use: the age levels of figures 2 and 3, ZIP masking, nationality suppressed. */
    static LinkedHashMap<String, Hierarchy> hierarchies() {
        LinkedHashMap<String, Hierarchy> h = new LinkedHashMap<>();
        h.put("zip", new PrefixHierarchy(5));
        h.put("age", TableHierarchy.parse(List.of(
                "# age;figure 2;figure 3",
                "21;<30;≤40", "23;<30;≤40", "28;<30;≤40", "29;<30;≤40",
                "31;3*;≤40", "35;3*;≤40", "36;3*;≤40", "37;3*;≤40",
                "47;≥40;>40", "49;≥40;>40", "50;≥40;>40", "55;≥40;>40")));
        h.put("nationality", TableHierarchy.parse(List.of("Russian", "American", "Japanese", "Indian")));
        return h;
    }

    @Test
    void figure2Is4AnonymousButFallsToTheHomogeneityAttack() {
        assertThat(ReleaseChecker.check(FIGURE_2, QIS, List.of(new KAnonymity(4))).passed()).isTrue();
        ReleaseChecker.Result diverse = ReleaseChecker.check(FIGURE_2, QIS, List.of(new DistinctLDiversity("condition", 2)));
        assertThat(diverse.passed()).isFalse();
        assertThat(diverse.violations()).singleElement().asString().contains("4 records").contains("2-diversity");
    }

    @Test
    void figure3Is4AnonymousAnd3Diverse() {
        assertThat(ReleaseChecker.check(FIGURE_3, QIS,
                List.of(new KAnonymity(4), new DistinctLDiversity("condition", 3))).passed()).isTrue();
        assertThat(ReleaseChecker.check(FIGURE_3, QIS, List.of(new KAnonymity(5))).passed()).isFalse();
    }

    @Test
    void theFullDomainSearchFindsFigure3() {
        List<PrivacyModel> models = List.of(new KAnonymity(4), new DistinctLDiversity("condition", 3));
        Anonymization a = new FullDomainGeneralization()
                .anonymize(FIGURE_1, List.of(), hierarchies(), models, 0.0).orElseThrow();

        assertThat(a.description()).isEqualTo("zip:1 age:2 nationality:1");
        assertThat(Set.copyOf(a.release().rows())).isEqualTo(Set.copyOf(FIGURE_3.rows()));
        assertThat(a.suppressedRecords()).isZero();
        assertThat(a.discernibility()).isEqualTo(3 * 16);
        assertThat(ReleaseChecker.check(a.release(), QIS, models).passed()).isTrue();
    }

    @Test
    void kAnonymityAloneCostsLessThanLDiversityAndIsHomogeneous() {
        Anonymization k = new FullDomainGeneralization()
                .anonymize(FIGURE_1, List.of(), hierarchies(), List.of(new KAnonymity(4)), 0.0).orElseThrow();
        Anonymization kl = new FullDomainGeneralization().anonymize(FIGURE_1, List.of(), hierarchies(),
                List.of(new KAnonymity(4), new DistinctLDiversity("condition", 3)), 0.0).orElseThrow();
        assertThat(ReleaseChecker.check(k.release(), QIS, List.of(new KAnonymity(4))).passed()).isTrue();
        assertThat(k.informationLoss()).isLessThanOrEqualTo(kl.informationLoss());
    }

    @Test
    void directIdentifiersAreRemovedAndTheReleaseStillChecks() {
        List<PrivacyModel> models = List.of(new KAnonymity(4), new DistinctLDiversity("condition", 3));
        Anonymization a = new FullDomainGeneralization().anonymize(FIGURE_1, List.of("id"), hierarchies(),
                models, 0.0).orElseThrow();
        assertThat(a.release().columns()).containsExactly("zip", "age", "nationality", "condition");
        assertThat(ReleaseChecker.check(a.release(), QIS, models).passed()).isTrue();
    }

    @Test
    void anOutlierIsSuppressedWithinTheLimitAndOnlyThen() {
        List<List<String>> rows = new ArrayList<>(FIGURE_1.rows());
        rows.add(List.of("13", "99999", "90", "Indian", "Cancer"));
        Table withOutlier = new Table(COLUMNS, rows);
        LinkedHashMap<String, Hierarchy> h = hierarchies();
        h.put("age", TableHierarchy.parse(List.of(
                "21;<30;≤40", "23;<30;≤40", "28;<30;≤40", "29;<30;≤40", "31;3*;≤40", "35;3*;≤40", "36;3*;≤40",
                "37;3*;≤40", "47;≥40;>40", "49;≥40;>40", "50;≥40;>40", "55;≥40;>40", "90;≥40;>40")));
        List<PrivacyModel> models = List.of(new KAnonymity(4), new DistinctLDiversity("condition", 3));

        Anonymization suppressing = new FullDomainGeneralization().anonymize(withOutlier, List.of(), h, models, 0.10).orElseThrow();
        assertThat(suppressing.suppressedRecords()).isEqualTo(1);
        assertThat(suppressing.description()).isEqualTo("zip:1 age:2 nationality:1");
        assertThat(suppressing.release().rows()).extracting(r -> r.get(0)).doesNotContain("13");

        Anonymization strict = new FullDomainGeneralization().anonymize(withOutlier, List.of(), h, models, 0.0).orElseThrow();
        assertThat(strict.suppressedRecords()).isZero();
        assertThat(strict.informationLoss()).isGreaterThan(suppressing.informationLoss());
        assertThat(ReleaseChecker.check(strict.release(), QIS, models).passed()).isTrue();
    }

    @Test
    void theCheckerRejectsATamperedRelease() {
        List<List<String>> rows = new ArrayList<>(FIGURE_3.rows());
        List<String> moved = new ArrayList<>(rows.get(0));
        moved.set(1, "1306*"); // record 1 moved from the 1305* class into the 1306* class: classes of 3 and 5
        rows.set(0, moved);
        ReleaseChecker.Result r = ReleaseChecker.check(new Table(COLUMNS, rows), QIS, List.of(new KAnonymity(4)));
        assertThat(r.passed()).isFalse();
        assertThat(r.violations()).singleElement().asString().contains("3 records");
    }

    @Test
    void mondrianPartitionsTheNumericQuasiIdentifiers() {
        Table numeric = new Table(List.of("id", "zip", "age", "condition"), FIGURE_1.rows().stream()
                .map(r -> List.of(r.get(0), r.get(1), r.get(2), r.get(4))).collect(Collectors.toList()));
        Anonymization a = new Mondrian().anonymize(numeric, List.of("id"), List.of("zip", "age"),
                List.of(new KAnonymity(4))).orElseThrow();
        assertThat(a.release().size()).isEqualTo(12);
        assertThat(a.release().columns()).containsExactly("zip", "age", "condition");
        assertThat(ReleaseChecker.check(a.release(), List.of("zip", "age"), List.of(new KAnonymity(4))).passed()).isTrue();
        assertThat(a.informationLoss()).isBetween(0.0, 1.0);
        assertThat(a.description()).isEqualTo("3 partitions");
    }

    @Test
    void theRiskReportOfFigure3() {
        RiskReport risk = RiskReport.of(FIGURE_3, QIS, 0, 0.2);
        assertThat(risk.classSizes()).containsExactly(java.util.Map.entry(4, 3));
        assertThat(risk.highestRisk()).isEqualTo(0.25);
        assertThat(risk.averageRisk()).isEqualTo(0.25);
        assertThat(risk.shareOfRecordsAtRisk()).isEqualTo(1.0);
        assertThat(RiskReport.of(FIGURE_3, QIS, 0, 0.3).shareOfRecordsAtRisk()).isZero();
    }
}
