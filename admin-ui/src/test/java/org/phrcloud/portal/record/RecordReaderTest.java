package org.phrcloud.portal.record;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RecordReaderTest {
    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    @Test
    void anObservationShowsItsCodeValueAndUnit() {
        TimelineEntry e = RecordReader.entry(json("""
                {"resourceType":"Observation","id":"o1","effectiveDateTime":"2026-02-01T08:00:00Z",
                 "code":{"coding":[{"system":"http://loinc.org","code":"2339-0","display":"Glucose"}]},
                 "valueQuantity":{"value":91.5,"unit":"mg/dL"}}"""));
        assertThat(e).isEqualTo(new TimelineEntry("2026-02-01T08:00:00Z", "Observation", "Glucose", "91.5 mg/dL", "Observation/o1"));
        assertThat(e.day()).isEqualTo("2026-02-01");
    }

    @Test
    void aBloodPressureShowsItsComponentsAndAConditionItsTextAndStatus() {
        TimelineEntry bp = RecordReader.entry(json("""
                {"resourceType":"Observation","id":"bp","effectiveDateTime":"2026-02-01",
                 "code":{"text":"Blood pressure panel"},
                 "component":[{"valueQuantity":{"value":120,"unit":"mm[Hg]"}},{"valueQuantity":{"value":80,"unit":"mm[Hg]"}}]}"""));
        assertThat(bp.title()).isEqualTo("Blood pressure panel");
        assertThat(bp.detail()).isEqualTo("120/80 mm[Hg]");
        TimelineEntry condition = RecordReader.entry(json("""
                {"resourceType":"Condition","id":"c","recordedDate":"2025-01-02",
                 "code":{"coding":[{"system":"http://snomed.info/sct","code":"44054006","display":"Diabetes"}]},
                 "clinicalStatus":{"coding":[{"code":"active"}]}}"""));
        assertThat(condition).isEqualTo(new TimelineEntry("2025-01-02", "Condition", "Diabetes", "active", "Condition/c"));
    }

    @Test
    void aBloodPressureStoredDiastolicFirstReadsSystolicOverDiastolic() {
        TimelineEntry bp = RecordReader.entry(json("""
                {"resourceType":"Observation","id":"bp2","effectiveDateTime":"2026-03-01",
                 "code":{"coding":[{"system":"http://loinc.org","code":"85354-9","display":"Blood pressure panel"}]},
                 "component":[
                   {"code":{"coding":[{"system":"http://loinc.org","code":"8462-4","display":"Diastolic blood pressure"}]},
                    "valueQuantity":{"value":92,"unit":"mm[Hg]"}},
                   {"code":{"coding":[{"system":"http://loinc.org","code":"8480-6","display":"Systolic blood pressure"}]},
                    "valueQuantity":{"value":130,"unit":"mm[Hg]"}}]}"""));
        assertThat(bp.detail()).isEqualTo("130/92 mm[Hg]");
    }

    @Test
    void plottableCodesAreTheLoincCodesWithQuantitiesMostFrequentFirst() {
        JsonObject weight = json("""
                {"resourceType":"Observation","code":{"coding":[{"system":"http://loinc.org","code":"29463-7","display":"Body weight"}]},
                 "valueQuantity":{"value":70,"unit":"kg"}}""");
        JsonObject glucose = json("""
                {"resourceType":"Observation","code":{"coding":[{"system":"http://loinc.org","code":"2339-0","display":"Glucose"}]},
                 "valueQuantity":{"value":90,"unit":"mg/dL"}}""");
        JsonObject coded = json("""
                {"resourceType":"Observation","code":{"coding":[{"system":"http://loinc.org","code":"72166-2"}]},
                 "valueCodeableConcept":{"text":"Never smoker"}}""");
        assertThat(RecordReader.plottable(List.of(weight, glucose, glucose, coded)))
                .containsExactly(java.util.Map.entry("2339-0", "Glucose"), java.util.Map.entry("29463-7", "Body weight"));
    }

    @Test
    void aSeriesGivesTheChartItsDatesValuesUnitAndReferenceBand() {
        Series s = new Series("2339-0", "Glucose", "mg/dL", List.of(new Series.Point(0, "1970-01-01", 80),
                new Series.Point(10, "1970-01-11", 100.5)), Series.typical("2339-0", "mg/dL"));
        assertThat(s.chartData()).isEqualTo("{\"label\":\"Glucose\",\"unit\":\"mg/dL\",\"points\":[[\"1970-01-01\",80.0],"
                + "[\"1970-01-11\",100.5]],\"range\":{\"text\":\"70-99 mg/dL (fasting adult range, ADA)\",\"low\":70.0,\"high\":99.0}}");
        assertThat(s.getLabel()).isEqualTo("Glucose (mg/dL)");
        assertThat(new Series("29463-7", "Body weight", "kg", List.of(new Series.Point(5, "1970-01-06", 70)), null).chartData())
                .isEqualTo("{\"label\":\"Body weight\",\"unit\":\"kg\",\"points\":[[\"1970-01-06\",70.0]],\"range\":null}");
    }

    @Test
    void aTypicalRangeAppliesOnlyInItsUnit() {
        assertThat(Series.typical("8867-4", "/min")).isEqualTo(new Series.Range(60.0, 100.0, "typical adult range, AHA"));
        assertThat(Series.typical("2339-0", "mmol/L")).as("glucose in another unit").isNull();
        assertThat(Series.typical("29463-7", "kg")).as("body weight has none").isNull();
        assertThat(Series.typical("2093-3", "mg/dL").text("mg/dL")).isEqualTo("below 200 mg/dL (desirable adult level, NCEP)");
    }

    @Test
    void aSearchPageKeepsItsTotalAndItsNextLinkAsAServerPath() {
        RecordReader.Page page = RecordReader.page(json("""
                {"resourceType":"Bundle","type":"searchset","total":318,
                 "link":[{"relation":"self","url":"http://127.0.0.1:8080/fhir/Observation?patient=7"},
                         {"relation":"next","url":"http://127.0.0.1:8080/fhir?_getpages=9f2c&_getpagesoffset=100&_count=100&_bundletype=searchset"}],
                 "entry":[{"resource":{"resourceType":"Observation","id":"o1"}},
                          {"resource":{"resourceType":"OperationOutcome"}}]}"""));
        assertThat(page.total()).isEqualTo(318);
        assertThat(page.next()).isEqualTo("/fhir?_getpages=9f2c&_getpagesoffset=100&_count=100&_bundletype=searchset");
        assertThat(page.resources()).hasSize(1);
        RecordReader.Page last = RecordReader.page(json("""
                {"resourceType":"Bundle","type":"searchset","entry":[]}"""));
        assertThat(last.total()).isEqualTo(-1);
        assertThat(last.next()).isNull();
    }

    @Test
    void procedureImmunizationAllergyCarePlanAndDocumentShowInTheTimelineInPlainWords() {
        assertThat(RecordReader.entry(json("""
                {"resourceType":"Procedure","id":"pr","status":"completed","performedPeriod":{"start":"2020-01-02T10:00:00Z"},
                 "code":{"coding":[{"display":"Medication reconciliation (procedure)"}]}}""")))
                .isEqualTo(new TimelineEntry("2020-01-02T10:00:00Z", "Procedure", "Medication reconciliation", "completed", "Procedure/pr"));
        assertThat(RecordReader.entry(json("""
                {"resourceType":"Immunization","id":"im","status":"completed","occurrenceDateTime":"2021-10-01",
                 "vaccineCode":{"text":"Influenza, seasonal"}}""")))
                .isEqualTo(new TimelineEntry("2021-10-01", "Immunization", "Influenza, seasonal", "completed", "Immunization/im"));
        assertThat(RecordReader.entry(json("""
                {"resourceType":"AllergyIntolerance","id":"al","recordedDate":"2012-01-09","criticality":"high",
                 "clinicalStatus":{"coding":[{"code":"active"}]},"code":{"coding":[{"display":"Aspirin"}]}}""")))
                .isEqualTo(new TimelineEntry("2012-01-09", "AllergyIntolerance", "Aspirin", "high criticality, active", "AllergyIntolerance/al"));
        assertThat(RecordReader.entry(json("""
                {"resourceType":"CarePlan","id":"cp","status":"active","period":{"start":"2019-03-01"},
                 "category":[{"coding":[{"code":"assess-plan"}]},{"coding":[{"display":"Diabetes self management plan"}]}]}""")))
                .isEqualTo(new TimelineEntry("2019-03-01", "CarePlan", "Diabetes self management plan", "active", "CarePlan/cp"));
        assertThat(RecordReader.entry(json("""
                {"resourceType":"DocumentReference","id":"d","status":"current","date":"2022-05-05T10:00:00Z",
                 "type":{"coding":[{"display":"History and physical note"}]}}""")))
                .isEqualTo(new TimelineEntry("2022-05-05T10:00:00Z", "DocumentReference", "History and physical note", "current", "DocumentReference/d"));
        assertThat(RecordReader.words("MedicationDispense")).isEqualTo("Dispensed medicines");
        assertThat(new TimelineEntry("", "Observation", "", "", "Observation/1").kind()).isEqualTo("Result");
        assertThat(RecordReader.kind("Basic")).isEqualTo("Basic");
    }

    @Test
    void aSearchMatchesEveryWordInWhatAnEntrySaysIgnoringCase() {
        TimelineEntry e = new TimelineEntry("2026-02-01T08:00:00Z", "Observation", "Heart rate", "72 /min", "Observation/1");
        assertThat(e.matches("")).isTrue();
        assertThat(e.matches("heart")).isTrue();
        assertThat(e.matches("  HEART   72 ")).isTrue();
        assertThat(e.matches("result 2026-02")).as("the kind in words and the date count").isTrue();
        assertThat(e.matches("heart glucose")).isFalse();
        assertThat(e.matches("Observation")).as("the FHIR type name is not what people see").isFalse();
    }
}
