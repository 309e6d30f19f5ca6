package org.phrcloud.portal.care;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;

import java.util.List;

/**
 * The FHIR R4 resources a care giver adds from the portal, with the codes offered in its forms (a short list of common
 * LOINC, SNOMED CT and RxNorm codes; systems and units as the FHIR R4 and UCUM specifications name them).
 */
public final class NewRecords {
    /**
     * A code offered in a form: system, code, display, and for observations the UCUM unit and the range of values
     * that can be a real measurement of a person (a value outside is refused as a typing error, not a clinical
     * judgement).
     *
     * @param min the lowest plausible value, in {@code unit}; NaN when the code takes no value
     * @param max the highest plausible value, in {@code unit}; NaN when the code takes no value
     */
    public record Code(String system, String code, String display, String unit, double min, double max) {
        Code(String system, String code, String display, String unit) {
            this(system, code, display, unit, Double.NaN, Double.NaN);
        }

        public String getLabel() {
            return display + (unit.isEmpty() ? "" : " (" + unit + ")");
        }
    }

    public static final String LOINC = "http://loinc.org";
    public static final String SNOMED = "http://snomed.info/sct";
    public static final String RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm";
    public static final String UCUM = "http://unitsofmeasure.org";

    public static final List<Code> OBSERVATIONS = List.of(
            new Code(LOINC, "2339-0", "Glucose [Mass/volume] in Blood", "mg/dL", 10, 1000),
            new Code(LOINC, "29463-7", "Body weight", "kg", 0.3, 400),
            new Code(LOINC, "8867-4", "Heart rate", "/min", 20, 300),
            new Code(LOINC, "8310-5", "Body temperature", "Cel", 25, 45));
    public static final List<Code> CONDITIONS = List.of(
            new Code(SNOMED, "44054006", "Diabetes mellitus type 2", ""),
            new Code(SNOMED, "38341003", "Hypertensive disorder", ""),
            new Code(SNOMED, "195967001", "Asthma", ""),
            new Code(SNOMED, "444814009", "Viral sinusitis", ""));
    public static final List<Code> MEDICATIONS = List.of(
            new Code(RXNORM, "860975", "24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet", ""),
            new Code(RXNORM, "314076", "Lisinopril 10 MG Oral Tablet", ""),
            new Code(RXNORM, "895994", "Fluticasone propionate 0.044 MG/ACTUAT Metered Dose Inhaler", ""),
            new Code(RXNORM, "313782", "Acetaminophen 325 MG Oral Tablet", ""));

    private NewRecords() {
    }

    /** @return the code with this code value from the list, or null */
    public static Code find(List<Code> codes, String code) {
        return codes.stream().filter(c -> c.code().equals(code)).findFirst().orElse(null);
    }

    /**
     * The value typed for an observation of {@code code}: a decimal number with a point or a comma ({@code 77.5} or
     * {@code 77,5}), within the code's plausible range.
     *
     * @throws IllegalArgumentException with a message for the user: not a number, or outside the range (which it names)
     */
    public static double observationValue(Code code, String typed) {
        String text = typed == null ? "" : typed.strip().replace(',', '.');
        double value;
        try {
            if (!text.matches("-?\\d+(\\.\\d+)?")) {
                throw new NumberFormatException(text);
            }
            value = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(code.display() + ": type a number, such as 72 or 36,8.");
        }
        if (value < code.min() || value > code.max()) {
            throw new IllegalArgumentException(code.display() + " must be between " + plain(code.min()) + " and " + plain(code.max())
                    + " " + code.unit() + ".");
        }
        return value;
    }

    private static String plain(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    /** An Observation (status final) with a quantity in the code's UCUM unit, effective at {@code when} (ISO 8601). */
    public static JsonObject observation(String patientId, Code code, double value, String when) {
        return Json.createObjectBuilder().add("resourceType", "Observation").add("status", "final")
                .add("code", concept(code)).add("subject", patient(patientId)).add("effectiveDateTime", when)
                .add("valueQuantity", Json.createObjectBuilder().add("value", value).add("unit", code.unit())
                        .add("system", UCUM).add("code", code.unit()))
                .build();
    }

    /** A Condition, clinical status active, verification status confirmed, recorded at {@code when}. */
    public static JsonObject condition(String patientId, Code code, String when) {
        return Json.createObjectBuilder().add("resourceType", "Condition")
                .add("clinicalStatus", status("http://terminology.hl7.org/CodeSystem/condition-clinical", "active"))
                .add("verificationStatus", status("http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed"))
                .add("code", concept(code)).add("subject", patient(patientId)).add("recordedDate", when)
                .build();
    }

    /** A MedicationDispense (status completed) of {@code quantity} units, handed over at {@code when}. */
    public static JsonObject medicationDispense(String patientId, Code code, int quantity, String when) {
        return Json.createObjectBuilder().add("resourceType", "MedicationDispense").add("status", "completed")
                .add("medicationCodeableConcept", concept(code)).add("subject", patient(patientId))
                .add("quantity", Json.createObjectBuilder().add("value", quantity))
                .add("whenHandedOver", when)
                .build();
    }

    private static JsonObjectBuilder concept(Code code) {
        return Json.createObjectBuilder().add("coding", Json.createArrayBuilder().add(Json.createObjectBuilder()
                .add("system", code.system()).add("code", code.code()).add("display", code.display()))).add("text", code.display());
    }

    private static JsonObjectBuilder status(String system, String code) {
        return Json.createObjectBuilder().add("coding", Json.createArrayBuilder().add(Json.createObjectBuilder()
                .add("system", system).add("code", code)));
    }

    private static JsonObjectBuilder patient(String patientId) {
        return Json.createObjectBuilder().add("reference", "Patient/" + patientId);
    }
}
