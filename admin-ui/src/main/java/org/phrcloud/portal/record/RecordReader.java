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
 * Reads a patient's record through FHIR REST searches (FHIR R4 section 3.1.1), as the signed-in user: a page of
 * {@value #PER_TYPE} of each clinical type, newest first, with the type's total and the link to its older entries
 * (FHIR R4 section 3.1.1.5.8 paging: the Bundle's {@code next} link), the {@link ClinicalSummary}, and observation
 * series for plots. Whatever the user may not see, the server refuses (403) and audits; the reader reports it as
 * {@link Refused}.
 */
public final class RecordReader {
    /** The timeline's types and the search parameter each sorts on. */
    public static final Map<String, String> TYPES = new LinkedHashMap<>();
    /** Each type's name in plain words, plural (filters, "not shared" notes) and singular (a timeline line's kind). */
    private static final Map<String, String[]> WORDS = new LinkedHashMap<>();
    static {
        kind("Encounter", "date", "Visits", "Visit");
        kind("Condition", "recorded-date", "Conditions", "Condition");
        kind("Observation", "date", "Results and measurements", "Result");
        kind("DiagnosticReport", "date", "Reports", "Report");
        kind("MedicationRequest", "authoredon", "Prescriptions", "Prescription");
        kind("MedicationDispense", "whenhandedover", "Dispensed medicines", "Dispensed");
        kind("Procedure", "date", "Procedures", "Procedure");
        kind("Immunization", "date", "Immunizations", "Immunization");
        kind("AllergyIntolerance", "date", "Allergies and intolerances", "Allergy");
        kind("CarePlan", "date", "Care plans", "Care plan");
        kind("DocumentReference", "date", "Documents", "Document");
    }
    public static final int PER_TYPE = 100;
    /** The most values a chart shows: the newest (the server's largest page). */
    public static final int SERIES_POINTS = 200;

    private static void kind(String type, String sort, String plural, String singular) {
        TYPES.put(type, sort);
        WORDS.put(type, new String[] {plural, singular});
    }

    /** @return the type's name in plain words, plural ("Results and measurements"); the type itself when unknown */
    public static String words(String type) {
        String[] w = WORDS.get(type);
        return w == null ? type : w[0];
    }

    /** @return every timeline type with its name in plain words, in the timeline's order (for choices in forms) */
    public static Map<String, String> typesInWords() {
        Map<String, String> all = new LinkedHashMap<>();
        TYPES.keySet().forEach(t -> all.put(t, words(t)));
        return all;
    }

    /** @return one entry's kind in plain words ("Result"); the type itself when unknown */
    public static String kind(String type) {
        String[] w = WORDS.get(type);
        return w == null ? type : w[1];
    }

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
     * @param pages        per type read: how many there are and where the older ones are
     */
    public record Timeline(List<TimelineEntry> entries, Map<String, String> refused, List<JsonObject> observations,
                           Map<String, Page> pages) {
    }

    /**
     * One page of a search.
     *
     * @param resources the page's resources (OperationOutcomes left out)
     * @param total     how many match in all ({@code Bundle.total}); -1 when the server did not say
     * @param next      the path of the next page ({@code /fhir?_getpages=...}), or null on the last page
     */
    public record Page(List<JsonObject> resources, int total, String next) {
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
        Map<String, Page> pages = new LinkedHashMap<>();
        Refused first = null;
        int asked = 0;
        for (String type : types) {
            String sort = TYPES.get(type);
            if (sort == null) {
                continue;
            }
            asked++;
            try {
                Page page = page("/fhir/" + type + "?patient=" + PhrApi.enc(patientId) + "&_sort=-" + sort + "&_count=" + PER_TYPE
                        + "&_total=accurate");
                pages.put(type, page);
                for (JsonObject r : page.resources()) {
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
        return new Timeline(entries, refused, observations, pages);
    }

    /**
     * The next page of a timeline type.
     *
     * @param next a {@link Page#next()} path
     * @return the page; its entries through {@link #entry}
     */
    public Page older(String next) throws Refused {
        if (next == null || !next.startsWith("/fhir?_getpages=")) {
            throw new IllegalArgumentException("not a FHIR paging link: " + next);
        }
        return page(next);
    }

    /**
     * The clinical summary of a record ({@link ClinicalSummary}), each part read by its own search: a part the caller
     * may not see is marked refused with the server's reason, the others are still shown.
     *
     * @param today the day ages are counted to
     */
    public ClinicalSummary summary(String patientId, LocalDate today) {
        String p = "?patient=" + PhrApi.enc(patientId);
        ApiAnswer patient = api.get("/fhir/Patient/" + PhrApi.enc(patientId));
        return new ClinicalSummary(patient.ok() ? ClinicalSummary.banner(patient.object(), today) : null,
                part(() -> ClinicalSummary.allergies(search("/fhir/AllergyIntolerance" + p + "&_count=200"))),
                part(() -> ClinicalSummary.problems(search("/fhir/Condition" + p + "&clinical-status=active,recurrence,relapse&_count=200"))),
                part(() -> ClinicalSummary.medications(search("/fhir/MedicationRequest" + p + "&status=active&_count=200"))),
                part(() -> ClinicalSummary.immunizations(search("/fhir/Immunization" + p + "&_sort=-date&_count=200"))),
                part(() -> ClinicalSummary.latest(search("/fhir/Observation" + p + "&category=laboratory&_sort=-date&_count=200"))),
                part(() -> ClinicalSummary.latest(search("/fhir/Observation" + p + "&category=vital-signs&_sort=-date&_count=100"))));
    }

    private interface SectionRead {
        ClinicalSummary.Section read() throws Refused;
    }

    private static ClinicalSummary.Section part(SectionRead read) {
        try {
            return read.read();
        } catch (Refused e) {
            return ClinicalSummary.Section.refused(e.getMessage());
        }
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
     * @return the newest {@value #SERIES_POINTS} values with a quantity, oldest first, with the laboratory's reference
     *         range when the results carry one, else the typical range of the code ({@link Series#typical})
     */
    public Series series(String patientId, String loincCode) throws Refused {
        List<Series.Point> points = new ArrayList<>();
        String display = loincCode;
        String unit = "";
        Series.Range measured = null;
        for (JsonObject o : search("/fhir/Observation?patient=" + PhrApi.enc(patientId) + "&code=" + PhrApi.enc("http://loinc.org|" + loincCode)
                + "&_sort=-date&_count=" + SERIES_POINTS)) {
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
            measured = measured != null ? measured : Series.Range.of(o);
        }
        java.util.Collections.reverse(points);
        return new Series(loincCode, display, unit, points, measured != null ? measured : Series.typical(loincCode, unit));
    }

    private List<JsonObject> search(String path) throws Refused {
        return page(path).resources();
    }

    private Page page(String path) throws Refused {
        ApiAnswer a = api.get(path);
        if (!a.ok()) {
            throw new Refused(a.status(), a.message());
        }
        return page(a.object());
    }

    /** A searchset Bundle as a {@link Page}: its resources, {@code total}, and its {@code next} link as a server path. */
    static Page page(JsonObject bundle) {
        String next = null;
        JsonArray links = bundle.getJsonArray("link");
        if (links != null) {
            for (JsonValue l : links) {
                if ("next".equals(l.asJsonObject().getString("relation", ""))) {
                    java.net.URI uri = java.net.URI.create(l.asJsonObject().getString("url"));
                    next = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
                }
            }
        }
        List<JsonObject> out = new ArrayList<>();
        JsonArray entries = bundle.getJsonArray("entry");
        if (entries != null) {
            for (JsonValue e : entries) {
                JsonObject resource = e.asJsonObject().getJsonObject("resource");
                if (resource != null && !"OperationOutcome".equals(resource.getString("resourceType", ""))) {
                    out.add(resource);
                }
            }
        }
        return new Page(out, bundle.containsKey("total") ? bundle.getInt("total") : -1, next);
    }

    /** One timeline line of a resource of a {@link #TYPES} type (others: the type alone). */
    public static TimelineEntry entry(JsonObject r) {
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
            case "Procedure" -> new TimelineEntry(first(r.getString("performedDateTime", ""), str(r, "performedPeriod", "start")), type,
                    ClinicalSummary.plain(concept(r.getJsonObject("code"))), r.getString("status", ""), reference);
            case "Immunization" -> new TimelineEntry(r.getString("occurrenceDateTime", ""), type,
                    concept(r.getJsonObject("vaccineCode")), r.getString("status", ""), reference);
            case "AllergyIntolerance" -> new TimelineEntry(first(r.getString("recordedDate", ""), r.getString("onsetDateTime", "")), type,
                    ClinicalSummary.plain(concept(r.getJsonObject("code"))),
                    (r.getString("criticality", "").isEmpty() ? "" : r.getString("criticality") + " criticality, ")
                            + concept(r.getJsonObject("clinicalStatus")), reference);
            case "CarePlan" -> new TimelineEntry(str(r, "period", "start"), type,
                    ClinicalSummary.plain(concept(r.getJsonArray("category") == null ? null : lastOf(r.getJsonArray("category")))),
                    r.getString("status", ""), reference);
            case "DocumentReference" -> new TimelineEntry(r.getString("date", ""), type, concept(r.getJsonObject("type")),
                    r.getString("status", ""), reference);
            default -> new TimelineEntry("", type, type, "", reference);
        };
    }

    static String value(JsonObject o) {
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

    static String number(double v) {
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
    static String concept(JsonValue v) {
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

    /** The last of a non-empty array (Synthea puts a CarePlan's specific category after the generic one). */
    private static JsonValue lastOf(JsonArray a) {
        return a.isEmpty() ? null : a.get(a.size() - 1);
    }

    private static String str(JsonObject r, String object, String field) {
        JsonObject o = r.getJsonObject(object);
        return o == null ? "" : o.getString(field, "");
    }

    private static String first(String a, String b) {
        return a.isEmpty() ? b : a;
    }

}
