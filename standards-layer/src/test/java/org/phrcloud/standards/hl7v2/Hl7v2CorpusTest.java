package org.phrcloud.standards.hl7v2;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.model.v251.message.ADT_A01;
import ca.uhn.hl7v2.model.v251.message.ORU_R01;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

/**
 * HL7 v2 as other vendors' systems send it (issue 25, part 1): a corpus written from the standard's definitions (HL7
 * v2.5.1 chapter 2: message construction, the explicit null, escape sequences; chapter 2A: the DTM/TS/DT, CE/CWE data
 * types), each message with the FHIR it must become. Every message goes through the ingestion's own reading (segment
 * terminators normalized, parsed into the v2.5.1 model) and its mapper.
 */
class Hl7v2CorpusTest {
    private static final String PID = "PID|1||12345^^^&urn:test:national-id&URI||Doe^Jane||19700101|F";
    private static final String OBR = "OBR|1|PL-1|FL-77|24323-8^Comprehensive metabolic panel^LN|||20260110080000|||||||||||||||20260110082500|||F";

    private static String oru(String version, String... segments) {
        return "MSH|^~\\&|LIS|north-lab|PHR|PHR|20260110083000||ORU^R01|C-1|P|" + version + "\r" + String.join("\r", segments) + "\r";
    }

    /** One result: OBX-3, value type, OBX-5, OBX-6 units, OBX-14. */
    private static String obx(String code, String type, String value, String units, String when) {
        return "OBX|1|" + type + "|" + code + "||" + value + "|" + units + "|||||F|||" + when;
    }

    private static Observation firstObservation(String er7) throws HL7Exception {
        Bundle tx = OruR01Mapper.map((ORU_R01) parse(er7), ids -> "p-1", "north-lab");
        return (Observation) tx.getEntry().get(0).getResource();
    }

    private static Message parse(String er7) throws HL7Exception {
        return Hl7v2Ingestion.newContext().getPipeParser().parse(Hl7v2Ingestion.normalized(er7));
    }

    private static String effective(String obx14) throws HL7Exception {
        return firstObservation(oru("2.5.1", PID, OBR, obx("2339-0^Glucose^LN", "NM", "105", "mg/dL^mg/dL^UCUM", obx14)))
                .getEffectiveDateTimeType().getValueAsString();
    }

    private static Patient admitted(String pid) throws HL7Exception {
        String adt = String.join("\r", "MSH|^~\\&|HIS|st-mary|PHR|PHR|20260110083000||ADT^A01|A-1|P|2.5.1", "EVN|A01|20260110083000",
                pid, "PV1|1|I|WARD-1^101^1");
        Bundle tx = AdtMapper.map((ADT_A01) parse(adt), "A01", ids -> Optional.empty(), "st-mary");
        return (Patient) tx.getEntry().get(0).getResource();
    }

    @Test
    void dateTimesAtEveryPrecisionTheStandardAllows() throws Exception {
        assertThat(effective("2026")).isEqualTo("2026");
        assertThat(effective("202601")).isEqualTo("2026-01");
        assertThat(effective("20260110")).isEqualTo("2026-01-10");
        assertThat(effective("2026011008")).isEqualTo("2026-01-10T08:00:00+00:00");
        assertThat(effective("202601100830")).isEqualTo("2026-01-10T08:30:00+00:00");
        assertThat(effective("20260110083015")).isEqualTo("2026-01-10T08:30:15+00:00");
        assertThat(effective("20260110083015.1")).isEqualTo("2026-01-10T08:30:15.100+00:00");
        assertThat(effective("20260110083015.1234")).isEqualTo("2026-01-10T08:30:15.123+00:00");
    }

    @Test
    void dateTimesWithATimeZoneOffsetKeepTheirInstantAndDatesTheirDigits() throws Exception {
        assertThat(effective("202601100830+0100")).isEqualTo("2026-01-10T07:30:00+00:00");
        assertThat(effective("20260110083015.25-0500")).isEqualTo("2026-01-10T13:30:15.250+00:00");
        assertThat(effective("20260110+0100")).isEqualTo("2026-01-10");
    }

    @Test
    void birthDatesAreTheirDateDigitsAtEveryPrecision() throws Exception {
        assertThat(admitted("PID|1||N-1^^^&urn:test:national-id&URI||Lind^Mia||1970|F").getBirthDateElement().getValueAsString()).isEqualTo("1970");
        assertThat(admitted("PID|1||N-1^^^&urn:test:national-id&URI||Lind^Mia||197001|F").getBirthDateElement().getValueAsString()).isEqualTo("1970-01");
        assertThat(admitted("PID|1||N-1^^^&urn:test:national-id&URI||Lind^Mia||19700102|F").getBirthDateElement().getValueAsString())
                .isEqualTo("1970-01-02");
        assertThat(admitted("PID|1||N-1^^^&urn:test:national-id&URI||Lind^Mia||197001020030+0100|F").getBirthDateElement().getValueAsString())
                .as("not moved to the previous day by the offset").isEqualTo("1970-01-02");
        assertThat(admitted("PID|1||N-1^^^&urn:test:national-id&URI||Lind^Mia||19700102123015.5|F").getBirthDateElement().getValueAsString())
                .isEqualTo("1970-01-02");
    }

    @Test
    void anImpossibleDateIsALocatedDataTypeError() {
        for (String bad : List.of("20261310", "2026011", "20260110T0830", "yesterday")) {
            assertThatThrownBy(() -> effective(bad)).as(bad).isInstanceOfSatisfying(HL7Exception.class, e -> {
                assertThat(e.getErrorCode()).isEqualTo(102);
                assertThat(e.getLocation().getSegmentName()).isEqualTo("OBX");
                assertThat(e.getLocation().getField()).isEqualTo(14);
            });
        }
    }

    @Test
    void codedValuesWithOnlyTextOnlyALocalCodeOrAnAlternateCoding() throws Exception {
        Observation textOnly = firstObservation(oru("2.5.1", PID, OBR, obx("^Blood glucose, fasting", "NM", "5.4", "mmol/L^^UCUM", "")));
        assertThat(textOnly.getCode().hasCoding()).isFalse();
        assertThat(textOnly.getCode().getText()).isEqualTo("Blood glucose, fasting");

        Observation local = firstObservation(oru("2.5.1", PID, OBR, obx("GLU^Glucose", "NM", "5.4", "mmol/L^^UCUM", "")));
        assertThat(local.getCode().getCoding()).extracting(Coding::getSystem, Coding::getCode, Coding::getDisplay)
                .containsExactly(tuple(null, "GLU", "Glucose"));

        Observation both = firstObservation(oru("2.5.1", PID, OBR, obx("GLU^Glucose^99LAB^2339-0^Glucose [Mass/volume]^LN", "NM", "5.4",
                "mmol/L^^UCUM", "")));
        assertThat(both.getCode().getCoding()).extracting(Coding::getSystem, Coding::getCode).containsExactly(
                tuple("urn:phr:hl7v2:coding-system:99LAB", "GLU"), tuple("http://loinc.org", "2339-0"));
        assertThat(both.getCode().getText()).isEqualTo("Glucose");

        Observation cwe = firstObservation(oru("2.5.1", PID, OBR, obx("3141-9^Body weight^LN", "CWE", "LA6111-4^Normal^LN^^^^^^as measured", "", "")));
        CodeableConcept value = cwe.getValueCodeableConcept();
        assertThat(value.getCodingFirstRep().getCode()).isEqualTo("LA6111-4");
        assertThat(value.getText()).as("CWE-9 original text").isEqualTo("as measured");
    }

    @Test
    void unitsThatAreNotUcumAreKeptAsText() throws Exception {
        Observation textUnit = firstObservation(oru("2.5.1", PID, OBR, obx("5821-4^WBC casts^LN", "NM", "3", "^per high power field", "")));
        assertThat(textUnit.getValueQuantity().getUnit()).isEqualTo("per high power field");
        assertThat(textUnit.getValueQuantity().hasSystem()).isFalse();
        assertThat(textUnit.getValueQuantity().hasCode()).isFalse();

        Observation localUnit = firstObservation(oru("2.5.1", PID, OBR, obx("2339-0^Glucose^LN", "NM", "98", "mg/dl^milligrams per deciliter^L", "")));
        assertThat(localUnit.getValueQuantity().getUnit()).isEqualTo("milligrams per deciliter");
        assertThat(localUnit.getValueQuantity().getSystem()).isEqualTo("urn:phr:hl7v2:coding-system:L");
        assertThat(localUnit.getValueQuantity().getCode()).isEqualTo("mg/dl");

        Observation bare = firstObservation(oru("2.5.1", PID, OBR, obx("2339-0^Glucose^LN", "NM", "98", "mg/dl", "")));
        assertThat(bare.getValueQuantity().getUnit()).isEqualTo("mg/dl");
        assertThat(bare.getValueQuantity().hasSystem()).isFalse();
    }

    @Test
    void zSegmentsAndSegmentsTheMappingDoesNotUseAreIgnored() throws Exception {
        String withZ = oru("2.5.1", PID, "ZPI|1|internal-flag^X", OBR, obx("2339-0^Glucose^LN", "NM", "105", "mg/dL^mg/dL^UCUM", ""),
                "NTE|1||fasting sample", "ZOB|1|qc-lot-42");
        Bundle tx = OruR01Mapper.map((ORU_R01) parse(withZ), ids -> "p-1", "north-lab");
        assertThat(tx.getEntry()).extracting(e -> e.getResource().fhirType()).containsExactly("Observation", "DiagnosticReport");
        assertThat(((Observation) tx.getEntry().get(0).getResource()).getValueQuantity().getValue()).isEqualByComparingTo("105");

        String adt = String.join("\r", "MSH|^~\\&|HIS|st-mary|PHR|PHR|20260110083000||ADT^A01|A-1|P|2.5.1", "EVN|A01|20260110083000",
                "PID|1||N-1^^^&urn:test:national-id&URI||Lind^Mia||19700102|F", "ZPD|1|vip^N",
                "NK1|1|Lind^Ola|SPO^Spouse^HL70063", "PV1|1|I|WARD-1^101^1", "AL1|1|DA|70618^Penicillin^RXNORM", "ZPV|1|ward-note");
        Bundle admission = AdtMapper.map((ADT_A01) parse(adt), "A01", ids -> Optional.empty(), "st-mary");
        assertThat(admission.getEntry()).extracting(e -> e.getResource().fhirType()).containsExactly("Patient", "Encounter");
        assertThat(((Patient) admission.getEntry().get(0).getResource()).getNameFirstRep().getFamily()).isEqualTo("Lind");
    }

    @Test
    void theExplicitNullIsNoValueNotAnError() throws Exception {
        Patient patient = admitted("PID|1||N-1^^^&urn:test:national-id&URI||Lind^Mia||\"\"|\"\"");
        assertThat(patient.hasBirthDate()).isFalse();
        assertThat(patient.hasGender()).isFalse();

        Observation noValue = firstObservation(oru("2.5.1", PID, OBR, obx("2339-0^Glucose^LN", "NM", "\"\"", "mg/dL^mg/dL^UCUM", "")));
        assertThat(noValue.hasValue()).isFalse();
        assertThat(noValue.getDataAbsentReason().getCodingFirstRep().getCode()).isEqualTo("unknown");

        Observation noTime = firstObservation(oru("2.5.1", PID, OBR, obx("2339-0^Glucose^LN", "NM", "105", "mg/dL^mg/dL^UCUM", "\"\"")));
        assertThat(noTime.getEffectiveDateTimeType().getValueAsString()).as("the order's time (OBR-7)").isEqualTo("2026-01-10T08:00:00+00:00");

        Observation nullUnit = firstObservation(oru("2.5.1", PID, OBR, obx("2339-0^Glucose^LN", "NM", "105", "\"\"", "")));
        assertThat(nullUnit.getValueQuantity().getValue()).isEqualByComparingTo("105");
        assertThat(nullUnit.getValueQuantity().hasUnit()).isFalse();
    }

    @Test
    void everyVersionFrom23To26IsRead() throws Exception {
        assertThat(Hl7v2Ingestion.VERSIONS).containsExactlyInAnyOrder("2.3", "2.3.1", "2.4", "2.5", "2.5.1", "2.6");
        for (String version : List.of("2.3", "2.3.1", "2.4", "2.5", "2.5.1", "2.6")) {
            Observation o = firstObservation(oru(version, PID, OBR, obx("2339-0^Glucose^LN", "NM", "105", "mg/dL^mg/dL^UCUM", "20260110080500")));
            assertThat(o.getCode().getCodingFirstRep().getCode()).as(version).isEqualTo("2339-0");
            assertThat(o.getValueQuantity().getValue()).as(version).isEqualByComparingTo("105");
            assertThat(o.getEffectiveDateTimeType().getValueAsString()).as(version).isEqualTo("2026-01-10T08:05:00+00:00");
        }
    }

    @Test
    void escapeSequencesAreDecoded() throws Exception {
        Observation text = firstObservation(oru("2.5.1", PID, OBR,
                obx("8251-1^Comment^LN", "ST", "Ca \\T\\ Mg \\F\\ ratio \\S\\ note \\R\\ x \\E\\ end", "", "")));
        assertThat(text.getValueStringType().getValue()).isEqualTo("Ca & Mg | ratio ^ note ~ x \\ end");
        Patient patient = admitted("PID|1||N-1^^^&urn:test:national-id&URI||Smith\\T\\Jones^Mia||19700102|F");
        assertThat(patient.getNameFirstRep().getFamily()).isEqualTo("Smith&Jones");
    }

    @Test
    void segmentTerminatorsCrLfAndCrLfAreAllRead() throws Exception {
        String cr = oru("2.5.1", PID, OBR, obx("2339-0^Glucose^LN", "NM", "105", "mg/dL^mg/dL^UCUM", ""));
        for (String terminator : List.of("\n", "\r\n")) {
            Bundle tx = OruR01Mapper.map((ORU_R01) parse(cr.replace("\r", terminator)), ids -> "p-1", "north-lab");
            assertThat(tx.getEntry()).as(terminator.replace("\r", "CR").replace("\n", "LF"))
                    .extracting(e -> e.getResource().fhirType()).containsExactly("Observation", "DiagnosticReport");
        }
    }

    /** An ADT^A01 whose MSH-18 declares a character set, its family name outside ASCII. */
    private static String adtIn(String charset, String family) {
        return String.join("\r", "MSH|^~\\&|HIS|st-mary|PHR|PHR|20260110083000||ADT^A01|A-1|P|2.5.1|||||DEU|" + charset,
                "EVN|A01|20260110083000", "PID|1||N-1^^^&urn:test:national-id&URI||" + family + "^Jürgen||19700102|M", "PV1|1|I|WARD-1^101^1");
    }

    @Test
    void theCharacterSetOfMsh18DecodesTheMessage() throws Exception {
        java.nio.charset.Charset fallback = java.nio.charset.StandardCharsets.UTF_8;
        byte[] latin1 = adtIn("8859/1", "Müller").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(Hl7v2Ingestion.charsetOf(latin1, fallback)).isEqualTo(java.nio.charset.StandardCharsets.ISO_8859_1);
        byte[] utf8 = adtIn("UNICODE UTF-8", "Şahin").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(Hl7v2Ingestion.charsetOf(utf8, java.nio.charset.StandardCharsets.ISO_8859_1)).isEqualTo(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(Hl7v2Ingestion.charsetOf(adtIn("ASCII", "Miller").getBytes(java.nio.charset.StandardCharsets.US_ASCII), fallback))
                .isEqualTo(java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(Hl7v2Ingestion.charsetOf(adtIn("8859/15", "Müller").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), fallback))
                .isEqualTo(java.nio.charset.Charset.forName("ISO-8859-15"));
        assertThat(Hl7v2Ingestion.charsetOf(adtIn("8859/1~ISO IR87", "Müller").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), fallback))
                .as("the first repetition is the message's own").isEqualTo(java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(Hl7v2Ingestion.charsetOf(adtIn("", "Miller").getBytes(java.nio.charset.StandardCharsets.US_ASCII), fallback)).isEqualTo(fallback);
        assertThat(Hl7v2Ingestion.charsetOf(adtIn("~", "Miller").getBytes(java.nio.charset.StandardCharsets.US_ASCII), fallback))
                .as("only a repetition separator (found by fuzzing: it was an ArrayIndexOutOfBoundsException)").isEqualTo(fallback);
        assertThat(Hl7v2Ingestion.charsetOf("not HL7".getBytes(java.nio.charset.StandardCharsets.US_ASCII), fallback)).isEqualTo(fallback);
        assertThat(Hl7v2Ingestion.charsetOf("MSH\rPID|1".getBytes(java.nio.charset.StandardCharsets.US_ASCII), fallback))
                .as("an MSH without fields").isEqualTo(fallback);
        assertThat(Hl7v2Ingestion.charsetOf(("MSH|^|HIS|st-mary|PHR|PHR|20260110083000||ADT^A01|A-1|P|2.5.1|||||DEU|8859/1")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII), fallback)).as("MSH-2 without a repetition separator")
                .isEqualTo(java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(Hl7v2Ingestion.charsetOf(adtIn("8859/12", "Miller").getBytes(java.nio.charset.StandardCharsets.US_ASCII), fallback))
                .as("an ISO 8859 part that does not exist").isEqualTo(fallback);

        for (byte[] bytes : List.of(latin1, utf8)) {
            String er7 = new String(bytes, Hl7v2Ingestion.charsetOf(bytes, fallback));
            Bundle tx = AdtMapper.map((ADT_A01) parse(er7), "A01", ids -> Optional.empty(), "st-mary");
            Patient patient = (Patient) tx.getEntry().get(0).getResource();
            assertThat(patient.getNameFirstRep().getFamily()).isIn("Müller", "Şahin");
            assertThat(patient.getNameFirstRep().getGivenAsSingleString()).isEqualTo("Jürgen");
        }
    }

    @Test
    void eastAsianCharacterSetsOfTable0211AndIso2022SwitchingDecodeTheMessage() throws Exception {
        java.nio.charset.Charset fallback = java.nio.charset.StandardCharsets.ISO_8859_1;
        // MSH-18, the set the message is written in, the family name
        String[][] cases = {
                {"ISO IR6~ISO IR87", "ISO-2022-JP", "山田"},
                {"ISO IR6~ISO IR159", "ISO-2022-JP-2", "山田"},
                {"GB 18030-2000", "GB18030", "王"},
                {"KS X 1001", "EUC-KR", "김"},
                {"BIG-5", "Big5", "陳"},
                {"ISO IR6", "US-ASCII", "Miller"},
        };
        for (String[] c : cases) {
            String adt = String.join("\r", "MSH|^~\\&|HIS|st-mary|PHR|PHR|20260110083000||ADT^A01|A-1|P|2.5.1|||||JPN|" + c[0],
                    "EVN|A01|20260110083000", "PID|1||N-1^^^&urn:test:national-id&URI||" + c[2] + "^Taro||19700102|M", "PV1|1|I|WARD-1^101^1");
            byte[] bytes = adt.getBytes(java.nio.charset.Charset.forName(c[1]));
            java.nio.charset.Charset declared = Hl7v2Ingestion.charsetOf(bytes, fallback);
            assertThat(declared.name()).as(c[0]).isEqualTo(c[1]);
            Bundle tx = AdtMapper.map((ADT_A01) parse(new String(bytes, declared)), "A01", ids -> Optional.empty(), "st-mary");
            assertThat(((Patient) tx.getEntry().get(0).getResource()).getNameFirstRep().getFamily()).as(c[0]).isEqualTo(c[2]);
        }
    }
}
