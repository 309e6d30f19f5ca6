package org.phrcloud.standards.hl7v2;

/** HL7 v2.5.1 test messages (ER7, CR between segments) of the types the ingestion supports. */
public final class Hl7v2Messages {
    private Hl7v2Messages() {
    }

    public static String adt(String event, String controlId, String nationalId, String family, String visit) {
        return String.join("\r",
                "MSH|^~\\&|HIS|st-mary|PHR|PHR|20260110083000||ADT^" + event + "|" + controlId + "|P|2.5.1",
                "EVN|" + event + "|20260110083000",
                "PID|1||" + nationalId + "^^^&urn:test:national-id&URI||" + family + "^Maria^^^^^L||19700102|F|||Main St 1^^Springfield^^12345^US||555-0100",
                "PV1|1|I|WARD-1^101^1" + "|".repeat(16) + visit + "|".repeat(25) + "20260110080000", "");
    }

    public static String rde(String controlId, String nationalId, String orderControl, String placer) {
        return String.join("\r",
                "MSH|^~\\&|CPOE|st-mary|PHR|PHR|20260110083000||RDE^O11|" + controlId + "|P|2.5.1",
                "PID|1||" + nationalId + "^^^&urn:test:national-id&URI||Lindqvist^Maria",
                "ORC|" + orderControl + "|" + placer + "|||||||20260110081500|||^House^Gregory",
                "RXE|^^^20260110^^R|197361^Amlodipine 5 MG Oral Tablet^RXNORM|5||mg^mg^UCUM||^take one each morning|||30|{tbl}^tablet^UCUM|2",
                "RXR|PO^Oral^HL70162", "");
    }

    public static String rds(String controlId, String nationalId, String placer) {
        return String.join("\r",
                "MSH|^~\\&|PHARM|st-mary|PHR|PHR|20260111090000||RDS^O13|" + controlId + "|P|2.5.1",
                "PID|1||" + nationalId + "^^^&urn:test:national-id&URI||Lindqvist^Maria",
                "ORC|RE|" + placer,
                "RXD|1|197361^Amlodipine 5 MG Oral Tablet^RXNORM|20260111085500|30|{tbl}^tablet^UCUM||RX-" + placer + "|||^Chemist^Paula", "");
    }
}
