package org.phrcloud.standards.hl7v2;

import ca.uhn.fhir.model.api.TemporalPrecisionEnum;
import ca.uhn.hl7v2.ErrorCode;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.DataTypeException;
import ca.uhn.hl7v2.model.v251.datatype.CE;
import ca.uhn.hl7v2.model.v251.datatype.CWE;
import ca.uhn.hl7v2.model.v251.datatype.CX;
import ca.uhn.hl7v2.model.v251.datatype.TS;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Quantity;

import java.math.BigDecimal;

import java.util.Map;
import java.util.TimeZone;

/**
 * HL7 v2 data types to FHIR R4, following the HL7 V2-to-FHIR implementation guide's data type maps (CWE/CE ->
 * CodeableConcept, CX -> Identifier, DTM/TS -> dateTime) and its coding system map (HL7 table 0396 -> FHIR URIs).
 */
final class V2Datatypes {
    /** HL7 table 0396 names of coding systems with a FHIR canonical URI; others become {@value #LOCAL_SYSTEM}NAME. */
    static final Map<String, String> CODING_SYSTEMS = Map.ofEntries(
            Map.entry("LN", "http://loinc.org"),
            Map.entry("SCT", "http://snomed.info/sct"),
            Map.entry("SNM", "http://snomed.info/sct"),
            Map.entry("UCUM", "http://unitsofmeasure.org"),
            Map.entry("I10", "http://hl7.org/fhir/sid/icd-10"),
            Map.entry("I10C", "http://hl7.org/fhir/sid/icd-10-cm"),
            Map.entry("RXNORM", "http://www.nlm.nih.gov/research/umls/rxnorm"),
            Map.entry("RXN", "http://www.nlm.nih.gov/research/umls/rxnorm"),
            Map.entry("NDC", "http://hl7.org/fhir/sid/ndc"),
            Map.entry("CVX", "http://hl7.org/fhir/sid/cvx"),
            Map.entry("ATC", "http://www.whocc.no/atc"));
    /** The system of a local code system named in a message (to be mapped with the operator's ConceptMaps). */
    static final String LOCAL_SYSTEM = "urn:phr:hl7v2:coding-system:";
    /** The system of an identifier whose assigning authority has neither an OID nor a URI. */
    static final String LOCAL_AUTHORITY = "urn:phr:hl7v2:assigning-authority:";

    private V2Datatypes() {
    }

    static String system(String v2Name) {
        if (v2Name == null || v2Name.isBlank()) {
            return null;
        }
        String known = CODING_SYSTEMS.get(v2Name.strip().toUpperCase(java.util.Locale.ROOT));
        return known != null ? known : LOCAL_SYSTEM + v2Name.strip();
    }

    static CodeableConcept concept(CE ce) {
        CodeableConcept c = new CodeableConcept();
        coding(c, ce.getIdentifier().getValue(), ce.getText().getValue(), ce.getNameOfCodingSystem().getValue());
        coding(c, ce.getAlternateIdentifier().getValue(), ce.getAlternateText().getValue(), ce.getNameOfAlternateCodingSystem().getValue());
        if (ce.getText().getValue() != null) {
            c.setText(ce.getText().getValue());
        }
        return c;
    }

    static CodeableConcept concept(CWE cwe) {
        CodeableConcept c = new CodeableConcept();
        coding(c, cwe.getIdentifier().getValue(), cwe.getText().getValue(), cwe.getNameOfCodingSystem().getValue());
        coding(c, cwe.getAlternateIdentifier().getValue(), cwe.getAlternateText().getValue(), cwe.getNameOfAlternateCodingSystem().getValue());
        if (cwe.getOriginalText().getValue() != null) {
            c.setText(cwe.getOriginalText().getValue());
        } else if (cwe.getText().getValue() != null) {
            c.setText(cwe.getText().getValue());
        }
        return c;
    }

    private static void coding(CodeableConcept c, String code, String display, String system) {
        if (code != null && !code.isBlank()) {
            c.addCoding(new Coding(system(system), code.strip(), display));
        }
    }

    /**
     * NM with its units (CE) -> Quantity: the unit's text (else its code) as {@code unit}; system and code only when
     * the CE names its coding system (UCUM: {@code http://unitsofmeasure.org}).
     */
    static Quantity quantity(BigDecimal value, CE units) {
        Quantity q = new Quantity().setValue(value);
        String code = units.getIdentifier().getValue();
        if (code != null && !code.isBlank()) {
            q.setUnit(units.getText().getValue() != null ? units.getText().getValue() : code);
            String system = system(units.getNameOfCodingSystem().getValue());
            if (system != null) {
                q.setSystem(system).setCode(code.strip());
            }
        }
        return q;
    }

    /**
     * CX -> Identifier: CX-1 the value; the system from CX-4 (assigning authority): its universal id as
     * {@code urn:oid:} for type ISO, as is for type URI, else {@value #LOCAL_AUTHORITY}NAMESPACE.
     *
     * @return null when CX-1 or CX-4 is empty
     */
    static Identifier identifier(CX cx) {
        String value = cx.getIDNumber().getValue();
        String namespace = cx.getAssigningAuthority().getNamespaceID().getValue();
        String universal = cx.getAssigningAuthority().getUniversalID().getValue();
        String type = cx.getAssigningAuthority().getUniversalIDType().getValue();
        if (value == null || value.isBlank()) {
            return null;
        }
        String system;
        if (universal != null && "ISO".equalsIgnoreCase(type)) {
            system = "urn:oid:" + universal;
        } else if (universal != null && ("URI".equalsIgnoreCase(type) || universal.contains(":"))) {
            system = universal;
        } else if (namespace != null && !namespace.isBlank()) {
            system = LOCAL_AUTHORITY + namespace;
        } else {
            return null;
        }
        return new Identifier().setSystem(system).setValue(value.strip());
    }

    /**
     * TS/DTM -> dateTime with the precision the message gave (year, month, day, minute, second); a time without an
     * offset is read as UTC.
     *
     * @return null when empty
     * @throws HL7Exception DATA_TYPE_ERROR when it is not a valid DTM
     */
    static DateTimeType dateTime(TS ts, String segment, int field) throws HL7Exception {
        return dateTime(ts.getTime().getValue(), segment, field);
    }

    /** A DTM value (YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ]) as {@link #dateTime(TS, String, int)} reads it. */
    static DateTimeType dateTime(String value, String segment, int field) throws HL7Exception {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            String digits = value.split("[+\\-.]")[0];
            TemporalPrecisionEnum precision = switch (digits.length()) {
                case 4 -> TemporalPrecisionEnum.YEAR;
                case 6 -> TemporalPrecisionEnum.MONTH;
                case 8 -> TemporalPrecisionEnum.DAY;
                case 10, 12 -> TemporalPrecisionEnum.MINUTE;
                default -> TemporalPrecisionEnum.SECOND;
            };
            boolean hasOffset = value.contains("+") || value.contains("-");
            String withOffset = hasOffset ? value : value + "+0000";
            ca.uhn.hl7v2.model.primitive.CommonTS parsed = new ca.uhn.hl7v2.model.primitive.CommonTS(withOffset);
            return new DateTimeType(parsed.getValueAsDate(), precision, TimeZone.getTimeZone("UTC"));
        } catch (DataTypeException | RuntimeException e) {
            HL7Exception error = new HL7Exception("not a valid date/time: " + value, ErrorCode.DATA_TYPE_ERROR);
            error.setSegmentName(segment);
            error.setFieldPosition(field);
            throw error;
        }
    }

    /** An error located at a segment's field (ERR-2), with its HL7 table 0357 code (ERR-3). */
    static HL7Exception error(String text, ErrorCode code, String segment, int field) {
        HL7Exception e = new HL7Exception(text, code);
        if (segment != null) {
            e.setSegmentName(segment);
            e.setSegmentRepetition(1);
            e.setFieldPosition(field);
        }
        return e;
    }
}
