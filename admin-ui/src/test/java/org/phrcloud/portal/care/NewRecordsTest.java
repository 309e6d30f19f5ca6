package org.phrcloud.portal.care;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NewRecordsTest {
    private static final String NOW = "2026-12-03T08:00:00Z";

    @Test
    void anObservationCarriesItsLoincCodeAndTheUcumUnit() {
        String json = NewRecords.observation("42", NewRecords.find(NewRecords.OBSERVATIONS, "29463-7"), 71.5, NOW).toString();
        assertThat(json).isEqualTo("{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"coding\":[{\"system\":"
                + "\"http://loinc.org\",\"code\":\"29463-7\",\"display\":\"Body weight\"}],\"text\":\"Body weight\"},"
                + "\"subject\":{\"reference\":\"Patient/42\"},\"effectiveDateTime\":\"2026-12-03T08:00:00Z\","
                + "\"valueQuantity\":{\"value\":71.5,\"unit\":\"kg\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"kg\"}}");
    }

    @Test
    void aConditionIsActiveAndConfirmedAndADispenseCompletedWithItsQuantity() {
        String condition = NewRecords.condition("42", NewRecords.find(NewRecords.CONDITIONS, "38341003"), NOW).toString();
        assertThat(condition).contains("\"clinicalStatus\":{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/condition-clinical\",\"code\":\"active\"}]}")
                .contains("\"verificationStatus\":{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/condition-ver-status\",\"code\":\"confirmed\"}]}")
                .contains("\"system\":\"http://snomed.info/sct\",\"code\":\"38341003\"").contains("\"recordedDate\":\"" + NOW + "\"");
        String dispense = NewRecords.medicationDispense("42", NewRecords.find(NewRecords.MEDICATIONS, "314076"), 30, NOW).toString();
        assertThat(dispense).contains("\"resourceType\":\"MedicationDispense\",\"status\":\"completed\"")
                .contains("\"system\":\"http://www.nlm.nih.gov/research/umls/rxnorm\",\"code\":\"314076\"")
                .contains("\"quantity\":{\"value\":30}").contains("\"whenHandedOver\":\"" + NOW + "\"");
        assertThat(NewRecords.find(NewRecords.MEDICATIONS, "no-such-code")).isNull();
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0} {1} -> {2}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', textBlock = """
            8867-4  | 72    | 72.0
            8867-4  | 77,5  | 77.5
            8867-4  | ' 80 '| 80.0
            8310-5  | 36,8  | 36.8
            29463-7 | 0,3   | 0.3
            2339-0  | 1000  | 1000.0
            """)
    void plausibleValuesAreTakenWithADecimalPointOrComma(String loinc, String typed, double expected) {
        assertThat(NewRecords.observationValue(NewRecords.find(NewRecords.OBSERVATIONS, loinc), typed)).isEqualTo(expected);
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0} {1} -> {2}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', textBlock = """
            8867-4  | -5      | Heart rate must be between 20 and 300 /min.
            8867-4  | 301     | Heart rate must be between 20 and 300 /min.
            8310-5  | 368     | Body temperature must be between 25 and 45 Cel.
            29463-7 | 0       | Body weight must be between 0.3 and 400 kg.
            2339-0  | 9,9     | Glucose [Mass/volume] in Blood must be between 10 and 1000 mg/dL.
            8867-4  | seventy | Heart rate: type a number, such as 72 or 36,8.
            8867-4  | 1e2     | Heart rate: type a number, such as 72 or 36,8.
            8867-4  | NaN     | Heart rate: type a number, such as 72 or 36,8.
            8867-4  | 7,5,1   | Heart rate: type a number, such as 72 or 36,8.
            """)
    void implausibleValuesAreRefusedWithTheAllowedRange(String loinc, String typed, String message) {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> NewRecords.observationValue(
                NewRecords.find(NewRecords.OBSERVATIONS, loinc), typed)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }
}
