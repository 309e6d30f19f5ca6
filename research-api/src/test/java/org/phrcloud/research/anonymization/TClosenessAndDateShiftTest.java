package org.phrcloud.research.anonymization;

import org.junit.jupiter.api.Test;
import org.phrcloud.research.anonymization.privacy.TCloseness;
import org.phrcloud.research.anonymization.release.ReleaseChecker;

import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class TClosenessAndDateShiftTest {
    private static final List<String> COLUMNS = List.of("zip", "age", "salary", "disease");

    /** Li et al. 2007, table 3 (original patients table): salary and disease of nine patients. */
    private static final Table TABLE_3 = new Table(COLUMNS, List.of(
            List.of("47677", "29", "3000", "gastric ulcer"),
            List.of("47602", "22", "4000", "gastritis"),
            List.of("47678", "27", "5000", "stomach cancer"),
            List.of("47905", "43", "6000", "gastritis"),
            List.of("47909", "52", "11000", "flu"),
            List.of("47906", "47", "8000", "bronchitis"),
            List.of("47605", "30", "7000", "bronchitis"),
            List.of("47673", "36", "9000", "pneumonia"),
            List.of("47607", "32", "10000", "stomach cancer")));

    /** Li et al. 2007, table 4 (a 0.167-closeness release w.r.t. salary): zip and age generalized. */
    private static final Table TABLE_4 = new Table(COLUMNS, List.of(
            List.of("4767*", "<=40", "3000", "gastric ulcer"),
            List.of("4767*", "<=40", "5000", "stomach cancer"),
            List.of("4767*", "<=40", "9000", "pneumonia"),
            List.of("4790*", ">=40", "6000", "gastritis"),
            List.of("4790*", ">=40", "11000", "flu"),
            List.of("4790*", ">=40", "8000", "bronchitis"),
            List.of("4760*", "<=40", "4000", "gastritis"),
            List.of("4760*", "<=40", "7000", "bronchitis"),
            List.of("4760*", "<=40", "10000", "stomach cancer")));

    private static List<List<String>> rowsWithSalaries(String... salaries) {
        List<List<String>> rows = new ArrayList<>();
        for (String s : salaries) {
            rows.add(TABLE_3.rows().stream().filter(r -> r.get(2).equals(s)).findFirst().orElseThrow());
        }
        return rows;
    }

    @Test
    void orderedDistanceReproducesThePapersExample() {
        TCloseness salary = TCloseness.orderedDistance(TABLE_3, "salary", 0.2);
        // section 4.2: P1 = {3k, 4k, 5k} is at 0.375 from the whole table, P2 = {6k, 8k, 11k} at 0.167
        assertThat(salary.distance(COLUMNS, rowsWithSalaries("3000", "4000", "5000"))).isCloseTo(0.375, within(1e-9));
        assertThat(salary.distance(COLUMNS, rowsWithSalaries("6000", "8000", "11000"))).isCloseTo(1.0 / 6, within(1e-9));
        assertThat(salary.distance(COLUMNS, TABLE_3.rows())).isCloseTo(0, within(1e-12));
        assertThat(salary.order()).startsWith("3000", "4000").endsWith("10000", "11000"); // numeric, not text, order
    }

    @Test
    void thePapersTable4Is0167CloseInSalaryAndTheCheckerSaysSo() {
        List<String> quasiIdentifiers = List.of("zip", "age");

        assertThat(ReleaseChecker.check(TABLE_4, quasiIdentifiers,
                List.of(TCloseness.orderedDistance(TABLE_3, "salary", 0.167))).passed()).isTrue();
        ReleaseChecker.Result stricter = ReleaseChecker.check(TABLE_4, quasiIdentifiers,
                List.of(TCloseness.orderedDistance(TABLE_3, "salary", 0.16)));
        assertThat(stricter.passed()).isFalse();
        assertThat(stricter.violations()).hasSize(2); // {3k, 5k, 9k} and {6k, 8k, 11k} are at 1/6; {4k, 7k, 10k} at 1/12
    }

    @Test
    void equalDistanceIsTheVariationalDistance() {
        TCloseness disease = TCloseness.equalDistance(TABLE_3, "disease", 0.4);
        // {gastric ulcer, gastritis, stomach cancer}: p = (1/3, 1/3, 1/3, 0, 0, 0), q = (1/9, 2/9, 2/9, 1/9, 2/9, 1/9): 4/9
        double expected = 0.5 * (Math.abs(1.0 / 3 - 1.0 / 9) + Math.abs(1.0 / 3 - 2.0 / 9) + Math.abs(1.0 / 3 - 2.0 / 9)
                + 1.0 / 9 + 2.0 / 9 + 1.0 / 9);
        assertThat(disease.distance(COLUMNS, rowsWithSalaries("3000", "4000", "5000"))).isCloseTo(expected, within(1e-9)).isCloseTo(4.0 / 9, within(1e-9));
        assertThat(disease.isSatisfiedBy(COLUMNS, rowsWithSalaries("3000", "4000", "5000"))).isFalse();
        assertThat(disease.isSatisfiedBy(COLUMNS, TABLE_3.rows())).isTrue();
    }

    @Test
    void refusesWhatItCannotMeasure() {
        assertThatThrownBy(() -> TCloseness.orderedDistance(TABLE_3, "salary", 1.5)).hasMessageStartingWith("PHR-RESEARCH-0203");
        TCloseness salary = TCloseness.orderedDistance(TABLE_3, "salary", 0.2);
        assertThatThrownBy(() -> salary.distance(COLUMNS, List.of(List.of("47677", "29", "12345", "flu"))))
                .hasMessageStartingWith("PHR-RESEARCH-0204");
    }

    private static final byte[] KEY = "a date shift key of thirty-two b".getBytes();

    @Test
    void datesOfOnePatientMoveTogetherWithinTheRange() {
        Table visits = new Table(List.of("patient", "birthDate", "visit"), List.of(
                List.of("p1", "1984-03-17", "2024-01-31"),
                List.of("p1", "1984-03-17", "2024-03-01"),
                List.of("p2", "1979-11-02", ""),
                List.of("p3", "2001-02-28", "2024-02-29")));
        DateShift shift = new DateShift(KEY, 180);

        Table shifted = shift.apply(visits, "patient", List.of("birthDate", "visit"));

        for (int i = 0; i < visits.size(); i++) {
            String patient = visits.rows().get(i).get(0);
            long days = ChronoUnit.DAYS.between(LocalDate.parse(visits.rows().get(i).get(1)), LocalDate.parse(shifted.rows().get(i).get(1)));
            assertThat(days).isEqualTo(shift.days(patient)).isBetween(-180L, 180L).isNotZero();
        }
        long before = ChronoUnit.DAYS.between(LocalDate.parse("2024-01-31"), LocalDate.parse("2024-03-01"));
        long after = ChronoUnit.DAYS.between(LocalDate.parse(shifted.rows().get(0).get(2)), LocalDate.parse(shifted.rows().get(1).get(2)));
        assertThat(after).isEqualTo(before); // intervals within a record are kept
        assertThat(shifted.rows().get(2).get(2)).isEmpty();
        assertThat(new DateShift(KEY, 180).apply(visits, "patient", List.of("birthDate", "visit"))).isEqualTo(shifted);
    }

    @Test
    void patientsAndKeysGetTheirOwnShifts() {
        DateShift shift = new DateShift(KEY, 30);
        DateShift otherRelease = new DateShift("another key of thirty-two bytes!".getBytes(), 30);
        Set<Integer> seen = new HashSet<>();
        int sameUnderAnotherKey = 0;
        for (int p = 0; p < 2000; p++) {
            int days = shift.days("patient-" + p);
            assertThat(days).isBetween(-30, 30).isNotZero();
            seen.add(days);
            if (otherRelease.days("patient-" + p) == days) {
                sameUnderAnotherKey++;
            }
        }
        assertThat(seen).hasSize(60); // every shift in [-30, -1] and [1, 30] is drawn among 2,000 patients
        assertThat(sameUnderAnotherKey).isLessThan(70); // about 2,000 / 60 = 33 by chance
    }

    @Test
    void refusesWeakKeysAndValuesThatAreNotDates() {
        assertThatThrownBy(() -> new DateShift(new byte[16], 30)).hasMessageStartingWith("PHR-RESEARCH-0005");
        assertThatThrownBy(() -> new DateShift(KEY, 0)).hasMessageStartingWith("PHR-RESEARCH-0006");
        Table bad = new Table(List.of("patient", "visit"), List.of(List.of("p1", "31/01/2024")));
        assertThatThrownBy(() -> new DateShift(KEY, 30).apply(bad, "patient", List.of("visit"))).hasMessageStartingWith("PHR-RESEARCH-0007");
    }
}
