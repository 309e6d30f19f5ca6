package org.phrcloud.portal.record;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.time.LocalDate;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The clinical summary's parts from FHIR R4 resources as Synthea and care givers write them, outcomes written out. */
class ClinicalSummaryTest {
    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    @Test
    void theBannerNamesThePatientWithTheirAgeOnTheDay() {
        ClinicalSummary.Banner banner = ClinicalSummary.banner(json("""
                {"resourceType":"Patient","id":"p1","gender":"female","birthDate":"1969-03-14",
                 "name":[{"use":"maiden","family":"Old","given":["Vera"]},{"use":"official","family":"Portalova","given":["Vera","M."]}]}"""),
                LocalDate.of(2026, 3, 13));
        assertThat(banner).isEqualTo(new ClinicalSummary.Banner("Vera M. Portalova", "1969-03-14", 56, "female", ""));
        assertThat(ClinicalSummary.banner(json("""
                {"resourceType":"Patient","name":[{"family":"Doe"}],"deceasedDateTime":"2025-01-02T10:00:00Z"}"""),
                LocalDate.of(2026, 3, 14))).isEqualTo(new ClinicalSummary.Banner("Doe", "", null, "unknown", "2025-01-02"));
    }

    @Test
    void activeAllergiesShowHighCriticalityFirstWithTheirReactionsAndLeaveOutResolvedOrRefutedOnes() {
        ClinicalSummary.Section s = ClinicalSummary.allergies(List.of(
                json("""
                        {"resourceType":"AllergyIntolerance","clinicalStatus":{"coding":[{"code":"active"}]},"category":["food"],
                         "criticality":"low","code":{"coding":[{"system":"http://snomed.info/sct","code":"91935009","display":"Allergy to peanuts"}]},
                         "recordedDate":"2010-05-01"}"""),
                json("""
                        {"resourceType":"AllergyIntolerance","clinicalStatus":{"coding":[{"code":"active"}]},"category":["medication"],
                         "criticality":"high","code":{"coding":[{"system":"http://snomed.info/sct","code":"387458008","display":"Aspirin"}]},
                         "reaction":[{"manifestation":[{"coding":[{"display":"Wheal (finding)"}]},{"text":"Anaphylaxis"}]}],
                         "recordedDate":"2012-01-09T10:00:00Z"}"""),
                json("""
                        {"resourceType":"AllergyIntolerance","clinicalStatus":{"coding":[{"code":"resolved"}]},
                         "code":{"text":"Penicillin"}}"""),
                json("""
                        {"resourceType":"AllergyIntolerance","verificationStatus":{"coding":[{"code":"refuted"}]},
                         "code":{"text":"Latex"}}""")));
        assertThat(s.isShared()).isTrue();
        assertThat(s.items()).containsExactly(
                new ClinicalSummary.Item("Aspirin", "high risk; medication; reaction: Wheal, Anaphylaxis", "2012-01-09", true),
                new ClinicalSummary.Item("Allergy to peanuts", "low risk; food", "2010-05-01", false));
    }

    @Test
    void activeProblemsAreOneLinePerConditionNewestFirstWithoutSemanticTags() {
        ClinicalSummary.Section s = ClinicalSummary.problems(List.of(
                json("""
                        {"resourceType":"Condition","clinicalStatus":{"coding":[{"code":"active"}]},
                         "code":{"coding":[{"display":"Hypertension (disorder)"}]},"onsetDateTime":"2015-04-02T00:00:00Z"}"""),
                json("""
                        {"resourceType":"Condition","clinicalStatus":{"coding":[{"code":"active"}]},
                         "code":{"coding":[{"display":"Hypertension (disorder)"}]},"onsetDateTime":"2019-04-02T00:00:00Z"}"""),
                json("""
                        {"resourceType":"Condition","clinicalStatus":{"coding":[{"code":"recurrence"}]},
                         "code":{"text":"Migraine"},"recordedDate":"2021-08-30"}"""),
                json("""
                        {"resourceType":"Condition","clinicalStatus":{"coding":[{"code":"resolved"}]},
                         "code":{"text":"Acute bronchitis (disorder)"},"onsetDateTime":"2022-01-01"}""")));
        assertThat(s.items()).containsExactly(
                new ClinicalSummary.Item("Migraine", "since 2021-08-30", "2021-08-30", false),
                new ClinicalSummary.Item("Hypertension", "since 2015-04-02", "2015-04-02", false));
    }

    @Test
    void currentMedicationsGroupRepeatedPrescriptionsAndShowTheLatestDosage() {
        ClinicalSummary.Section s = ClinicalSummary.medications(List.of(
                json("""
                        {"resourceType":"MedicationRequest","status":"active","authoredOn":"2024-01-05",
                         "medicationCodeableConcept":{"text":"Lisinopril 10 MG Oral Tablet"},"dosageInstruction":[{"text":"1 tablet daily"}]}"""),
                json("""
                        {"resourceType":"MedicationRequest","status":"active","authoredOn":"2025-01-05",
                         "medicationCodeableConcept":{"text":"Lisinopril 10 MG Oral Tablet"},"dosageInstruction":[{"text":"2 tablets daily"}]}"""),
                json("""
                        {"resourceType":"MedicationRequest","status":"stopped","authoredOn":"2025-06-05",
                         "medicationCodeableConcept":{"text":"Amoxicillin 250 MG"}}"""),
                json("""
                        {"resourceType":"MedicationRequest","status":"active","authoredOn":"2023-02-01",
                         "medicationCodeableConcept":{"text":"Metformin 500 MG"}}""")));
        assertThat(s.items()).containsExactly(
                new ClinicalSummary.Item("Lisinopril 10 MG Oral Tablet", "2 tablets daily; prescribed 2 times", "2025-01-05", false),
                new ClinicalSummary.Item("Metformin 500 MG", "", "2023-02-01", false));
    }

    @Test
    void immunizationsAreOneLinePerVaccineWithDosesAndTheLatestDate() {
        ClinicalSummary.Section s = ClinicalSummary.immunizations(List.of(
                json("""
                        {"resourceType":"Immunization","status":"completed","vaccineCode":{"text":"Influenza, seasonal"},"occurrenceDateTime":"2024-10-01T09:00:00Z"}"""),
                json("""
                        {"resourceType":"Immunization","status":"completed","vaccineCode":{"text":"Influenza, seasonal"},"occurrenceDateTime":"2025-10-03T09:00:00Z"}"""),
                json("""
                        {"resourceType":"Immunization","status":"not-done","vaccineCode":{"text":"Td"},"occurrenceDateTime":"2025-11-03"}"""),
                json("""
                        {"resourceType":"Immunization","status":"completed","vaccineCode":{"text":"Td"},"occurrenceDateTime":"2016-11-03"}""")));
        assertThat(s.items()).containsExactly(
                new ClinicalSummary.Item("Influenza, seasonal", "2 doses", "2025-10-03", false),
                new ClinicalSummary.Item("Td", "1 dose", "2016-11-03", false));
    }

    @Test
    void latestResultsShowTheNewestOfEachCodeWithItsRangeAndAFlag() {
        ClinicalSummary.Section s = ClinicalSummary.latest(List.of(
                json("""
                        {"resourceType":"Observation","status":"final","effectiveDateTime":"2026-02-03T08:00:00Z",
                         "code":{"coding":[{"system":"http://loinc.org","code":"2339-0","display":"Glucose"}]},
                         "valueQuantity":{"value":131,"unit":"mg/dL"},
                         "referenceRange":[{"low":{"value":70,"unit":"mg/dL"},"high":{"value":99,"unit":"mg/dL"}}]}"""),
                json("""
                        {"resourceType":"Observation","status":"final","effectiveDateTime":"2026-01-03T08:00:00Z",
                         "code":{"coding":[{"system":"http://loinc.org","code":"2339-0","display":"Glucose"}]},
                         "valueQuantity":{"value":90,"unit":"mg/dL"}}"""),
                json("""
                        {"resourceType":"Observation","status":"final","effectiveDateTime":"2026-01-02",
                         "code":{"coding":[{"system":"http://loinc.org","code":"2947-0","display":"Sodium"}]},
                         "valueQuantity":{"value":131,"unit":"mmol/L"},"interpretation":[{"coding":[{"code":"L"}]}]}"""),
                json("""
                        {"resourceType":"Observation","status":"final","effectiveDateTime":"2026-01-01",
                         "code":{"coding":[{"system":"http://loinc.org","code":"85354-9","display":"Blood pressure panel"}]},
                         "component":[
                           {"code":{"coding":[{"system":"http://loinc.org","code":"8462-4"}]},"valueQuantity":{"value":92,"unit":"mm[Hg]"}},
                           {"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":{"value":130,"unit":"mm[Hg]"}}]}"""),
                json("""
                        {"resourceType":"Observation","status":"entered-in-error","effectiveDateTime":"2026-03-01",
                         "code":{"coding":[{"system":"http://loinc.org","code":"2093-3","display":"Cholesterol"}]},
                         "valueQuantity":{"value":900,"unit":"mg/dL"}}""")));
        assertThat(s.items()).containsExactly(
                new ClinicalSummary.Item("Glucose", "131 mg/dL; normal 70-99 mg/dL; high", "2026-02-03", true),
                new ClinicalSummary.Item("Sodium", "131 mmol/L; low", "2026-01-02", true),
                new ClinicalSummary.Item("Blood pressure panel", "130/92 mm[Hg]", "2026-01-01", false));
    }

    @Test
    void aPartTheServerDidNotShareSaysWhy() {
        ClinicalSummary.Section s = ClinicalSummary.Section.refused("no consent covers this kind of record");
        assertThat(s.isShared()).isFalse();
        assertThat(s.items()).isEmpty();
    }
}
