package org.phrcloud.standards.fhir.stats;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class StatisticTest {
    private static final long DAY = 86_400_000L;

    private static List<Statistic.Point> series(double... values) {
        return IntStream.range(0, values.length).mapToObj(i -> new Statistic.Point(values[i], 1_700_000_000_000L + i * DAY)).toList();
    }

    @Test
    void theTextbookFiguresOfASmallSample() {
        // 2 4 4 4 5 5 7 9: mean 5, sample variance 32/7, population standard deviation 2
        List<Statistic.Point> p = series(2, 4, 4, 4, 5, 5, 7, 9);
        assertThat(Statistic.AVERAGE.of(p, 8)).isEqualTo(5.0);
        assertThat(Statistic.MINIMUM.of(p, 8)).isEqualTo(2.0);
        assertThat(Statistic.MAXIMUM.of(p, 8)).isEqualTo(9.0);
        assertThat(Statistic.SUM.of(p, 8)).isEqualTo(40.0);
        assertThat(Statistic.COUNT.of(p, 10)).isEqualTo(8.0);
        assertThat(Statistic.TOTAL_COUNT.of(p, 10)).isEqualTo(10.0);
        assertThat(Statistic.MEDIAN.of(p, 8)).isEqualTo(4.5);
        assertThat(Statistic.VARIANCE.of(p, 8)).isCloseTo(32.0 / 7, within(1e-12));
        assertThat(Statistic.STD_DEV.of(p, 8)).isCloseTo(Math.sqrt(32.0 / 7), within(1e-12));
        // Hyndman and Fan definition 6: position p(n + 1)/100
        assertThat(Statistic.QUARTILE_LOWER.of(p, 8)).isCloseTo(4.0, within(1e-12));
        assertThat(Statistic.QUARTILE_UPPER.of(p, 8)).isCloseTo(6.5, within(1e-12));
        assertThat(Statistic.QUARTILE_DEVIATION.of(p, 8)).isCloseTo(1.25, within(1e-12));
        assertThat(Statistic.PERCENT_20.of(p, 8)).isCloseTo(3.6, within(1e-12));
        assertThat(Statistic.PERCENT_80.of(p, 8)).isCloseTo(7.4, within(1e-12));
        assertThat(Statistic.QUINTILE_1.of(p, 8)).isEqualTo(Statistic.PERCENT_20.of(p, 8));
        assertThat(Statistic.QUINTILE_2.of(p, 8)).isCloseTo(4.0, within(1e-12));
        assertThat(Statistic.QUINTILE_3.of(p, 8)).isCloseTo(5.0, within(1e-12));
    }

    @Test
    void skewAndKurtosisAreTheSampleFigures() {
        assertThat(Statistic.SKEW.of(series(1, 2, 3, 4, 5), 5)).isCloseTo(0.0, within(1e-12));
        assertThat(Statistic.SKEW.of(series(1, 1, 1, 10), 4)).isGreaterThan(1.0);
        // excess kurtosis of 1..5 (bias-corrected sample figure): -1.2
        assertThat(Statistic.KURTOSIS.of(series(1, 2, 3, 4, 5), 5)).isCloseTo(-1.2, within(1e-12));
    }

    @Test
    void theTrendIsTheLeastSquaresGradientPerDay() {
        Statistic.Line line = Statistic.line(series(10, 12, 14, 16));
        assertThat(line.gradientPerDay()).isCloseTo(2.0, within(1e-9));
        assertThat(line.intercept()).isCloseTo(10.0, within(1e-9));
        assertThat(Statistic.REGRESSION.of(series(50, 49, 48), 3)).isCloseTo(-1.0, within(1e-9));
        // points without a time are left out of the line, not of the other statistics
        List<Statistic.Point> mixed = List.of(new Statistic.Point(1, 0L), new Statistic.Point(3, 2 * DAY), new Statistic.Point(100, null));
        assertThat(Statistic.line(mixed).gradientPerDay()).isCloseTo(1.0, within(1e-9));
        assertThat(Statistic.MAXIMUM.of(mixed, 3)).isEqualTo(100.0);
    }

    @Test
    void whatIsNotDefinedIsNaN() {
        List<Statistic.Point> one = series(7);
        assertThat(Statistic.STD_DEV.of(one, 1)).isNaN();
        assertThat(Statistic.VARIANCE.of(one, 1)).isNaN();
        assertThat(Statistic.REGRESSION.of(one, 1)).isNaN();
        assertThat(Statistic.SKEW.of(series(1, 2), 2)).isNaN();
        assertThat(Statistic.AVERAGE.of(List.of(), 3)).isNaN();
        assertThat(Statistic.MINIMUM.of(List.of(), 3)).isNaN();
        assertThat(Statistic.MEDIAN.of(List.of(), 3)).isNaN();
        assertThat(Statistic.line(List.of(new Statistic.Point(1, 5L), new Statistic.Point(2, 5L))).gradientPerDay()).isNaN();
    }

    @Test
    void everyCodeOfTheValueSetIsKnown() {
        assertThat(Arrays.stream(Statistic.values()).map(Statistic::code)).containsExactly("average", "maximum", "minimum", "count",
                "total-count", "median", "std-dev", "sum", "variance", "20-percent", "80-percent", "4-lower", "4-upper", "4-dev",
                "5-1", "5-2", "5-3", "5-4", "skew", "kurtosis", "regression");
        assertThat(Statistic.of("4-dev")).contains(Statistic.QUARTILE_DEVIATION);
        assertThat(Statistic.of("mode")).isEmpty();
    }
}
