package org.phrcloud.portal.record;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

import java.io.Serializable;
import java.time.LocalDate;
import java.time.Period;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a clinician or the patient needs first, as patient portals and the International Patient Summary (HL7 IPS,
 * sections allergies, problems, medications, immunizations, results, vital signs) put it: a banner with who the
 * patient is, then allergies and intolerances with high criticality marked, active problems, current medications,
 * immunizations, the latest laboratory results and vital signs with units, reference ranges and high/low flags.
 * Repeated entries are grouped (a medication prescribed twelve times is one line, "prescribed 12 times").
 *
 * @param banner       who the patient is; null when the Patient resource could not be read
 * @param allergies    AllergyIntolerance: active, not refuted; high criticality first
 * @param problems     Condition: clinical status active, recurrence or relapse
 * @param medications  MedicationRequest: status active, one line per medication
 * @param immunizations Immunization: one line per vaccine, newest first
 * @param results      Observation (category laboratory): the latest of each code, newest first
 * @param vitalSigns   Observation (category vital-signs): the latest of each code, newest first
 */
public record ClinicalSummary(Banner banner, Section allergies, Section problems, Section medications, Section immunizations,
                              Section results, Section vitalSigns) implements Serializable {
    /** The most lines a results or vital-signs section shows (the whole record has the rest). */
    public static final int LATEST = 15;
    private static final Set<String> ACTIVE_CONDITION = Set.of("active", "recurrence", "relapse");

    /**
     * @param name      the official name (else the first), given names then family name
     * @param birthDate {@code yyyy-mm-dd}, empty when unknown
     * @param age       completed years on the day of reading; null when the birth date is unknown
     * @param gender    FHIR administrative gender in words ({@code female}, {@code male}, {@code other}, {@code unknown})
     * @param deceased  the date of death, or {@code yes} when only the fact is known; empty when alive
     */
    public record Banner(String name, String birthDate, Integer age, String gender, String deceased) implements Serializable {
    }

    /**
     * @param title  what it is, in the coding's words (SNOMED CT semantic tags such as "(disorder)" left out)
     * @param detail value, criticality, reaction, dosage or count
     * @param date   {@code yyyy-mm-dd} of the latest occurrence, empty when unknown
     * @param alert  whether it must catch the eye: a high-criticality allergy, a result outside its reference range
     */
    public record Item(String title, String detail, String date, boolean alert) implements Serializable {
    }

    /**
     * @param items   the lines; empty when there is nothing (or nothing may be seen)
     * @param refused why the server did not share this part, or null when it did
     */
    public record Section(List<Item> items, String refused) implements Serializable {
        public static Section refused(String why) {
            return new Section(List.of(), why);
        }

        public boolean isShared() {
            return refused == null;
        }
    }

    /** The banner from a FHIR R4 Patient, the age on {@code today}. */
    public static Banner banner(JsonObject patient, LocalDate today) {
        JsonObject name = null;
        JsonArray names = patient.getJsonArray("name");
        if (names != null) {
            for (JsonValue n : names) {
                if (name == null || "official".equals(n.asJsonObject().getString("use", ""))) {
                    name = n.asJsonObject();
                }
            }
        }
        String text = "";
        if (name != null) {
            List<String> parts = new ArrayList<>();
            JsonArray given = name.getJsonArray("given");
            if (given != null) {
                given.getValuesAs(jakarta.json.JsonString.class).forEach(g -> parts.add(g.getString()));
            }
            if (name.containsKey("family")) {
                parts.add(name.getString("family"));
            }
            text = parts.isEmpty() ? name.getString("text", "") : String.join(" ", parts);
        }
        String birthDate = patient.getString("birthDate", "");
        Integer age = birthDate.length() == 10 ? Period.between(LocalDate.parse(birthDate), today).getYears() : null;
        String deceased = patient.containsKey("deceasedDateTime") ? day(patient.getString("deceasedDateTime"))
                : patient.getBoolean("deceasedBoolean", false) ? "yes" : "";
        return new Banner(text, birthDate, age, patient.getString("gender", "unknown"), deceased);
    }

    /** Active, not refuted or entered in error; high criticality first, then by name. */
    public static Section allergies(List<JsonObject> allergyIntolerances) {
        List<Item> items = new ArrayList<>();
        for (JsonObject a : allergyIntolerances) {
            String clinical = code(a.getJsonObject("clinicalStatus"));
            String verification = code(a.getJsonObject("verificationStatus"));
            if (Set.of("inactive", "resolved").contains(clinical) || Set.of("refuted", "entered-in-error").contains(verification)) {
                continue;
            }
            String criticality = a.getString("criticality", "");
            List<String> detail = new ArrayList<>();
            detail.add(switch (criticality) {
                case "high" -> "high risk";
                case "low" -> "low risk";
                case "unable-to-assess" -> "risk not assessed";
                default -> "risk not stated";
            });
            JsonArray categories = a.getJsonArray("category");
            if (categories != null && !categories.isEmpty()) {
                detail.add(categories.getString(0));
            }
            List<String> reactions = new ArrayList<>();
            JsonArray reaction = a.getJsonArray("reaction");
            if (reaction != null) {
                for (JsonValue r : reaction) {
                    JsonArray manifestations = r.asJsonObject().getJsonArray("manifestation");
                    if (manifestations != null) {
                        manifestations.forEach(m -> reactions.add(plain(RecordReader.concept(m))));
                    }
                }
            }
            if (!reactions.isEmpty()) {
                detail.add("reaction: " + String.join(", ", reactions));
            }
            items.add(new Item(plain(RecordReader.concept(a.getJsonObject("code"))), String.join("; ", detail),
                    day(a.getString("recordedDate", a.getString("onsetDateTime", ""))), "high".equals(criticality)));
        }
        items.sort(Comparator.comparing(Item::alert).reversed().thenComparing(Item::title, String.CASE_INSENSITIVE_ORDER));
        return new Section(items, null);
    }

    /** Conditions whose clinical status is active, recurrence or relapse; one line per condition, newest first. */
    public static Section problems(List<JsonObject> conditions) {
        Map<String, Item> byTitle = new LinkedHashMap<>();
        for (JsonObject c : conditions) {
            if (!ACTIVE_CONDITION.contains(code(c.getJsonObject("clinicalStatus")))
                    || "entered-in-error".equals(code(c.getJsonObject("verificationStatus")))) {
                continue;
            }
            String since = day(c.getString("onsetDateTime", c.getString("recordedDate", "")));
            String title = plain(RecordReader.concept(c.getJsonObject("code")));
            byTitle.merge(title, new Item(title, since.isEmpty() ? "" : "since " + since, since, false),
                    (a, b) -> a.date().compareTo(b.date()) <= 0 ? a : b);
        }
        return new Section(newestFirst(byTitle.values()), null);
    }

    /** Active MedicationRequests, one line per medication (its latest request's dosage; how often it was prescribed). */
    public static Section medications(List<JsonObject> medicationRequests) {
        Map<String, List<JsonObject>> byMedication = new LinkedHashMap<>();
        for (JsonObject m : medicationRequests) {
            if (!"active".equals(m.getString("status", ""))) {
                continue;
            }
            String title = plain(RecordReader.concept(m.containsKey("medicationCodeableConcept")
                    ? m.getJsonObject("medicationCodeableConcept") : null));
            byMedication.computeIfAbsent(title, k -> new ArrayList<>()).add(m);
        }
        List<Item> items = new ArrayList<>();
        byMedication.forEach((title, requests) -> {
            JsonObject latest = requests.stream().max(Comparator.comparing(r -> r.getString("authoredOn", ""))).orElseThrow();
            List<String> detail = new ArrayList<>();
            JsonArray dosage = latest.getJsonArray("dosageInstruction");
            if (dosage != null && !dosage.isEmpty() && dosage.getJsonObject(0).containsKey("text")) {
                detail.add(dosage.getJsonObject(0).getString("text"));
            }
            if (requests.size() > 1) {
                detail.add("prescribed " + requests.size() + " times");
            }
            items.add(new Item(title, String.join("; ", detail), day(latest.getString("authoredOn", "")), false));
        });
        return new Section(newestFirst(items), null);
    }

    /** Completed immunizations, one line per vaccine: doses and the latest date. */
    public static Section immunizations(List<JsonObject> immunizations) {
        Map<String, List<String>> dates = new LinkedHashMap<>();
        for (JsonObject i : immunizations) {
            if (!"completed".equals(i.getString("status", "completed"))) {
                continue;
            }
            dates.computeIfAbsent(plain(RecordReader.concept(i.getJsonObject("vaccineCode"))), k -> new ArrayList<>())
                    .add(day(i.getString("occurrenceDateTime", "")));
        }
        List<Item> items = new ArrayList<>();
        dates.forEach((vaccine, days) -> {
            String latest = days.stream().max(String::compareTo).orElse("");
            items.add(new Item(vaccine, days.size() == 1 ? "1 dose" : days.size() + " doses", latest, false));
        });
        return new Section(newestFirst(items), null);
    }

    /**
     * The latest observation of each code (LOINC, else the first coding), newest first, at most {@link #LATEST}: the
     * value with its unit (blood pressure systolic/diastolic), the reference range when the result carries one, and
     * a flag from its interpretation (H, L, HH, LL, A...) or else from the range.
     *
     * @param observations newest first
     */
    public static Section latest(List<JsonObject> observations) {
        Map<String, Item> byCode = new LinkedHashMap<>();
        for (JsonObject o : observations) {
            if (Set.of("entered-in-error", "cancelled").contains(o.getString("status", ""))) {
                continue;
            }
            String key = RecordReader.concept(o.getJsonObject("code"));
            if (byCode.containsKey(key) || byCode.size() >= LATEST) {
                continue;
            }
            String value = RecordReader.value(o);
            String flag = flag(o);
            List<String> detail = new ArrayList<>(List.of(value.isBlank() ? "no value" : value));
            String range = range(o);
            if (!range.isEmpty()) {
                detail.add("normal " + range);
            }
            if (!flag.isEmpty()) {
                detail.add(flag);
            }
            byCode.put(key, new Item(plain(key), String.join("; ", detail),
                    day(o.getString("effectiveDateTime", o.getString("issued", ""))), !flag.isEmpty()));
        }
        return new Section(new ArrayList<>(byCode.values()), null);
    }

    /** "high", "low", "critically high", "abnormal"... from the interpretation, else from the reference range; or empty. */
    static String flag(JsonObject o) {
        String interpretation = "";
        JsonArray interpretations = o.getJsonArray("interpretation");
        if (interpretations != null && !interpretations.isEmpty()) {
            interpretation = code(interpretations.getJsonObject(0));
        }
        switch (interpretation) {
            case "H", "HU", "H>" -> {
                return "high";
            }
            case "HH" -> {
                return "critically high";
            }
            case "L", "LU", "L<" -> {
                return "low";
            }
            case "LL" -> {
                return "critically low";
            }
            case "A", "AA", "POS", "DET" -> {
                return "abnormal";
            }
            default -> {
                // the range decides below
            }
        }
        JsonObject q = o.getJsonObject("valueQuantity");
        Series.Range range = Series.Range.of(o);
        if (q == null || !q.containsKey("value") || range == null) {
            return "";
        }
        double v = q.getJsonNumber("value").doubleValue();
        if (range.high() != null && v > range.high()) {
            return "high";
        }
        if (range.low() != null && v < range.low()) {
            return "low";
        }
        return "";
    }

    /** The first reference range as "70-99 mg/dL", "below 200 mg/dL", "above 60 mL/min" or its text; else empty. */
    static String range(JsonObject o) {
        JsonArray ranges = o.getJsonArray("referenceRange");
        if (ranges == null || ranges.isEmpty()) {
            return "";
        }
        JsonObject r = ranges.getJsonObject(0);
        Series.Range limits = Series.Range.of(o);
        if (limits == null) {
            return r.getString("text", "");
        }
        JsonObject bound = r.containsKey("high") ? r.getJsonObject("high") : r.getJsonObject("low");
        return limits.limits(bound == null ? "" : bound.getString("unit", ""));
    }

    /** A SNOMED CT display without its semantic tag: "Hypertension (disorder)" reads "Hypertension". */
    static String plain(String display) {
        return display.replaceFirst("\\s*\\((disorder|finding|situation|substance|product|procedure|morphologic abnormality)\\)$", "");
    }

    private static List<Item> newestFirst(java.util.Collection<Item> items) {
        List<Item> sorted = new ArrayList<>(items);
        sorted.sort(Comparator.comparing(Item::date).reversed().thenComparing(Item::title, String.CASE_INSENSITIVE_ORDER));
        return sorted;
    }

    private static String code(JsonObject concept) {
        if (concept == null) {
            return "";
        }
        JsonArray codings = concept.getJsonArray("coding");
        return codings == null || codings.isEmpty() ? "" : codings.getJsonObject(0).getString("code", "");
    }

    private static String day(String dateTime) {
        return dateTime.length() >= 10 ? dateTime.substring(0, 10) : dateTime;
    }
}
