package org.phrcloud.portal.record;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * An observation series for a chart: the values of one LOINC code over time, oldest first, with the range a value is
 * expected in.
 *
 * @param code    LOINC code
 * @param display its display text
 * @param unit    UCUM unit of the values as recorded
 * @param points  the values
 * @param range   the reference range drawn as a band; null when none is known
 */
public record Series(String code, String display, String unit, List<Point> points, Range range) implements Serializable {
    /** @param epochDay days since 1970-01-01; date {@code yyyy-mm-dd}; value in {@link #unit} */
    public record Point(long epochDay, String date, double value) implements Serializable {
    }

    /**
     * A reference range.
     *
     * @param low    lower limit, or null when open below
     * @param high   upper limit, or null when open above
     * @param source where it comes from: "the laboratory" (the Observation's {@code referenceRange}) or the
     *               guideline of {@link #TYPICAL}
     */
    public record Range(Double low, Double high, String source) implements Serializable {
        /**
         * The Observation's own first reference range ({@code referenceRange[0]} low and high values, FHIR R4
         * Observation), as "the laboratory's range".
         *
         * @return null when it carries none with a numeric limit
         */
        public static Range of(JsonObject observation) {
            JsonArray ranges = observation.getJsonArray("referenceRange");
            if (ranges == null || ranges.isEmpty()) {
                return null;
            }
            Double low = limit(ranges.getJsonObject(0), "low");
            Double high = limit(ranges.getJsonObject(0), "high");
            return low == null && high == null ? null : new Range(low, high, "the laboratory's range");
        }

        private static Double limit(JsonObject range, String which) {
            JsonObject q = range.getJsonObject(which);
            return q == null || !q.containsKey("value") ? null : q.getJsonNumber("value").doubleValue();
        }

        /** @return the limits alone, e.g. "70-99 mg/dL", "below 200 mg/dL", "above 60 mL/min" */
        public String limits(String unit) {
            String u = unit.isEmpty() ? "" : " " + unit;
            return (low != null && high != null ? RecordReader.number(low) + "-" + RecordReader.number(high)
                    : high != null ? "below " + RecordReader.number(high) : "above " + RecordReader.number(low)) + u;
        }

        /** @return e.g. "60-100 /min (typical adult range, AHA)" */
        public String text(String unit) {
            return limits(unit) + " (" + source + ")";
        }
    }

    /**
     * Typical adult reference ranges of common LOINC codes in their usual UCUM units, used when the results carry
     * none (Synthea's do not): heart rate 60-100 /min and respiratory rate 12-20 /min (American Heart Association),
     * body temperature 36.1-37.2 Cel, oxygen saturation 95-100 %, BMI 18.5-24.9 kg/m2 (WHO), fasting glucose 70-99
     * mg/dL (American Diabetes Association), HbA1c below 5.7 % (ADA), total cholesterol below 200 mg/dL (NCEP ATP III),
     * systolic 90-119 and diastolic 60-79 mm[Hg] (AHA, "normal"). A range applies only when the unit matches.
     */
    static final Map<String, Object[]> TYPICAL = Map.ofEntries(
            Map.entry("8867-4", new Object[] {"/min", 60.0, 100.0, "typical adult range, AHA"}),
            Map.entry("9279-1", new Object[] {"/min", 12.0, 20.0, "typical adult range, AHA"}),
            Map.entry("8310-5", new Object[] {"Cel", 36.1, 37.2, "typical adult range"}),
            Map.entry("2708-6", new Object[] {"%", 95.0, 100.0, "typical adult range"}),
            Map.entry("59408-5", new Object[] {"%", 95.0, 100.0, "typical adult range"}),
            Map.entry("39156-5", new Object[] {"kg/m2", 18.5, 24.9, "healthy adult range, WHO"}),
            Map.entry("2339-0", new Object[] {"mg/dL", 70.0, 99.0, "fasting adult range, ADA"}),
            Map.entry("4548-4", new Object[] {"%", null, 5.7, "adult range, ADA"}),
            Map.entry("2093-3", new Object[] {"mg/dL", null, 200.0, "desirable adult level, NCEP"}),
            Map.entry("8480-6", new Object[] {"mm[Hg]", 90.0, 119.0, "normal adult range, AHA"}),
            Map.entry("8462-4", new Object[] {"mm[Hg]", 60.0, 79.0, "normal adult range, AHA"}));

    /** @return the typical range of a LOINC code recorded in {@code unit}, or null when none is listed for them */
    public static Range typical(String loincCode, String unit) {
        Object[] t = TYPICAL.get(loincCode);
        return t == null || !t[0].equals(unit) ? null : new Range((Double) t[1], (Double) t[2], (String) t[3]);
    }

    public double min() {
        return points.stream().mapToDouble(Point::value).min().orElse(0);
    }

    public double max() {
        return points.stream().mapToDouble(Point::value).max().orElse(0);
    }

    public String getLabel() {
        return display + (unit.isEmpty() ? "" : " (" + unit + ")");
    }

    /**
     * The series as the portal's chart script reads it (resources/portal/chart.js, Apache ECharts):
     * {@code {"label", "unit", "points": [["yyyy-mm-dd", value], ...], "range": {"low", "high", "text"} | null}}.
     */
    public String chartData() {
        JsonArrayBuilder values = Json.createArrayBuilder();
        points.forEach(p -> values.add(Json.createArrayBuilder().add(p.date()).add(p.value())));
        JsonObjectBuilder out = Json.createObjectBuilder().add("label", display).add("unit", unit).add("points", values);
        if (range == null) {
            out.addNull("range");
        } else {
            JsonObjectBuilder r = Json.createObjectBuilder().add("text", range.text(unit));
            if (range.low() != null) {
                r.add("low", range.low());
            }
            if (range.high() != null) {
                r.add("high", range.high());
            }
            out.add("range", r);
        }
        return out.build().toString();
    }
}
