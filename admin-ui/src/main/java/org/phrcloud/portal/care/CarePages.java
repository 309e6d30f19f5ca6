package org.phrcloud.portal.care;

import jakarta.enterprise.context.SessionScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import org.phrcloud.portal.api.ApiAnswer;
import org.phrcloud.portal.api.PhrApi;
import org.phrcloud.portal.api.Plain;
import org.phrcloud.portal.record.ClinicalSummary;
import org.phrcloud.portal.record.RecordReader;
import org.phrcloud.portal.record.TimelineEntry;

import java.io.Serializable;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.phrcloud.portal.Messages.error;
import static org.phrcloud.portal.Messages.info;

/**
 * The care giver's pages (practitioner, family doctor, pharmacist, laboratory): find a patient in the master patient
 * index, open what consent (or care relationship, or a declared emergency) allows, ask for access, break the glass
 * with a reason, and add an observation, a condition or a medication dispense. The chosen patient stays in the session, never in a URL.
 */
@Named("care")
@SessionScoped
public class CarePages implements Serializable {
    private static final long serialVersionUID = 1L;
    @Inject
    PhrApi api;

    // find
    private String identifier = "";
    private String family = "";
    private String given = "";
    private String birthDate = "";
    private String gender = "";
    private List<Map<String, Object>> candidates = List.of();
    // the chosen patient
    private String pseudonym;
    private String patientId;
    private String homeInstitution;
    private List<TimelineEntry> record;
    private ClinicalSummary summary;
    private String searchedAs = "";
    private boolean emergencyConfirmed;
    private String emergencyUntil;
    private Map<String, String> notShared = Map.of();
    private String refusal;
    // request access
    private List<String> requestTypes = new ArrayList<>(List.of("Observation", "Condition"));
    private String level = "full";
    private int days = 30;
    private String reason = "";
    // add a record
    private String recordKind = "Observation";
    private String observationCode = "2339-0";
    private String conditionCode = "44054006";
    private String medicationCode = "860975";
    private String recordValue = "";
    private String recordWhen = "";

    /** Finds by identifier ({@code system|value}, exact) or else by demographics (ranked candidates). */
    public void find() {
        candidates = new ArrayList<>();
        if (!identifier.isBlank()) {
            ApiAnswer a = api.get("/api/identity/patients?identifier=" + PhrApi.enc(identifier.trim()));
            if (a.ok()) {
                Map<String, Object> c = Plain.map(a.object());
                c.put("grade", "certain");
                candidates.add(c);
            } else if (a.status() == 404) {
                info("No patient has this identifier.");
            } else {
                error(a.message());
            }
            return;
        }
        JsonObjectBuilder d = Json.createObjectBuilder().add("family", family.trim())
                .add("given", Json.createArrayBuilder().add(given.trim()));
        if (!birthDate.isBlank()) {
            d.add("birthDate", birthDate.trim());
        }
        if (!gender.isBlank()) {
            d.add("gender", gender);
        }
        ApiAnswer a = api.call("POST", "/api/identity/match", Json.createObjectBuilder().add("demographics", d).build().toString());
        if (!a.ok()) {
            error(a.message());
            return;
        }
        candidates = Plain.objects(a.array());
        if (candidates.isEmpty()) {
            info("No candidate matches.");
        }
    }

    /** Chooses a patient (by pseudonym) and opens their record. */
    public String open(String chosen) {
        ApiAnswer a = api.get("/api/identity/patients/" + PhrApi.enc(chosen));
        if (!a.ok()) {
            error(a.message());
            return null;
        }
        JsonObject identity = a.object();
        searchedAs = !identifier.isBlank() ? "identifier " + identifier.trim()
                : String.join(" ", given.trim(), family.trim()).trim() + (birthDate.isBlank() ? "" : ", born " + birthDate.trim())
                + (gender.isBlank() ? "" : ", " + gender);
        pseudonym = identity.getString("pseudonym");
        emergencyUntil = null;
        homeInstitution = identity.getString("homeInstitution", "");
        patientId = identity.getJsonArray("patientIds").isEmpty() ? null : identity.getJsonArray("patientIds").getString(0);
        loadRecord();
        return "/care/patient.xhtml?faces-redirect=true";
    }

    /** Reads the chosen patient's record; a refusal (no consent) is shown with the way to ask. */
    public void loadRecord() {
        record = List.of();
        summary = null;
        notShared = Map.of();
        refusal = null;
        if (patientId == null) {
            refusal = "This identity has no FHIR Patient record yet.";
            return;
        }
        try {
            RecordReader.Timeline timeline = new RecordReader(api).timeline(patientId, new ArrayList<>(RecordReader.TYPES.keySet()));
            record = timeline.entries();
            notShared = timeline.refused();
            summary = new RecordReader(api).summary(patientId, java.time.LocalDate.now());
        } catch (RecordReader.Refused e) {
            refusal = e.getMessage();
        }
    }

    /** Asks the patient for access (purpose TREAT) to the chosen types at the chosen level. */
    public void requestAccess() {
        JsonArrayBuilder types = Json.createArrayBuilder();
        requestTypes.forEach(types::add);
        String body = Json.createObjectBuilder().add("patient", pseudonym).add("resourceTypes", types).add("level", level)
                .add("purpose", "TREAT").add("days", days).build().toString();
        ApiAnswer a = api.call("POST", "/api/consent/requests", body);
        if (a.ok()) {
            info("Access requested. The patient decides in their portal.");
        } else {
            error(a.message());
        }
    }

    /**
     * Emergency access with a reason, once the care giver has confirmed they understand it is recorded and the patient
     * is told; the patient is notified. The record then shows until when the access lasts.
     */
    public void emergency() {
        if (!emergencyConfirmed) {
            error("Confirm that this is an emergency: the access is recorded and the patient is told.");
            return;
        }
        if (reason.isBlank()) {
            error("Give the reason for the emergency access; the patient reads it.");
            return;
        }
        String body = Json.createObjectBuilder().add("patient", pseudonym).add("reason", reason).build().toString();
        ApiAnswer a = api.call("POST", "/api/consent/emergency", body);
        if (a.ok()) {
            String end = a.object().getString("end", "");
            emergencyUntil = org.phrcloud.portal.Words.time(end);
            info("Emergency access is in force until " + emergencyUntil + ". The patient has been notified; every read is recorded.");
            reason = "";
            emergencyConfirmed = false;
            loadRecord();
        } else {
            error(a.message());
        }
    }

    /**
     * Adds a record to the chosen patient through FHIR: an Observation (value), a Condition, or a MedicationDispense
     * (quantity), dated now. The server decides whether the caller may write it.
     */
    public void addRecord() {
        if (patientId == null) {
            error("Choose a patient first.");
            return;
        }
        OffsetDateTime at = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS);
        if (!recordWhen.isBlank()) {
            try {
                OffsetDateTime given = java.time.LocalDateTime.parse(recordWhen.trim()).atOffset(ZoneOffset.UTC);
                if (given.isAfter(at.plusMinutes(5)) || given.getYear() < 1900) {
                    error("The time must lie between 1900 and now.");
                    return;
                }
                at = given;
            } catch (java.time.format.DateTimeParseException e) {
                error("The time reads like 2026-03-01T08:30.");
                return;
            }
        }
        String now = at.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        JsonObject resource;
        try {
            resource = switch (recordKind) {
                case "Observation" -> {
                    NewRecords.Code code = required(NewRecords.find(NewRecords.OBSERVATIONS, observationCode));
                    yield NewRecords.observation(patientId, code, NewRecords.observationValue(code, recordValue), now);
                }
                case "Condition" -> NewRecords.condition(patientId, required(NewRecords.find(NewRecords.CONDITIONS, conditionCode)), now);
                case "MedicationDispense" -> NewRecords.medicationDispense(patientId,
                        required(NewRecords.find(NewRecords.MEDICATIONS, medicationCode)), Integer.parseInt(recordValue.trim()), now);
                default -> throw new IllegalArgumentException("Choose what to add.");
            };
        } catch (NumberFormatException e) {
            error("The value must be a number (a whole number for a dispensed quantity).");
            return;
        } catch (IllegalArgumentException e) {
            error(e.getMessage());
            return;
        }
        ApiAnswer a = api.call("POST", "/fhir/" + recordKind, resource.toString(), "application/fhir+json");
        if (a.ok()) {
            info(recordKind + " added.");
            recordValue = "";
            recordWhen = "";
            loadRecord();
        } else {
            error(a.message());
        }
    }

    private static NewRecords.Code required(NewRecords.Code code) {
        if (code == null) {
            throw new IllegalArgumentException("Choose a code from the list.");
        }
        return code;
    }




    // --- views and form fields ---

    public List<Map<String, Object>> getCandidates() {
        return candidates;
    }

    public String getPseudonym() {
        return pseudonym;
    }

    public String getShortPseudonym() {
        return pseudonym == null ? "" : pseudonym.substring(0, Math.min(16, pseudonym.length()));
    }

    public String getHomeInstitution() {
        return homeInstitution;
    }

    public List<TimelineEntry> getRecord() {
        return record;
    }

    /** @return the record as rows, entries that say the same on one day grouped ({@link TimelineEntry#grouped}) */
    public List<TimelineEntry.Row> getRows() {
        return record == null ? List.of() : TimelineEntry.grouped(record);
    }

    /** @return the types of the record the caller may not read (type to the server's reason) */
    public Map<String, String> getNotShared() {
        return notShared;
    }

    /** The record's clinical summary, allergies first; null while the record is not open to the caller. */
    public ClinicalSummary getSummary() {
        return summary;
    }

    /**
     * What the care giver searched by when they chose this patient (the name, birth date and gender they entered, or
     * the identifier): shown next to the patient until the record itself may be read, since the platform does not
     * give out demographics the caller did not send (ARCHITECTURE.md "Identity").
     */
    public String getSearchedAs() {
        return searchedAs;
    }

    public String getNotSharedText() {
        return notShared.isEmpty() ? "" : "Not shared with you: "
                + String.join(", ", notShared.keySet().stream().map(RecordReader::words).toList());
    }

    public String getRefusal() {
        return refusal;
    }

    public List<NewRecords.Code> getObservationCodes() {
        return NewRecords.OBSERVATIONS;
    }

    public List<NewRecords.Code> getConditionCodes() {
        return NewRecords.CONDITIONS;
    }

    public List<NewRecords.Code> getMedicationCodes() {
        return NewRecords.MEDICATIONS;
    }

    /** The types one may ask access to: type to its name in plain words. */
    public Map<String, String> getAllTypes() {
        return RecordReader.typesInWords();
    }

    public String getIdentifier() { return identifier; }
    public void setIdentifier(String v) { identifier = v == null ? "" : v; }
    public String getFamily() { return family; }
    public void setFamily(String v) { family = v == null ? "" : v; }
    public String getGiven() { return given; }
    public void setGiven(String v) { given = v == null ? "" : v; }
    public String getBirthDate() { return birthDate; }
    public void setBirthDate(String v) { birthDate = v == null ? "" : v; }
    public String getGender() { return gender; }
    public void setGender(String v) { gender = v == null ? "" : v; }
    public List<String> getRequestTypes() { return requestTypes; }
    public void setRequestTypes(List<String> v) { requestTypes = v; }
    public String getLevel() { return level; }
    public void setLevel(String v) { level = v; }
    public int getDays() { return days; }
    public void setDays(int v) { days = v; }
    public String getReason() { return reason; }
    public boolean isEmergencyConfirmed() { return emergencyConfirmed; }
    public void setEmergencyConfirmed(boolean v) { emergencyConfirmed = v; }
    /** @return until when this care giver's emergency access to the open record lasts ({@code yyyy-mm-dd hh:mm UTC}); null if none */
    public String getEmergencyUntil() { return emergencyUntil; }
    public void setReason(String v) { reason = v == null ? "" : v; }
    public String getObservationCode() { return observationCode; }
    public String getRecordWhen() { return recordWhen; }
    public void setRecordWhen(String v) { recordWhen = v == null ? "" : v; }
    /** @return the UCUM unit of the chosen measurement, for its value's label */
    public String getObservationUnit() {
        NewRecords.Code code = NewRecords.find(NewRecords.OBSERVATIONS, observationCode);
        return code == null ? "" : code.unit();
    }
    public void setObservationCode(String v) { observationCode = v; }
    public String getRecordKind() { return recordKind; }
    public void setRecordKind(String v) { recordKind = v; }
    public String getConditionCode() { return conditionCode; }
    public void setConditionCode(String v) { conditionCode = v; }
    public String getMedicationCode() { return medicationCode; }
    public void setMedicationCode(String v) { medicationCode = v; }
    public String getRecordValue() { return recordValue; }
    public void setRecordValue(String v) { recordValue = v == null ? "" : v; }
}
