package org.phrcloud.research.anonymization.benchmark;

import org.phrcloud.research.anonymization.Table;
import org.phrcloud.research.anonymization.algorithm.Anonymization;
import org.phrcloud.research.anonymization.algorithm.FullDomainGeneralization;
import org.phrcloud.research.anonymization.algorithm.Mondrian;
import org.phrcloud.research.anonymization.hierarchy.Hierarchy;
import org.phrcloud.research.anonymization.hierarchy.IntervalHierarchy;
import org.phrcloud.research.anonymization.hierarchy.PrefixHierarchy;
import org.phrcloud.research.anonymization.hierarchy.TableHierarchy;
import org.phrcloud.research.anonymization.privacy.DistinctLDiversity;
import org.phrcloud.research.anonymization.privacy.KAnonymity;
import org.phrcloud.research.anonymization.privacy.PrivacyModel;
import org.phrcloud.research.anonymization.release.ReleaseChecker;
import org.phrcloud.research.anonymization.release.RiskReport;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Random;

/**
 * Research issue benchmark: 100,000 generated records (seeded), k = 5 and distinct l = 2, both
 * algorithms; prints time, peak heap, information loss and risk. Not part of the test run:
 * {@code ./mvnw -pl research-api -Pbenchmark test-compile exec:java} (optionally {@code -Dbenchmark.records=N}).
 */
public final class AnonymizationBenchmark {
    private static final String[] ICD10 = {"E11.9", "E10.9", "I10", "I21.0", "I25.1", "J45.9", "J44.9", "C50.9", "C34.9",
            "K21.9", "M54.5", "F32.9", "N18.3", "G40.9", "B20", "O80", "S72.0", "Z00.0"};

    private AnonymizationBenchmark() {
    }

    public static void main(String[] args) {
        int n = Integer.getInteger("benchmark.records", 100_000);
        Table data = generate(n, new Random(20261123));
        List<PrivacyModel> models = List.of(new KAnonymity(5), new DistinctLDiversity("diagnosis", 2));
        System.out.printf("records %,d; k=5, distinct l=2; quasi-identifiers age, zip, sex; sensitive diagnosis%n", n);

        LinkedHashMap<String, Hierarchy> hierarchies = new LinkedHashMap<>();
        hierarchies.put("age", IntervalHierarchy.ageBands());
        hierarchies.put("zip", new PrefixHierarchy(5));
        hierarchies.put("sex", TableHierarchy.parse(List.of("F", "M")));
        run("full-domain (optimal Prec, 5% suppression)", () -> new FullDomainGeneralization()
                .anonymize(data, List.of("name"), hierarchies, models, 0.05).orElseThrow(), models, List.of("age", "zip", "sex"));

        Table numeric = new Table(data.columns(), data.rows().stream()
                .map(r -> List.of(r.get(0), r.get(1), r.get(2), r.get(3).equals("F") ? "0" : "1", r.get(4))).toList());
        run("Mondrian (strict, numeric age, zip, sex)", () -> new Mondrian()
                .anonymize(numeric, List.of("name"), List.of("age", "zip", "sex"), models).orElseThrow(), models, List.of("age", "zip", "sex"));
    }

    private static void run(String name, java.util.function.Supplier<Anonymization> algorithm, List<PrivacyModel> models,
                            List<String> qis) {
        System.gc();
        resetPeaks();
        long start = System.nanoTime();
        Anonymization a = algorithm.get();
        long millis = (System.nanoTime() - start) / 1_000_000;
        boolean checked = ReleaseChecker.check(a.release(), qis, models).passed();
        RiskReport risk = RiskReport.of(a.release(), qis, a.suppressedRecords(), 0.2);
        System.out.printf("%-45s %,7d ms  peak heap %,6d MB  loss %.3f  DM %,d  suppressed %,d  classes %,d  "
                        + "highest risk %.3f  average risk %.4f  checker %s  (%s)%n",
                name, millis, peakHeapMb(), a.informationLoss(), a.discernibility(), a.suppressedRecords(),
                risk.classSizes().values().stream().mapToInt(Integer::intValue).sum(), risk.highestRisk(),
                risk.averageRisk(), checked ? "passed" : "FAILED", a.description());
    }

    static Table generate(int n, Random random) {
        List<List<String>> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int age = Math.min(99, (int) Math.abs(random.nextGaussian() * 22 + 45));
            String zip = String.format("%03d%02d", 100 + random.nextInt(60), random.nextInt(100));
            String sex = random.nextBoolean() ? "F" : "M";
            String diagnosis = ICD10[(int) Math.min(ICD10.length - 1, Math.abs(random.nextGaussian() * 5))];
            rows.add(List.of("person-" + i, String.valueOf(age), zip, sex, diagnosis));
        }
        return new Table(List.of("name", "age", "zip", "sex", "diagnosis"), rows);
    }

    private static void resetPeaks() {
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    private static long peakHeapMb() {
        return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                .mapToLong(p -> p.getPeakUsage().getUsed()).sum() / (1024 * 1024);
    }
}
