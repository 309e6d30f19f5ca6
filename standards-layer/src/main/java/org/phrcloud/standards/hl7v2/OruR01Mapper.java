package org.phrcloud.standards.hl7v2;

import ca.uhn.hl7v2.ErrorCode;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.Primitive;
import ca.uhn.hl7v2.model.Type;
import ca.uhn.hl7v2.model.Varies;
import ca.uhn.hl7v2.model.v251.datatype.CE;
import ca.uhn.hl7v2.model.v251.datatype.CWE;
import ca.uhn.hl7v2.model.v251.datatype.SN;
import ca.uhn.hl7v2.model.v251.group.ORU_R01_OBSERVATION;
import ca.uhn.hl7v2.model.v251.group.ORU_R01_ORDER_OBSERVATION;
import ca.uhn.hl7v2.model.v251.group.ORU_R01_PATIENT_RESULT;
import ca.uhn.hl7v2.model.v251.message.ORU_R01;
import ca.uhn.hl7v2.model.v251.segment.OBR;
import ca.uhn.hl7v2.model.v251.segment.OBX;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;

import java.math.BigDecimal;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ORU^R01 (unsolicited observation result, HL7 v2.5.1 chapter 7) to a FHIR transaction Bundle, after the HL7
 * V2-to-FHIR implementation guide's message map ORU^R01: per ORDER_OBSERVATION one DiagnosticReport (OBR:
 * identifier from OBR-3 filler order number, code OBR-4, effective OBR-7, issued OBR-22, status OBR-25, category
 * LAB) whose {@code result}s are one Observation per OBX (code OBX-3, value OBX-5 by OBX-2: NM -> Quantity with the
 * OBX-6 unit, UCUM when OBX-6 names it; CE/CWE -> CodeableConcept; ST/TX/FT -> string; SN -> Quantity with
 * comparator; DT/TS/DTM -> dateTime; reference range OBX-7, interpretation OBX-8, status OBX-11, effective OBX-14
 * else OBR-7, category laboratory), all about the Patient that PID-3 identifies.
 *
 * <p>Errors (HL7Exception with ERR location and HL7 table 0357 code): a missing OBR-4 or OBX-3 (101), an unknown or
 * ambiguous patient (204, from the {@link PatientResolver}), a value that does not fit its OBX-2 type (102).
 */
final class OruR01Mapper {
    static final String FILLER_SYSTEM = "urn:phr:hl7v2:filler-order:";
    private static final Pattern RANGE = Pattern.compile("\\s*(-?\\d+(?:\\.\\d+)?)\\s*-\\s*(-?\\d+(?:\\.\\d+)?)\\s*");

    /** Finds the FHIR Patient id that PID-3's identifiers name. */
    interface PatientResolver {
        /** @throws HL7Exception UNKNOWN_KEY_IDENTIFIER at PID-3 when none or more than one Patient matches */
        String patientId(List<Identifier> identifiers) throws HL7Exception;
    }

    private OruR01Mapper() {
    }

    static Bundle map(ORU_R01 message, PatientResolver patients, String sendingFacility) throws HL7Exception {
        Bundle tx = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        for (ORU_R01_PATIENT_RESULT result : message.getPATIENT_RESULTAll()) {
            List<Identifier> identifiers = PidMapper.identifiers(result.getPATIENT().getPID());
            Reference subject = new Reference("Patient/" + patients.patientId(identifiers));
            for (ORU_R01_ORDER_OBSERVATION order : result.getORDER_OBSERVATIONAll()) {
                OBR obr = order.getOBR();
                DiagnosticReport report = new DiagnosticReport();
                report.setStatus(reportStatus(obr.getResultStatus().getValue()));
                report.addCategory(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/v2-0074", "LAB", "Laboratory")));
                CodeableConcept code = V2Datatypes.concept(obr.getUniversalServiceIdentifier());
                if (!code.hasCoding() && !code.hasText()) {
                    throw V2Datatypes.error("OBR-4 (universal service identifier) is required", ErrorCode.REQUIRED_FIELD_MISSING, "OBR", 4);
                }
                report.setCode(code);
                report.setSubject(subject);
                String filler = obr.getFillerOrderNumber().getEntityIdentifier().getValue();
                if (filler != null && !filler.isBlank()) {
                    report.addIdentifier().setSystem(FILLER_SYSTEM + sendingFacility).setValue(filler)
                            .setType(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/v2-0203", "FILL", "Filler Identifier")));
                }
                DateTimeType observed = V2Datatypes.dateTime(obr.getObservationDateTime(), "OBR", 7);
                if (observed != null) {
                    report.setEffective(observed);
                }
                DateTimeType issued = V2Datatypes.dateTime(obr.getResultsRptStatusChngDateTime(), "OBR", 22);
                if (issued != null) {
                    report.setIssued(issued.getValue());
                }
                int index = 0;
                for (ORU_R01_OBSERVATION o : order.getOBSERVATIONAll()) {
                    index++;
                    Observation observation = observation(o.getOBX(), subject, observed, index);
                    String fullUrl = "urn:uuid:" + UUID.randomUUID();
                    tx.addEntry().setFullUrl(fullUrl).setResource(observation).getRequest()
                            .setMethod(Bundle.HTTPVerb.POST).setUrl("Observation");
                    report.addResult(new Reference(fullUrl));
                }
                tx.addEntry().setFullUrl("urn:uuid:" + UUID.randomUUID()).setResource(report).getRequest()
                        .setMethod(Bundle.HTTPVerb.POST).setUrl("DiagnosticReport");
            }
        }
        return tx;
    }

    private static Observation observation(OBX obx, Reference subject, DateTimeType reportTime, int repetition) throws HL7Exception {
        Observation o = new Observation();
        o.setStatus(observationStatus(obx.getObservationResultStatus().getValue()));
        o.addCategory(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/observation-category", "laboratory", "Laboratory")));
        CodeableConcept code = V2Datatypes.concept(obx.getObservationIdentifier());
        if (!code.hasCoding() && !code.hasText()) {
            throw located(V2Datatypes.error("OBX-3 (observation identifier) is required", ErrorCode.REQUIRED_FIELD_MISSING, "OBX", 3), repetition);
        }
        o.setCode(code);
        o.setSubject(subject);
        DateTimeType when = V2Datatypes.dateTime(obx.getDateTimeOfTheObservation(), "OBX", 14);
        if (when != null) {
            o.setEffective(when);
        } else if (reportTime != null) {
            o.setEffective(reportTime.copy());
        }
        String valueType = obx.getValueType().getValue();
        Varies[] values = obx.getObservationValue();
        boolean explicitNull = values.length > 0 && values[0].getData() instanceof Primitive p && V2Datatypes.present(p.getValue()) == null;
        if (explicitNull) {
            o.setDataAbsentReason(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/data-absent-reason", "unknown", "Unknown")));
        } else if (values.length > 0 && values[0].getData() != null) {
            try {
                value(o, valueType, values, obx.getUnits());
            } catch (HL7Exception | RuntimeException e) {
                throw located(V2Datatypes.error("OBX-5 does not fit its value type " + valueType + ": " + e.getMessage(),
                        ErrorCode.DATA_TYPE_ERROR, "OBX", 5), repetition);
            }
        }
        String range = obx.getReferencesRange().getValue();
        if (range != null && !range.isBlank()) {
            Observation.ObservationReferenceRangeComponent rr = o.addReferenceRange();
            Matcher m = RANGE.matcher(range);
            if (m.matches() && o.hasValueQuantity()) {
                rr.setLow(unitLike(new BigDecimal(m.group(1)), o.getValueQuantity()));
                rr.setHigh(unitLike(new BigDecimal(m.group(2)), o.getValueQuantity()));
            } else {
                rr.setText(range);
            }
        }
        for (ca.uhn.hl7v2.model.v251.datatype.IS flag : obx.getAbnormalFlags()) {
            if (flag.getValue() != null && !flag.getValue().isBlank()) {
                o.addInterpretation(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
                        flag.getValue().strip(), null)));
            }
        }
        return o;
    }

    private static void value(Observation o, String valueType, Varies[] values, CE units) throws HL7Exception {
        Type data = values[0].getData();
        switch (valueType == null ? "" : valueType.strip().toUpperCase(java.util.Locale.ROOT)) {
            case "NM" -> o.setValue(V2Datatypes.quantity(new BigDecimal(((Primitive) data).getValue().strip()), units));
            case "SN" -> {
                SN sn = (SN) data;
                Quantity q = V2Datatypes.quantity(new BigDecimal(sn.getNum1().getValue().strip()), units);
                String comparator = sn.getComparator().getValue();
                if (comparator != null && !comparator.isBlank() && !comparator.strip().equals("=")) {
                    q.setComparator(Quantity.QuantityComparator.fromCode(comparator.strip()));
                }
                o.setValue(q);
            }
            case "CE" -> o.setValue(V2Datatypes.concept((CE) data));
            case "CWE" -> o.setValue(V2Datatypes.concept((CWE) data));
            case "DT", "TS", "DTM" -> o.setValue(V2Datatypes.dateTime(
                    data instanceof ca.uhn.hl7v2.model.v251.datatype.TS ts ? ts.getTime().getValue() : ((Primitive) data).getValue(), "OBX", 5));
            default -> {
                StringBuilder text = new StringBuilder();
                for (Varies v : values) {
                    if (!text.isEmpty()) {
                        text.append('\n');
                    }
                    text.append(v.getData() instanceof Primitive p ? p.getValue() : v.getData().encode());
                }
                o.setValue(new StringType(text.toString()));
            }
        }
    }

    private static Quantity unitLike(BigDecimal value, Quantity like) {
        return new Quantity().setValue(value).setUnit(like.getUnit()).setSystem(like.getSystem()).setCode(like.getCode());
    }

    private static HL7Exception located(HL7Exception e, int repetition) {
        e.setSegmentRepetition(repetition);
        return e;
    }

    /** OBR-25 (HL7 table 0123) to DiagnosticReport.status (V2-to-FHIR ConceptMap ResultStatus). */
    static DiagnosticReport.DiagnosticReportStatus reportStatus(String v2) {
        return switch (v2 == null ? "" : v2.strip()) {
            case "O", "I", "S" -> DiagnosticReport.DiagnosticReportStatus.REGISTERED;
            case "A", "R", "P" -> DiagnosticReport.DiagnosticReportStatus.PRELIMINARY;
            case "C", "M" -> DiagnosticReport.DiagnosticReportStatus.CORRECTED;
            case "F" -> DiagnosticReport.DiagnosticReportStatus.FINAL;
            case "X" -> DiagnosticReport.DiagnosticReportStatus.CANCELLED;
            default -> DiagnosticReport.DiagnosticReportStatus.UNKNOWN;
        };
    }

    /** OBX-11 (HL7 table 0085) to Observation.status (V2-to-FHIR ConceptMap ObservationResultStatus). */
    static Observation.ObservationStatus observationStatus(String v2) {
        return switch (v2 == null ? "" : v2.strip()) {
            case "F", "U" -> Observation.ObservationStatus.FINAL;
            case "C" -> Observation.ObservationStatus.CORRECTED;
            case "P", "R", "S" -> Observation.ObservationStatus.PRELIMINARY;
            case "I", "O" -> Observation.ObservationStatus.REGISTERED;
            case "D", "W" -> Observation.ObservationStatus.ENTEREDINERROR;
            case "X" -> Observation.ObservationStatus.CANCELLED;
            default -> Observation.ObservationStatus.UNKNOWN;
        };
    }
}
