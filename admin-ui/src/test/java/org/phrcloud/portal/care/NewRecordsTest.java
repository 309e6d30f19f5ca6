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
}
