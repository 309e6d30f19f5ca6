package org.phrcloud.standards.fhir.stats;

import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;
import org.apache.commons.math3.stat.regression.SimpleRegression;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The statistics of FHIR R4 {@code Observation/$stats}, one per code of the code system
 * {@value #SYSTEM} (FHIR R4 value set {@code observation-statistics}), computed with Apache Commons Math 3:
 * <ul>
 *   <li>{@code std-dev} and {@code variance} are the sample (n - 1) figures; {@code skew} and {@code kurtosis} the
 *       bias-corrected sample skewness and excess kurtosis ({@link DescriptiveStatistics});</li>
 *   <li>percentiles, quartiles and quintiles are estimated as {@code Percentile}'s default does (position
 *       p(n + 1)/100, Hyndman and Fan 1996 definition 6); {@code 4-dev} is half the interquartile range;</li>
 *   <li>{@code regression} is the least-squares line of value over time (days): its gradient in units per day
 *       and its intercept at the first measurement ({@link SimpleRegression}).</li>
 * </ul>
 * A statistic that is not defined for the values (a standard deviation of one value, a regression on one day) is
 * {@code NaN}.
 */
public enum Statistic {
    AVERAGE("average", "Average"),
    MAXIMUM("maximum", "Maximum"),
    MINIMUM("minimum", "Minimum"),
    COUNT("count", "Count"),
    TOTAL_COUNT("total-count", "Total Count"),
    MEDIAN("median", "Median"),
    STD_DEV("std-dev", "Standard Deviation"),
    SUM("sum", "Sum"),
    VARIANCE("variance", "Variance"),
    PERCENT_20("20-percent", "20th Percentile"),
    PERCENT_80("80-percent", "80th Percentile"),
    QUARTILE_LOWER("4-lower", "Lower Quartile"),
    QUARTILE_UPPER("4-upper", "Upper Quartile"),
    QUARTILE_DEVIATION("4-dev", "Quartile Deviation"),
    QUINTILE_1("5-1", "1st Quintile"),
    QUINTILE_2("5-2", "2nd Quintile"),
    QUINTILE_3("5-3", "3rd Quintile"),
    QUINTILE_4("5-4", "4th Quintile"),
    SKEW("skew", "Skew"),
    KURTOSIS("kurtosis", "Kurtosis"),
    REGRESSION("regression", "Regression");

    /** The code system of the statistic codes (FHIR R4 {@code observation-statistics}). */
    public static final String SYSTEM = "http://terminology.hl7.org/CodeSystem/observation-statistics";
    private static final double MILLIS_PER_DAY = 86_400_000d;

    private final String code;
    private final String display;

    Statistic(String code, String display) {
        this.code = code;
        this.display = display;
    }

    public String code() {
        return code;
    }

    public String display() {
        return display;
    }

    /** The statistic of a code; empty when the code is none of {@link #SYSTEM}. */
    public static Optional<Statistic> of(String code) {
        return Arrays.stream(values()).filter(s -> s.code.equals(code)).findFirst();
    }

    /**
     * One measurement.
     *
     * @param value the value, in the series' unit
     * @param at    when it was taken, epoch milliseconds; null if the Observation says no time (left out of the regression)
     */
    public record Point(double value, Long at) {
    }

    /** A regression line: value = intercept + gradient x (days since the first measurement). */
    public record Line(double gradientPerDay, double intercept) {
    }

    /**
     * A series summarised once for every statistic asked of it.
     *
     * @param values the measurements' values (Commons Math)
     * @param count  how many measurements have a value
     * @param total  the number of measurements including those without a usable value ({@code total-count})
     * @param line   the least-squares line over time ({@link #line(List)})
     */
    public record Summary(DescriptiveStatistics values, int count, int total, Line line) {
        /** @param points the measurements with a value (one unit) */
        public static Summary of(List<Point> points, int total) {
            return new Summary(new DescriptiveStatistics(points.stream().mapToDouble(Point::value).toArray()), points.size(), total,
                    Statistic.line(points));
        }
    }

    /**
     * This statistic of a series.
     *
     * @param points the measurements with a value (one unit)
     * @param total  the number of measurements including those without a usable value ({@code total-count})
     * @return the figure; NaN when not defined for these values; for {@link #REGRESSION} the gradient per day (see
     *         {@link #line(List)} for both figures)
     */
    public double of(List<Point> points, int total) {
        return of(Summary.of(points, total));
    }

    /** This statistic of a summarised series; as {@link #of(List, int)}. */
    public double of(Summary summary) {
        DescriptiveStatistics d = summary.values();
        int n = summary.count();
        return switch (this) {
            case AVERAGE -> d.getMean();
            case MAXIMUM -> n == 0 ? Double.NaN : d.getMax();
            case MINIMUM -> n == 0 ? Double.NaN : d.getMin();
            case COUNT -> n;
            case TOTAL_COUNT -> summary.total();
            case MEDIAN -> percentile(d, 50);
            case STD_DEV -> n < 2 ? Double.NaN : d.getStandardDeviation();
            case SUM -> d.getSum();
            case VARIANCE -> n < 2 ? Double.NaN : d.getVariance();
            case PERCENT_20, QUINTILE_1 -> percentile(d, 20);
            case PERCENT_80, QUINTILE_4 -> percentile(d, 80);
            case QUARTILE_LOWER -> percentile(d, 25);
            case QUARTILE_UPPER -> percentile(d, 75);
            case QUARTILE_DEVIATION -> (percentile(d, 75) - percentile(d, 25)) / 2;
            case QUINTILE_2 -> percentile(d, 40);
            case QUINTILE_3 -> percentile(d, 60);
            case SKEW -> d.getSkewness();
            case KURTOSIS -> d.getKurtosis();
            case REGRESSION -> summary.line().gradientPerDay();
        };
    }

    /** The least-squares line of value over time in days since the first timed measurement; NaNs with fewer than two distinct times. */
    public static Line line(List<Point> points) {
        List<Point> timed = points.stream().filter(p -> p.at() != null).toList();
        if (timed.isEmpty()) {
            return new Line(Double.NaN, Double.NaN);
        }
        long first = timed.stream().mapToLong(Point::at).min().orElseThrow();
        SimpleRegression regression = new SimpleRegression();
        for (Point p : timed) {
            regression.addData((p.at() - first) / MILLIS_PER_DAY, p.value());
        }
        return new Line(regression.getSlope(), regression.getIntercept());
    }

    private static double percentile(DescriptiveStatistics d, double p) {
        return d.getN() == 0 ? Double.NaN : d.getPercentile(p);
    }
}
