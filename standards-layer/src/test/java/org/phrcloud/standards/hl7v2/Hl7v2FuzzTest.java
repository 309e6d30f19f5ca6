package org.phrcloud.standards.hl7v2;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.model.v251.segment.MSH;
import ca.uhn.hl7v2.parser.PipeParser;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.hl7.fhir.r4.model.Bundle;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * HL7 v2 ingestion (issue 25, fuzzing): the steps {@link Hl7v2Ingestion#receive(String, Hl7v2Ingestion.Senders)} takes
 * before the database, on any bytes: decoded in the character set MSH-18 declares, segment terminators normalized,
 * parsed into the v2.5.1 model; a message of a supported type mapped to its FHIR transaction (the patients it names
 * taken as found), that transaction written as FHIR JSON, and its ACK built. What cannot be read or mapped must end
 * in an {@code HL7Exception} (the ingestion's {@code AR}/{@code AE} with ERR), never in another exception, which would
 * leave the sender without an answer. The seeds (Hl7v2FuzzTestInputs) are one message of each supported type and
 * version, and the findings, each a regression test.
 */
class Hl7v2FuzzTest {
    private static final PipeParser PARSER = Hl7v2Ingestion.newContext().getPipeParser();
    private static final FhirContext FHIR = FhirContext.forR4Cached();

    @FuzzTest
    void mapsAMessageOrRefusesItWithAnHl7Error(byte[] bytes) throws Exception {
        String er7 = new String(bytes, Hl7v2Ingestion.charsetOf(bytes, StandardCharsets.ISO_8859_1));
        Message message;
        String type;
        try {
            message = PARSER.parse(Hl7v2Ingestion.normalized(er7));
            MSH msh = (MSH) message.get("MSH");
            type = msh.getMessageType().getMessageCode().getValue() + "^" + msh.getMessageType().getTriggerEvent().getValue();
        } catch (HL7Exception | RuntimeException unreadable) {
            return; // receive(): AR with ERR 100/102, built without the message
        }
        if (!Hl7v2Ingestion.TYPES.contains(type)) {
            return; // AR 200/201
        }
        HL7Exception refused = null;
        try {
            Bundle tx = Hl7v2Ingestion.map(message, type, "fuzz-lab", identifiers -> "p-1", identifiers -> Optional.empty());
            assertThat(FHIR.newJsonParser().encodeResourceToString(tx)).startsWith("{\"resourceType\":\"Bundle\"");
        } catch (HL7Exception e) {
            refused = e;
        }
        try {
            String ack = PARSER.encode(message.generateACK(refused == null ? AcknowledgmentCode.AA : AcknowledgmentCode.AE, refused));
            assertThat(ack).startsWith("MSH");
        } catch (HL7Exception unencodable) {
            // e.g. MSH-2 not four encoding characters: the ingestion builds an AR from scratch instead
        }
    }
}
