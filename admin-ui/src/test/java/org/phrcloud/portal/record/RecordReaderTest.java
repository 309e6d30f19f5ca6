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
    void aSeriesIsScaledIntoThePlotBox() {
        Series s = new Series("2339-0", "Glucose", "mg/dL", List.of(new Series.Point(0, "1970-01-01", 80),
                new Series.Point(10, "1970-01-11", 100), new Series.Point(20, "1970-01-21", 90)));
        List<double[]> xy = s.coordinates();
        assertThat(xy.get(0)).containsExactly(30.0, 210.0);
        assertThat(xy.get(1)).containsExactly(320.0, 30.0);
        assertThat(xy.get(2)).containsExactly(610.0, 120.0);
        assertThat(s.polyline()).isEqualTo("30.0,210.0 320.0,30.0 610.0,120.0");
        assertThat(new Series("x", "One", "", List.of(new Series.Point(5, "d", 1))).coordinates().get(0))
                .as("a single value: no division by zero").containsExactly(30.0, 210.0);
    }
}
