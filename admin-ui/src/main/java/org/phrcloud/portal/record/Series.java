package org.phrcloud.portal.record;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;

/**
 * An observation series for a plot: the values of one LOINC code over time, oldest first.
 *
 * @param code    LOINC code
 * @param display its display text
 * @param unit    UCUM unit of the values as recorded
 * @param points  the values
 */
public record Series(String code, String display, String unit, List<Point> points) implements Serializable {
    /** Plot area, in SVG user units. */
    public static final int WIDTH = 640;
    public static final int HEIGHT = 240;
    private static final int PAD = 30;

    /** @param epochDay days since 1970-01-01; value in {@link #unit} */
    public record Point(long epochDay, String date, double value) implements Serializable {
    }

    public double min() {
        return points.stream().mapToDouble(Point::value).min().orElse(0);
    }

    public double max() {
        return points.stream().mapToDouble(Point::value).max().orElse(0);
    }

    /** @return the points as an SVG {@code polyline points} attribute in a {@link #WIDTH} x {@link #HEIGHT} box */
    public String polyline() {
        StringBuilder out = new StringBuilder();
        for (double[] xy : coordinates()) {
            out.append(String.format(Locale.ROOT, "%.1f,%.1f ", xy[0], xy[1]));
        }
        return out.toString().trim();
    }

    /** @return the plotted coordinates ({x, y} per point), for the dots */
    public List<double[]> coordinates() {
        long first = points.get(0).epochDay();
        long span = Math.max(1, points.get(points.size() - 1).epochDay() - first);
        double low = min();
        double range = max() - low == 0 ? 1 : max() - low;
        return points.stream().map(p -> new double[]{
                PAD + (WIDTH - 2.0 * PAD) * (p.epochDay() - first) / span,
                HEIGHT - PAD - (HEIGHT - 2.0 * PAD) * (p.value() - low) / range}).toList();
    }

    public String getLabel() {
        return display + (unit.isEmpty() ? "" : " (" + unit + ")");
    }
}
