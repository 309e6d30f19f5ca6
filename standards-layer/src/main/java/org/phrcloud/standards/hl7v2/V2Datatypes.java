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

    /** The HL7 v2 explicit null ({@code ""}, HL7 v2.5.1 section 2.5.3): a field sent to say "no value". */
    static final String EXPLICIT_NULL = "\"\"";
    private static final java.util.regex.Pattern DTM = java.util.regex.Pattern.compile(
            "(\\d{4})(\\d{2})?(\\d{2})?(\\d{2})?(\\d{2})?(\\d{2})?(\\.\\d{1,4})?([+-]\\d{4})?");

    /** A field's value, or null when it is empty, blank or the explicit null {@code ""}; stripped. */
    static String present(String value) {
        if (value == null) {
            return null;
        }
        String v = value.strip();
        return v.isEmpty() || EXPLICIT_NULL.equals(v) ? null : v;
    }

    /** {@code ""}, HL7's explicit null (v2.5.1 section 2.5.3): the receiver deletes what it holds for the field. */
    static boolean explicitNull(String value) {
        return value != null && EXPLICIT_NULL.equals(value.strip());
    }

    static String system(String v2Name) {
        if (present(v2Name) == null) {
            return null;
        }
        String known = CODING_SYSTEMS.get(v2Name.strip().toUpperCase(java.util.Locale.ROOT));
        return known != null ? known : LOCAL_SYSTEM + v2Name.strip();
    }

    static CodeableConcept concept(CE ce) {
        CodeableConcept c = new CodeableConcept();
        coding(c, ce.getIdentifier().getValue(), ce.getText().getValue(), ce.getNameOfCodingSystem().getValue());
        coding(c, ce.getAlternateIdentifier().getValue(), ce.getAlternateText().getValue(), ce.getNameOfAlternateCodingSystem().getValue());
        String text = present(ce.getText().getValue());
        if (text != null) {
            c.setText(text);
        }
        return c;
    }

    static CodeableConcept concept(CWE cwe) {
        CodeableConcept c = new CodeableConcept();
        coding(c, cwe.getIdentifier().getValue(), cwe.getText().getValue(), cwe.getNameOfCodingSystem().getValue());
        coding(c, cwe.getAlternateIdentifier().getValue(), cwe.getAlternateText().getValue(), cwe.getNameOfAlternateCodingSystem().getValue());
        String original = present(cwe.getOriginalText().getValue());
        String text = original != null ? original : present(cwe.getText().getValue());
        if (text != null) {
            c.setText(text);
        }
        return c;
    }

    /** A coding of a code, with its system when the message names one (a local code without one keeps no system). */
    private static void coding(CodeableConcept c, String code, String display, String system) {
        String value = present(code);
        if (value != null) {
            c.addCoding(new Coding(system(system), value, present(display)));
        }
    }

    /**
     * NM with its units (CE) -> Quantity: the unit's text (else its code) as {@code unit}; system and code only when
     * the CE names its coding system (UCUM: {@code http://unitsofmeasure.org}).
     */
    static Quantity quantity(BigDecimal value, CE units) {
        Quantity q = new Quantity().setValue(value);
        String code = present(units.getIdentifier().getValue());
        String text = present(units.getText().getValue());
        if (text != null || code != null) {
            q.setUnit(text != null ? text : code);
        }
        String system = code == null ? null : system(units.getNameOfCodingSystem().getValue());
        if (system != null) {
            q.setSystem(system).setCode(code);
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
        String value = present(cx.getIDNumber().getValue());
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
     * TS/DTM -> dateTime as {@link #dateTime(String, String, int)} reads it: a date keeps its precision (year, month,
     * day), a time its instant to the second or millisecond; a time without an offset is read as UTC.
     *
     * @return null when empty
     * @throws HL7Exception DATA_TYPE_ERROR when it is not a valid DTM
     */
    static DateTimeType dateTime(TS ts, String segment, int field) throws HL7Exception {
        return dateTime(ts.getTime().getValue(), segment, field);
    }

    /**
     * A DTM value (YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ], HL7 v2.5.1 section 2A.3.22; TS component 1 and DT alike)
     * as {@link #dateTime(TS, String, int)} reads it: a date alone (year, month or day) keeps its digits, whatever the
     * offset; a time keeps its instant, to the second (an hour or a minute alone gets :00 seconds, as FHIR's dateTime needs
     * them) or to the millisecond when the message gives a fraction, in UTC when it has no offset. Empty or the explicit
     * null: null.
     */
    static DateTimeType dateTime(String value, String segment, int field) throws HL7Exception {
        String v = present(value);
        if (v == null) {
            return null;
        }
        java.util.regex.Matcher m = DTM.matcher(v);
        try {
            if (!m.matches()) {
                throw new IllegalArgumentException(v);
            }
            if (m.group(4) == null) {
                return new DateTimeType(datePart(m));
            }
            // FHIR's dateTime has no hour or minute precision: a time has seconds (00 when the message gives none)
            TemporalPrecisionEnum precision = m.group(7) != null ? TemporalPrecisionEnum.MILLI : TemporalPrecisionEnum.SECOND;
            String withOffset = m.group(8) != null ? v : v + "+0000";
            ca.uhn.hl7v2.model.primitive.CommonTS parsed = new ca.uhn.hl7v2.model.primitive.CommonTS(withOffset);
            return new DateTimeType(parsed.getValueAsDate(), precision, TimeZone.getTimeZone("UTC"));
        } catch (DataTypeException | RuntimeException e) {
            HL7Exception error = new HL7Exception("not a valid date/time: " + v, ErrorCode.DATA_TYPE_ERROR);
            error.setSegmentName(segment);
            error.setFieldPosition(field);
            throw error;
        }
    }

    /**
     * The date part of a DT/TS/DTM (a birth date): its digits as written (YYYY, YYYY-MM or YYYY-MM-DD), never moved by
     * a time or an offset. Empty or the explicit null: null.
     *
     * @throws HL7Exception DATA_TYPE_ERROR when it is not a valid DTM
     */
    static org.hl7.fhir.r4.model.DateType date(String value, String segment, int field) throws HL7Exception {
        String v = present(value);
        if (v == null) {
            return null;
        }
        dateTime(v, segment, field); // every part valid, the time and offset too
        java.util.regex.Matcher m = DTM.matcher(v);
        m.matches();
        return new org.hl7.fhir.r4.model.DateType(datePart(m));
    }

    /** The date digits of a DTM {@link #DTM} matched, as FHIR writes a date: YYYY, YYYY-MM or YYYY-MM-DD. */
    private static String datePart(java.util.regex.Matcher m) {
        return m.group(1) + (m.group(2) != null ? "-" + m.group(2) : "") + (m.group(3) != null ? "-" + m.group(3) : "");
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
