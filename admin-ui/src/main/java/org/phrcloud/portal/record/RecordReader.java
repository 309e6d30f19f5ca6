package org.phrcloud.portal.record;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.phrcloud.portal.api.ApiAnswer;
import org.phrcloud.portal.api.PhrApi;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a patient's record through FHIR REST searches (FHIR R4 section 3.1.1), as the signed-in user: the latest
 * {@value #PER_TYPE} of each clinical type, newest first, and observation series for plots. Whatever the user may not
 * see, the server refuses (403) and audits; the reader reports it as {@link Refused}.
 */
public final class RecordReader {
    /** The timeline's types and the search parameter each sorts on. */
    public static final Map<String, String> TYPES = new LinkedHashMap<>();
    static {
        TYPES.put("Encounter", "date");
        TYPES.put("Condition", "recorded-date");
        TYPES.put("Observation", "date");
        TYPES.put("DiagnosticReport", "date");
        TYPES.put("MedicationRequest", "authoredon");
        TYPES.put("MedicationDispense", "whenhandedover");
    }
    public static final int PER_TYPE = 100;

    private final PhrApi api;

    public RecordReader(PhrApi api) {
        this.api = api;
    }

    /** The server refused a read; {@code message} is its reason. */
    public static final class Refused extends Exception {
        private final int status;

        public Refused(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /**
     * What the caller may see of a record.
     *
     * @param entries newest first
     * @param refused      the types the server refused (type to its reason): a consent may cover some types only
     * @param observations the Observation resources read (for {@link #plottable}); empty when Observation was not asked
     */
    public record Timeline(List<TimelineEntry> entries, Map<String, String> refused, List<JsonObject> observations) {
    }

    /**
     * @param patientId FHIR Patient id
     * @param types     resource types to show (keys of {@link #TYPES})
     * @return the entries of every type the caller may read, and the refused types
     * @throws Refused when the server refuses every type asked (nothing of the record is open to the caller)
     */
    public Timeline timeline(String patientId, List<String> types) throws Refused {
        List<TimelineEntry> entries = new ArrayList<>();
        Map<String, String> refused = new LinkedHashMap<>();
        List<JsonObject> observations = new ArrayList<>();
        Refused first = null;
        int asked = 0;
        for (String type : types) {
            String sort = TYPES.get(type);
            if (sort == null) {
                continue;
            }
            asked++;
            try {
                for (JsonObject r : search("/fhir/" + type + "?patient=" + PhrApi.enc(patientId) + "&_sort=-" + sort + "&_count=" + PER_TYPE)) {
                    entries.add(entry(r));
                    if ("Observation".equals(type)) {
                        observations.add(r);
                    }
                }
            } catch (Refused e) {
                refused.put(type, e.getMessage());
                first = first == null ? e : first;
            }
        }
        if (asked > 0 && refused.size() == asked) {
            throw first;
        }
        entries.sort(Comparator.comparing(TimelineEntry::date).reversed());
        return new Timeline(entries, refused, observations);
    }

    /** The LOINC codes with numeric values among the latest observations, most frequent first (code to display). */
    public static Map<String, String> plottable(List<JsonObject> observations) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        Map<String, String> names = new LinkedHashMap<>();
        for (JsonObject o : observations) {
            JsonObject coding = loinc(o);
            if (coding != null && o.containsKey("valueQuantity")) {
                counts.merge(coding.getString("code"), 1, Integer::sum);
                names.putIfAbsent(coding.getString("code"), coding.getString("display", coding.getString("code")));
            }
        }
        Map<String, String> out = new LinkedHashMap<>();
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .forEach(e -> out.put(e.getKey(), names.get(e.getKey())));
        return out;
    }

    /** The latest observations as resources (for {@link #plottable} when the timeline did not read them). */
    public List<JsonObject> observations(String patientId) throws Refused {
        return search("/fhir/Observation?patient=" + PhrApi.enc(patientId) + "&_sort=-date&_count=" + PER_TYPE);
    }

    /**
     * @param loincCode LOINC code of the series
     * @return the values with a quantity, oldest first (at most 500)
     */
    public Series series(String patientId, String loincCode) throws Refused {
        List<Series.Point> points = new ArrayList<>();
        String display = loincCode;
        String unit = "";
        for (JsonObject o : search("/fhir/Observation?patient=" + PhrApi.enc(patientId) + "&code=" + PhrApi.enc("http://loinc.org|" + loincCode)
                + "&_sort=date&_count=500")) {
            JsonObject q = o.getJsonObject("valueQuantity");
            String when = o.getString("effectiveDateTime", "");
            if (q == null || !q.containsKey("value") || when.length() < 10) {
                continue;
            }
            JsonObject coding = loinc(o);
            display = coding == null ? display : coding.getString("display", display);
            unit = q.getString("unit", q.getString("code", ""));
            LocalDate day = LocalDate.parse(when.substring(0, 10));
            points.add(new Series.Point(day.toEpochDay(), when.substring(0, 10), q.getJsonNumber("value").doubleValue()));
        }
        return new Series(loincCode, display, unit, points);
    }

    private List<JsonObject> search(String path) throws Refused {
        ApiAnswer a = api.get(path);
        if (!a.ok()) {
            throw new Refused(a.status(), a.message());
        }
        List<JsonObject> out = new ArrayList<>();
        JsonArray entries = a.object().getJsonArray("entry");
        if (entries != null) {
            for (JsonValue e : entries) {
                JsonObject resource = e.asJsonObject().getJsonObject("resource");
                if (resource != null && !"OperationOutcome".equals(resource.getString("resourceType", ""))) {
                    out.add(resource);
                }
            }
        }
        return out;
    }

    static TimelineEntry entry(JsonObject r) {
        String type = r.getString("resourceType");
        String reference = type + "/" + r.getString("id", "");
        return switch (type) {
            case "Encounter" -> new TimelineEntry(str(r, "period", "start"), type, concept(r.getJsonArray("type")),
                    str(r, "class", "code") + " " + r.getString("status", ""), reference);
            case "Condition" -> new TimelineEntry(first(r.getString("recordedDate", ""), r.getString("onsetDateTime", "")), type,
                    concept(r.getJsonObject("code")), concept(r.getJsonObject("clinicalStatus")), reference);
            case "Observation" -> new TimelineEntry(first(r.getString("effectiveDateTime", ""), r.getString("issued", "")), type,
                    concept(r.getJsonObject("code")), value(r), reference);
            case "DiagnosticReport" -> new TimelineEntry(first(r.getString("effectiveDateTime", ""), r.getString("issued", "")), type,
                    concept(r.getJsonObject("code")), r.getString("status", ""), reference);
            case "MedicationRequest" -> new TimelineEntry(r.getString("authoredOn", ""), type,
                    concept(r.getJsonObject("medicationCodeableConcept")), r.getString("status", ""), reference);
            case "MedicationDispense" -> new TimelineEntry(first(r.getString("whenHandedOver", ""), r.getString("whenPrepared", "")), type,
                    concept(r.getJsonObject("medicationCodeableConcept")), r.getString("status", ""), reference);
            default -> new TimelineEntry("", type, type, "", reference);
        };
    }

    private static String value(JsonObject o) {
        JsonObject q = o.getJsonObject("valueQuantity");
        if (q != null && q.containsKey("value")) {
            return number(q.getJsonNumber("value").doubleValue()) + " " + q.getString("unit", q.getString("code", ""));
        }
        if (o.containsKey("valueCodeableConcept")) {
            return concept(o.getJsonObject("valueCodeableConcept"));
        }
        JsonArray components = o.getJsonArray("component");
        if (components != null) {
            List<String> parts = new ArrayList<>();
            String unit = "";
            for (JsonValue c : inReadingOrder(components)) {
                JsonObject cq = c.asJsonObject().getJsonObject("valueQuantity");
                if (cq != null && cq.containsKey("value")) {
                    parts.add(number(cq.getJsonNumber("value").doubleValue()));
                    unit = cq.getString("unit", "");
                }
            }
            return String.join("/", parts) + " " + unit;
        }
        return o.getString("valueString", "");
    }

    /** LOINC systolic (8480-6) and diastolic (8462-4) blood pressure: read and written systolic first ("130/92"). */
    private static final List<String> READING_ORDER = List.of("8480-6", "8462-4");

    /**
     * The components of a multi-component observation in the order people read them: systolic before diastolic
     * blood pressure whatever order they are stored in (Synthea stores diastolic first), the others after, as stored.
     */
    private static List<JsonValue> inReadingOrder(JsonArray components) {
        List<JsonValue> sorted = new ArrayList<>(components);
        sorted.sort(java.util.Comparator.comparingInt(c -> {
            JsonObject code = loinc(c.asJsonObject());
            int rank = code == null ? -1 : READING_ORDER.indexOf(code.getString("code", ""));
            return rank < 0 ? READING_ORDER.size() : rank;
        }));
        return sorted;
    }

    private static String number(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }

    private static JsonObject loinc(JsonObject o) {
        JsonObject code = o.getJsonObject("code");
        JsonArray codings = code == null ? null : code.getJsonArray("coding");
        if (codings == null) {
            return null;
        }
        for (JsonValue c : codings) {
            if ("http://loinc.org".equals(c.asJsonObject().getString("system", "")) && c.asJsonObject().containsKey("code")) {
                return c.asJsonObject();
            }
        }
        return null;
    }

    /** Text of a CodeableConcept (or the first of an array of them): text, else the first coding's display or code. */
    private static String concept(JsonValue v) {
        if (v == null || v == JsonValue.NULL) {
            return "";
        }
        JsonObject c = v.getValueType() == JsonValue.ValueType.ARRAY
                ? (v.asJsonArray().isEmpty() ? null : v.asJsonArray().getJsonObject(0)) : v.asJsonObject();
        if (c == null) {
            return "";
        }
        if (c.containsKey("text")) {
            return c.getString("text");
        }
        JsonArray codings = c.getJsonArray("coding");
        if (codings == null || codings.isEmpty()) {
            return "";
        }
        JsonObject first = codings.getJsonObject(0);
        return first.getString("display", first.getString("code", ""));
    }

    private static String str(JsonObject r, String object, String field) {
        JsonObject o = r.getJsonObject(object);
        return o == null ? "" : o.getString(field, "");
    }

    private static String first(String a, String b) {
        return a.isEmpty() ? b : a;
    }

}
