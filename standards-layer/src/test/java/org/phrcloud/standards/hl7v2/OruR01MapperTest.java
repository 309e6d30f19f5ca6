package org.phrcloud.standards.hl7v2;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.v251.message.ORU_R01;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Observation;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OruR01MapperTest {
    /** A glucose and a potassium result of one order, v2.3 (read into the 2.5.1 model), with a reference range and a flag. */
    static final String ORU = String.join("\r",
            "MSH|^~\\&|LIS|north-lab|PHR|PHR|20260110083000||ORU^R01|MSG-0001|P|2.3",
            "PID|1||12345^^^&urn:test:national-id&URI~MRN-9^^^HOSP||Doe^Jane||19700101|F",
            "OBR|1|PL-1|FL-77|24323-8^Comprehensive metabolic panel^LN|||20260110080000|||||||||||||||20260110082500|||F",
            "OBX|1|NM|2339-0^Glucose^LN||105|mg/dL^mg/dL^UCUM|70-99|H|||F",
            "OBX|2|NM|2823-3^Potassium^LN||4.1|mmol/L^mmol/L^UCUM|3.5-5.1|N|||F|||20260110080500",
            "OBX|3|ST|8251-1^Comment^LN||hemolysed sample||||||F",
            "");

    @Test
    void anOruR01BecomesADiagnosticReportWithItsObservations() throws Exception {
        ORU_R01 message = (ORU_R01) Hl7v2Ingestion.newContext().getPipeParser().parse(ORU);
        List<List<Identifier>> asked = new ArrayList<>();
        Bundle tx = OruR01Mapper.map(message, ids -> {
            asked.add(ids);
            return "p-1";
        }, "north-lab");

        assertThat(asked).hasSize(1);
        assertThat(asked.get(0)).extracting(Identifier::getSystem, Identifier::getValue).containsExactly(
                org.assertj.core.groups.Tuple.tuple("urn:test:national-id", "12345"),
                org.assertj.core.groups.Tuple.tuple("urn:phr:hl7v2:assigning-authority:HOSP", "MRN-9"));
        assertThat(tx.getType()).isEqualTo(Bundle.BundleType.TRANSACTION);
        assertThat(tx.getEntry()).extracting(e -> e.getResource().fhirType())
                .containsExactly("Observation", "Observation", "Observation", "DiagnosticReport");
        DiagnosticReport report = (DiagnosticReport) tx.getEntry().get(3).getResource();
        assertThat(report.getStatus()).isEqualTo(DiagnosticReport.DiagnosticReportStatus.FINAL);
        assertThat(report.getCode().getCodingFirstRep().getSystem()).isEqualTo("http://loinc.org");
        assertThat(report.getCode().getCodingFirstRep().getCode()).isEqualTo("24323-8");
        assertThat(report.getSubject().getReference()).isEqualTo("Patient/p-1");
        assertThat(report.getEffectiveDateTimeType().getValueAsString()).isEqualTo("2026-01-10T08:00:00+00:00");
        assertThat(report.getIdentifierFirstRep().getSystem()).isEqualTo("urn:phr:hl7v2:filler-order:north-lab");
        assertThat(report.getIdentifierFirstRep().getValue()).isEqualTo("FL-77");
        assertThat(report.getResult()).extracting(r -> r.getReference())
                .containsExactly(tx.getEntry().get(0).getFullUrl(), tx.getEntry().get(1).getFullUrl(), tx.getEntry().get(2).getFullUrl());

        Observation glucose = (Observation) tx.getEntry().get(0).getResource();
        assertThat(glucose.getCode().getCodingFirstRep().getCode()).isEqualTo("2339-0");
        assertThat(glucose.getValueQuantity().getValue()).isEqualByComparingTo("105");
        assertThat(glucose.getValueQuantity().getSystem()).isEqualTo("http://unitsofmeasure.org");
        assertThat(glucose.getValueQuantity().getCode()).isEqualTo("mg/dL");
        assertThat(glucose.getReferenceRangeFirstRep().getLow().getValue()).isEqualByComparingTo("70");
        assertThat(glucose.getReferenceRangeFirstRep().getHigh().getValue()).isEqualByComparingTo("99");
        assertThat(glucose.getInterpretationFirstRep().getCodingFirstRep().getCode()).isEqualTo("H");
        assertThat(glucose.getStatus()).isEqualTo(Observation.ObservationStatus.FINAL);
        assertThat(glucose.getEffectiveDateTimeType().getValueAsString()).as("the order's time").isEqualTo("2026-01-10T08:00:00+00:00");
        Observation potassium = (Observation) tx.getEntry().get(1).getResource();
        assertThat(potassium.getEffectiveDateTimeType().getValueAsString()).as("OBX-14").isEqualTo("2026-01-10T08:05:00+00:00");
        Observation comment = (Observation) tx.getEntry().get(2).getResource();
        assertThat(comment.getValueStringType().getValue()).isEqualTo("hemolysed sample");
    }

    @Test
    void missingCodesAndBadValuesAreLocatedErrors() throws Exception {
        String noCode = ORU.replace("OBX|2|NM|2823-3^Potassium^LN|", "OBX|2|NM||");
        assertThatThrownBy(() -> OruR01Mapper.map((ORU_R01) Hl7v2Ingestion.newContext().getPipeParser().parse(noCode), ids -> "p", "f"))
                .isInstanceOfSatisfying(HL7Exception.class, e -> {
                    assertThat(e.getErrorCode()).isEqualTo(101);
                    assertThat(e.getLocation().getSegmentName()).isEqualTo("OBX");
                    assertThat(e.getLocation().getField()).isEqualTo(3);
                });
        String notANumber = ORU.replace("||105|", "||one hundred|");
        assertThatThrownBy(() -> OruR01Mapper.map((ORU_R01) Hl7v2Ingestion.newContext().getPipeParser().parse(notANumber), ids -> "p", "f"))
                .isInstanceOfSatisfying(HL7Exception.class, e -> assertThat(e.getErrorCode()).isEqualTo(102));
        String noIdentifier = ORU.replace("12345^^^&urn:test:national-id&URI~MRN-9^^^HOSP", "12345");
        assertThatThrownBy(() -> OruR01Mapper.map((ORU_R01) Hl7v2Ingestion.newContext().getPipeParser().parse(noIdentifier), ids -> "p", "f"))
                .isInstanceOfSatisfying(HL7Exception.class, e -> assertThat(e.getErrorCode()).isEqualTo(101));
    }
}
