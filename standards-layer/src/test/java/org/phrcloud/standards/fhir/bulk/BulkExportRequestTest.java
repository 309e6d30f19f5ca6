package org.phrcloud.standards.fhir.bulk;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The kick-off parameters of a Bulk Data export (Bulk Data Access IG 2.0.0, "Query Parameters"), case by case. */
class BulkExportRequestTest {
    private static final String ASYNC = "respond-async";

    @Test
    void withoutParametersEveryTypeIsExported() {
        BulkExportRequest r = BulkExportRequest.parse("patient", null, Map.of(), ASYNC);
        assertThat(r.level()).isEqualTo("patient");
        assertThat(r.types()).containsExactly("Patient", "Observation", "Condition", "Encounter", "MedicationRequest", "MedicationDispense",
                "AllergyIntolerance", "Procedure", "Immunization", "DiagnosticReport", "DocumentReference", "CarePlan");
        assertThat(r.since()).isNull();
    }

    @Test
    void typeSinceAndEachNdjsonSpellingAreTaken() {
        for (String format : List.of("application/fhir+ndjson", "application/ndjson", "ndjson")) {
            BulkExportRequest r = BulkExportRequest.parse("group", "g1", Map.of("_type", "Observation, Patient,Observation",
                    "_since", "2026-01-02T03:04:05+01:00", "_outputFormat", format), "respond-async, handling=strict");
            assertThat(r.types()).as(format).containsExactly("Patient", "Observation");
            assertThat(r.since()).isEqualTo(Instant.parse("2026-01-02T02:04:05Z"));
            assertThat(r.groupId()).isEqualTo("g1");
        }
    }

    @Test
    void badKickOffsAreRefusedWithTheirCodes() {
        assertThatThrownBy(() -> BulkExportRequest.parse("system", null, Map.of(), null)).hasMessageStartingWith("PHR-FHIR-0601");
        assertThatThrownBy(() -> BulkExportRequest.parse("system", null, Map.of(), "return=representation")).hasMessageStartingWith("PHR-FHIR-0601");
        assertThatThrownBy(() -> BulkExportRequest.parse("system", null, Map.of("_outputFormat", "text/csv"), ASYNC))
                .hasMessageStartingWith("PHR-FHIR-0602");
        assertThatThrownBy(() -> BulkExportRequest.parse("system", null, Map.of("_type", "Observation,Binary"), ASYNC))
                .hasMessageStartingWith("PHR-FHIR-0603: _type Binary");
        assertThatThrownBy(() -> BulkExportRequest.parse("system", null, Map.of("_since", "yesterday"), ASYNC))
                .hasMessageStartingWith("PHR-FHIR-0604");
        assertThatThrownBy(() -> BulkExportRequest.parse("system", null, Map.of("_typeFilter", "Observation?code=1"), ASYNC))
                .hasMessageStartingWith("PHR-FHIR-0608: _typeFilter");
    }

    @Test
    void lenientHandlingIgnoresWhatIsNotSupported() {
        BulkExportRequest r = BulkExportRequest.parse("system", null, Map.of("_typeFilter", "Observation?code=1", "_type", "Condition"),
                "respond-async, handling=lenient");
        assertThat(r.types()).containsExactly("Condition");
    }
}
