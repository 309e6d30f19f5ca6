package org.phrcloud.it.hl7v2;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.app.Connection;
import ca.uhn.hl7v2.parser.CanonicalModelClassFactory;
import ca.uhn.hl7v2.parser.PipeParser;
import ca.uhn.hl7v2.util.idgenerator.InMemoryIDGenerator;
import ca.uhn.hl7v2.validation.impl.NoValidation;
import com.fasterxml.jackson.databind.JsonNode;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.phrcloud.it.support.Calls;
import org.phrcloud.it.support.Platform;
import org.phrcloud.it.support.PlatformExtension;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.phrcloud.it.support.Calls.json;

/**
 * HL7 v2 on the real platform: ORU^R01 messages sent with HAPI's own MLLP client to the listener inside Payara, and
 * over HTTP with an institution system's token; each lands as a DiagnosticReport with its Observations, a ledger block
 * and an AuditEvent; 1,000 messages are all present afterwards; a resend is processed once; bad messages get a NACK
 * and the listener keeps serving.
 */
@ExtendWith(PlatformExtension.class)
@ExtendWith(ArquillianExtension.class)
class Hl7v2IT {
    private static final String SYSTEM = "urn:test:hl7v2-it";
    private static final int MESSAGES = 1000;

    @Deployment(testable = false)
    static EnterpriseArchive ear() {
        return ShrinkWrap.createFromZipFile(EnterpriseArchive.class, new File(System.getProperty("phr.it.ear")));
    }

    private static String oru(String identifier, String controlId, String glucose) {
        return String.join("\r",
                "MSH|^~\\&|LIS|st-mary|PHR|PHR|20260110083000||ORU^R01|" + controlId + "|P|2.5.1",
                "PID|1||" + identifier + "^^^&" + SYSTEM + "&URI||Seven^Lab||19700101|F",
                "OBR|1|PL-1|FL-" + controlId + "|24323-8^Comprehensive metabolic panel^LN|||20260110080000|||||||||||||||20260110082500|||F",
                "OBX|1|NM|2339-0^Glucose^LN||" + glucose + "|mg/dL^mg/dL^UCUM|70-99|H|||F",
                "OBX|2|NM|2823-3^Potassium^LN||4.1|mmol/L^mmol/L^UCUM|3.5-5.1|N|||F", "");
    }

    @Test
    void admissionsOrdersDispensesAndLocalCodesOverMllp() throws Exception {
        Platform platform = PlatformExtension.platform();
        Calls calls = new Calls(platform);
        String system = platform.serviceToken();
        String identifier = "ADT-" + UUID.randomUUID();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String pid = "PID|1||" + identifier + "^^^&" + SYSTEM + "&URI||Admitova^Anna^^^^^L||19800304|F|||Harbour Rd 2^^Seaside^^54321^NO";
        String[] messages = {
                String.join("\r", "MSH|^~\\&|HIS|st-mary|PHR|PHR|20260110083000||ADT^A01|" + run + "-a01|P|2.5.1", "EVN|A01|20260110083000", pid,
                        "PV1|1|I|WARD-2^7^1" + "|".repeat(16) + "V-" + run + "|".repeat(25) + "20260110080000", ""),
                String.join("\r", "MSH|^~\\&|CPOE|st-mary|PHR|PHR|20260110090000||RDE^O11|" + run + "-rde|P|2.5.1", pid,
                        "ORC|NW|ORD-" + run + "|||||||20260110090000|||^House^Gregory",
                        "RXE|^^^20260110^^R|197361^Amlodipine 5 MG Oral Tablet^RXNORM|5||mg^mg^UCUM||^take one each morning|||30|{tbl}^tablet^UCUM|2",
                        "RXR|PO^Oral^HL70162", ""),
                String.join("\r", "MSH|^~\\&|PHARM|st-mary|PHR|PHR|20260111090000||RDS^O13|" + run + "-rds|P|2.5.1", pid,
                        "ORC|RE|ORD-" + run, "RXD|1|197361^Amlodipine 5 MG Oral Tablet^RXNORM|20260111085500|30|{tbl}^tablet^UCUM||RX-" + run, ""),
                String.join("\r", "MSH|^~\\&|LIS|st-mary|PHR|PHR|20260112083000||ORU^R01|" + run + "-oru|P|2.4", pid,
                        "OBR|1|PL-1|FL-" + run + "|C9000^Diabetes panel^KOSTOM|||20260112080000|||||||||||||||20260112082500|||F",
                        "OBX|1|NM|C3812^HbA1c (test code)^KOSTOM||6.9|%^%^UCUM|4-5.6|H|||F", "")};
        HapiContext context = hapi();
        PipeParser parser = context.getPipeParser();
        Connection mllp = context.newClient("127.0.0.1", Integer.getInteger("phr.it.mllp.port"), false);
        try {
            for (String message : messages) {
                String ack = parser.encode(mllp.getInitiator().sendAndReceive(parser.parse(message)));
                assertThat(segment(ack, "MSA")).as(ack).startsWith("MSA|AA|" + run);
            }
        } finally {
            mllp.close();
        }
        JsonNode patients = json(calls.fhir("GET", "/Patient?identifier=" + SYSTEM + "%7C" + identifier, system, null));
        assertThat(patients.path("entry")).as("the admission registered the patient once").hasSize(1);
        String patientId = patients.path("entry").get(0).path("resource").path("id").asText();
        assertThat(patients.path("entry").get(0).path("resource").path("name").get(0).path("family").asText()).isEqualTo("Admitova");
        JsonNode matches = json(calls.api("POST", "/identity/match", system, "{\"demographics\":{\"identifiers\":[{\"system\":\"" + SYSTEM
                + "\",\"value\":\"" + identifier + "\"}]}}"));
        assertThat(matches).as("and one identity in the master patient index").hasSize(1);
        assertThat(matches.get(0).path("pseudonym").asText()).hasSize(64);
        JsonNode encounter = json(calls.fhir("GET", "/Encounter?subject=Patient/" + patientId, system, null));
        assertThat(encounter.path("entry")).hasSize(1);
        JsonNode visit = encounter.path("entry").get(0).path("resource");
        assertThat(visit.path("class").path("code").asText()).as("PV1-2 I: inpatient").isEqualTo("IMP");
        assertThat(visit.path("serviceProvider").path("identifier").path("system").asText()).isEqualTo("urn:phr:institution");
        assertThat(visit.path("serviceProvider").path("identifier").path("value").asText()).as("MSH-4").isEqualTo("st-mary");
        JsonNode request = json(calls.fhir("GET", "/MedicationRequest?subject=Patient/" + patientId, system, null));
        assertThat(request.path("entry")).hasSize(1);
        JsonNode order = request.path("entry").get(0).path("resource");
        assertThat(order.path("medicationCodeableConcept").path("coding").get(0).path("code").asText()).as("RXE-2").isEqualTo("197361");
        assertThat(order.path("status").asText()).as("ORC-1 NW").isEqualTo("active");
        JsonNode dispense = json(calls.fhir("GET", "/MedicationDispense?subject=Patient/" + patientId, system, null));
        assertThat(dispense.path("entry")).hasSize(1);
        assertThat(dispense.path("entry").get(0).path("resource").path("authorizingPrescription").get(0).path("identifier")
                .path("value").asText()).as("the order it fills, by ORC-2").isEqualTo("ORD-" + run);
        JsonNode hba1c = json(calls.fhir("GET", "/Observation?subject=Patient/" + patientId + "&code=http://loinc.org%7C4548-4", system, null));
        assertThat(hba1c.path("entry")).as("the local KOSTOM code got its LOINC code from the operator's ConceptMap").hasSize(1);

        String practitioner = calls.token("demo-practitioner", "2");
        HttpResponse<String> translated = calls.fhir("GET", "/ConceptMap/$translate?system=urn:phr:hl7v2:coding-system:KOSTOM&code=C3811"
                + "&targetsystem=http://loinc.org", practitioner, null);
        assertThat(translated.statusCode()).as(translated.body()).isEqualTo(200);
        JsonNode translation = json(translated);
        List<String> targets = new ArrayList<>();
        translation.path("parameter").forEach(p -> {
            if (p.path("name").asText().equals("match")) {
                p.path("part").forEach(part -> {
                    if (part.path("name").asText().equals("concept")) {
                        targets.add(part.path("valueCoding").path("system").asText() + "|" + part.path("valueCoding").path("code").asText());
                    }
                });
            }
        });
        assertThat(targets).containsExactly("http://loinc.org|2339-0");
    }

    /** HAPI's client side: every version read into the 2.5.1 model, no HAPI validation, no id file. */
    private static HapiContext hapi() {
        HapiContext context = new DefaultHapiContext(new CanonicalModelClassFactory("2.5.1"));
        context.setValidationContext(new NoValidation());
        context.getParserConfiguration().setIdGenerator(new InMemoryIDGenerator());
        return context;
    }

    /** A Patient with this identifier (system {@value #SYSTEM}), written by the institution's system; its id. */
    private static String patient(Calls calls, String system, String identifier, String family) throws Exception {
        HttpResponse<String> created = calls.fhir("POST", "/Patient", system, "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\""
                + SYSTEM + "\",\"value\":\"" + identifier + "\"}],\"name\":[{\"family\":\"" + family + "\"}],\"gender\":\"female\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return Calls.created(created);
    }

    private static String segment(String ack, String name) {
        return Arrays.stream(ack.split("\r")).filter(l -> l.startsWith(name)).findFirst().orElse("");
    }

    @Test
    void oruMessagesOverMllpAndHttpLandOnceAsFhirResourcesWithTheirBlockAndAuditEvent() throws Exception {
        Platform platform = PlatformExtension.platform();
        Calls calls = new Calls(platform);
        String system = platform.serviceToken();
        String identifier = "LAB-" + UUID.randomUUID();
        String patientId = patient(calls, system, identifier, "Seven");

        HapiContext context = hapi();
        PipeParser parser = context.getPipeParser();
        Connection mllp = context.newClient("127.0.0.1", Integer.getInteger("phr.it.mllp.port"), false);
        String run = UUID.randomUUID().toString().substring(0, 8);
        try {
            String first = parser.encode(mllp.getInitiator().sendAndReceive(parser.parse(oru(identifier, run + "-0", "105"))));
            assertThat(segment(first, "MSA")).isEqualTo("MSA|AA|" + run + "-0");
            assertThat(parser.encode(mllp.getInitiator().sendAndReceive(parser.parse(oru(identifier, run + "-0", "105")))))
                    .as("a resend gets the original ACK").isEqualTo(first);

            String unknownPatient = parser.encode(mllp.getInitiator().sendAndReceive(parser.parse(oru("NOBODY-" + run, run + "-x1", "99"))));
            assertThat(segment(unknownPatient, "MSA")).startsWith("MSA|AE|" + run + "-x1");
            assertThat(segment(unknownPatient, "ERR")).contains("PID^1^3").contains("204");
            String unknownSender = parser.encode(mllp.getInitiator().sendAndReceive(parser.parse(
                    oru(identifier, run + "-x2", "99").replace("|LIS|st-mary|", "|LIS|nowhere-lab|"))));
            assertThat(segment(unknownSender, "MSA")).startsWith("MSA|AR|" + run + "-x2");
            String notANumber = parser.encode(mllp.getInitiator().sendAndReceive(parser.parse(oru(identifier, run + "-x3", "high"))));
            assertThat(segment(notANumber, "MSA")).startsWith("MSA|AE|" + run + "-x3");

            for (int i = 1; i < MESSAGES; i++) {
                String ack = parser.encode(mllp.getInitiator().sendAndReceive(parser.parse(oru(identifier, run + "-" + i, String.valueOf(80 + i % 60)))));
                assertThat(segment(ack, "MSA")).as("message %d", i).isEqualTo("MSA|AA|" + run + "-" + i);
            }
        } finally {
            mllp.close();
        }
        JsonNode events = json(calls.api("GET", "/audit/events?patientId=" + patientId + "&limit=" + MESSAGES, system, null));
        assertThat(events).as("the newest %d AuditEvents about the patient: one per stored message, by the MLLP sender", MESSAGES)
                .hasSize(MESSAGES).allSatisfy(e -> {
                    assertThat(e.path("agent").get(0).path("who").path("identifier").path("value").asText()).as("the MLLP sender")
                            .isEqualTo("mllp:st-mary");
                    assertThat(e.path("outcome").asText()).isEqualTo("0");
                });

        HttpResponse<String> overHttp = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(platform.apiBase() + "/hl7v2"))
                .header("Authorization", "Bearer " + system).header("Content-Type", "application/hl7-v2")
                .POST(HttpRequest.BodyPublishers.ofString(oru(identifier, run + "-http", "111"))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(overHttp.statusCode()).as(overHttp.body()).isEqualTo(200);
        assertThat(segment(overHttp.body(), "MSA")).isEqualTo("MSA|AA|" + run + "-http");
        HttpResponse<String> garbage = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(platform.apiBase() + "/hl7v2"))
                .header("Authorization", "Bearer " + system).header("Content-Type", "application/hl7-v2")
                .POST(HttpRequest.BodyPublishers.ofString("not an HL7 message")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(segment(garbage.body(), "MSA")).startsWith("MSA|AR");
        HttpResponse<String> anonymous = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(platform.apiBase() + "/hl7v2"))
                .header("Content-Type", "application/hl7-v2").POST(HttpRequest.BodyPublishers.ofString(oru(identifier, run + "-anon", "1"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);

        JsonNode reports = json(calls.fhir("GET", "/DiagnosticReport?subject=Patient/" + patientId + "&_summary=count", system, null));
        assertThat(reports.path("total").asInt()).as("every accepted message once: %d over MLLP, 1 over HTTP", MESSAGES).isEqualTo(MESSAGES + 1);
        JsonNode observations = json(calls.fhir("GET", "/Observation?subject=Patient/" + patientId + "&_summary=count", system, null));
        assertThat(observations.path("total").asInt()).isEqualTo(2 * (MESSAGES + 1));
        JsonNode one = json(calls.fhir("GET", "/DiagnosticReport?subject=Patient/" + patientId + "&identifier=urn:phr:hl7v2:filler-order:st-mary%7CFL-"
                + run + "-0&_include=DiagnosticReport:result", system, null));
        assertThat(one.path("entry")).hasSize(3);
        Map<String, String> unitsByLoinc = new TreeMap<>();
        one.path("entry").forEach(e -> {
            JsonNode r = e.path("resource");
            if (r.path("resourceType").asText().equals("Observation")) {
                assertThat(r.path("code").path("coding").get(0).path("system").asText()).isEqualTo("http://loinc.org");
                assertThat(r.path("valueQuantity").path("system").asText()).isEqualTo("http://unitsofmeasure.org");
                unitsByLoinc.put(r.path("code").path("coding").get(0).path("code").asText(), r.path("valueQuantity").path("code").asText());
            }
        });
        assertThat(unitsByLoinc).as("OBX-3 and OBX-6 kept").containsExactlyEntriesOf(new TreeMap<>(Map.of("2339-0", "mg/dL", "2823-3", "mmol/L")));

        String reportId = one.path("entry").get(0).path("resource").path("resourceType").asText().equals("DiagnosticReport")
                ? one.path("entry").get(0).path("resource").path("id").asText() : one.path("entry").get(2).path("resource").path("id").asText();
        HttpResponse<String> proof = calls.api("GET", "/ledger/resources/DiagnosticReport/" + reportId + "/proof", system, null);
        assertThat(proof.statusCode()).as("the report is in the patient's chain: " + proof.body()).isEqualTo(200);
        assertThat(json(proof).path("entry").path("resourceType").asText()).isEqualTo("DiagnosticReport");
    }

    /**
     * Issue 25: a batch file over HTTP (FHS, BHS, three messages, BTS, FTS) gets a batch of one ACK per message, in
     * order, the bad one AE and the others stored; a message in ISO 8859-1 (MSH-18 {@code 8859/1}, no charset on the
     * HTTP Content-Type) and one in UTF-8 over MLLP (MSH-18 {@code UNICODE UTF-8}) keep their letters.
     */
    @Test
    void aBatchGetsOneAckPerMessageAndEachCharacterSetIsRead() throws Exception {
        Platform platform = PlatformExtension.platform();
        Calls calls = new Calls(platform);
        String system = platform.serviceToken();
        String identifier = "BATCH-" + UUID.randomUUID();
        String patientId = patient(calls, system, identifier, "Batch");
        String run = UUID.randomUUID().toString().substring(0, 8);

        String batch = String.join("\r", "FHS|^~\\&|LIS|st-mary|PHR|PHR|20260110090000||||FILE-" + run,
                "BHS|^~\\&|LIS|st-mary|PHR|PHR|20260110090000||||BATCH-" + run,
                oru(identifier, run + "-b1", "101").strip(), oru(identifier, run + "-b2", "high").strip(), oru(identifier, run + "-b3", "103").strip(),
                "BTS|3", "FTS|1", "");
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(platform.apiBase() + "/hl7v2"))
                .header("Authorization", "Bearer " + system).header("Content-Type", "application/hl7-v2")
                .POST(HttpRequest.BodyPublishers.ofString(batch)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        List<String> lines = List.of(answer.body().split("\r"));
        assertThat(lines.get(0)).startsWith("FHS|^~\\&|PHR|PHR|LIS|st-mary|").endsWith("|FILE-" + run);
        assertThat(lines.get(1)).startsWith("BHS|^~\\&|PHR|PHR|LIS|st-mary|").endsWith("|BATCH-" + run);
        assertThat(lines.stream().filter(l -> l.startsWith("MSA")).map(l -> l.substring(0, l.indexOf(run) + run.length() + 3)).toList())
                .containsExactly("MSA|AA|" + run + "-b1", "MSA|AE|" + run + "-b2", "MSA|AA|" + run + "-b3");
        assertThat(lines.stream().filter(l -> l.startsWith("MSH")).count()).isEqualTo(3);
        assertThat(lines.subList(lines.size() - 2, lines.size())).containsExactly("BTS|3", "FTS|1");
        for (String[] expected : new String[][]{{"b1", "1"}, {"b2", "0"}, {"b3", "1"}}) {
            JsonNode reports = json(calls.fhir("GET", "/DiagnosticReport?identifier=urn:phr:hl7v2:filler-order:st-mary%7CFL-" + run + "-"
                    + expected[0] + "&_summary=count", system, null));
            assertThat(reports.path("total").asInt()).as(expected[0]).isEqualTo(Integer.parseInt(expected[1]));
        }

        String latin1 = String.join("\r", "MSH|^~\\&|LIS|st-mary|PHR|PHR|20260110083000||ORU^R01|" + run + "-latin1|P|2.5.1|||||DEU|8859/1",
                "PID|1||" + identifier + "^^^&" + SYSTEM + "&URI||Batch||19700101|M",
                "OBR|1|PL-1|FL-" + run + "-latin1|24323-8^Comprehensive metabolic panel^LN|||20260110080000|||||||||||||||20260110082500|||F",
                "OBX|1|ST|8251-1^Comment^LN||Hämolyse, Probe trüb||||||F", "");
        HttpResponse<String> latin1Ack = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(platform.apiBase() + "/hl7v2"))
                .header("Authorization", "Bearer " + system).header("Content-Type", "application/hl7-v2")
                .POST(HttpRequest.BodyPublishers.ofByteArray(latin1.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(segment(latin1Ack.body(), "MSA")).isEqualTo("MSA|AA|" + run + "-latin1");

        HapiContext context = hapi();
        context.setLowerLayerProtocol(new ca.uhn.hl7v2.llp.MinLowerLayerProtocol(true));
        Connection mllp = context.newClient("127.0.0.1", Integer.getInteger("phr.it.mllp.port"), false);
        try {
            String utf8 = latin1.replace("-latin1|", "-utf8|").replace("|DEU|8859/1", "|DEU|UNICODE UTF-8")
                    .replace("Hämolyse, Probe trüb", "Hämolyse, Şahin-Labor, 溶血");
            String ack = context.getPipeParser().encode(mllp.getInitiator().sendAndReceive(context.getPipeParser().parse(utf8)));
            assertThat(segment(ack, "MSA")).isEqualTo("MSA|AA|" + run + "-utf8");
        } finally {
            mllp.close();
        }
        JsonNode comments = json(calls.fhir("GET", "/Observation?subject=Patient/" + patientId + "&code=http://loinc.org%7C8251-1", system, null));
        List<String> texts = new ArrayList<>();
        comments.path("entry").forEach(e -> texts.add(e.path("resource").path("valueString").asText()));
        assertThat(texts).containsExactlyInAnyOrder("Hämolyse, Probe trüb", "Hämolyse, Şahin-Labor, 溶血");
    }
}
