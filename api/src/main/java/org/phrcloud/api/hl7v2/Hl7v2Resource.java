package org.phrcloud.api.hl7v2;

import jakarta.servlet.ServletContext;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.phrcloud.identity.caller.Caller;
import org.phrcloud.core.rest.SpringBeans;
import org.phrcloud.core.rest.Access;
import org.phrcloud.core.rest.AccessFilter;
import org.phrcloud.core.rest.Party;
import org.phrcloud.standards.hl7v2.Hl7v2Ingestion;

/**
 * {@code POST /api/hl7v2}: one HL7 v2 message or a batch in the body (ER7), its ACK (or batch of ACKs) in the answer,
 * after the HL7 over HTTP profile (HAPI "HL7 over HTTP": media type {@code application/hl7-v2}, status 200 with the ACK
 * whatever MSA-1 says).
 * The sending facility (MSH-4) must be one of the caller's institutions.
 */
@Path("hl7v2")
@Tag(name = "hl7v2", description = "HL7 v2 messages from hospital, laboratory and pharmacy systems")
@SecurityRequirement(name = "keycloak")
public class Hl7v2Resource {
    /** The media type of HL7 v2 ER7 messages over HTTP. */
    public static final String HL7_V2 = "application/hl7-v2";

    @Context
    private ServletContext servletContext;
    @Context
    private ContainerRequestContext request;

    @POST
    @Consumes({HL7_V2, "x-application/hl7-v2+er7", MediaType.TEXT_PLAIN})
    @Produces(HL7_V2)
    @Access({Party.CARE_GIVER, Party.INSTITUTION_SYSTEM})
    @Operation(summary = "Send one HL7 v2 message or a batch (ADT^A01/A04/A08, ORU^R01, RDE^O11, RDS^O13; v2.3 to v2.6); the answer is its ACK",
            description = "MSA-1 AA once the message's FHIR resources are committed with their ledger block and AuditEvent; AE or AR "
                    + "with an ERR segment naming the problem, and nothing written. A message already processed (MSH-4 + MSH-10) "
                    + "gets its original ACK again. A batch (FHS/BHS ... BTS/FTS) gets a batch of one ACK per message, each "
                    + "message processed on its own. The body is read in the charset of the Content-Type, else the one MSH-18 "
                    + "declares (ASCII, 8859/1, UNICODE UTF-8, ...), else UTF-8. Pharmacists, labs and practitioners (acr=2) or "
                    + "an institution's system (client credentials); MSH-4 must be one of the caller's institutions.")
    @APIResponse(responseCode = "200", description = "the ACK or the batch of ACKs (ER7, UTF-8)")
    public Response receive(byte[] body, @jakarta.ws.rs.HeaderParam("Content-Type") String contentType) {
        Caller caller = AccessFilter.caller(request);
        java.nio.charset.Charset charset = Hl7v2Ingestion.charsetOf(body, java.nio.charset.StandardCharsets.UTF_8);
        if (contentType != null) {
            try {
                String declared = MediaType.valueOf(contentType).getParameters().get(MediaType.CHARSET_PARAMETER);
                if (declared != null) {
                    charset = java.nio.charset.Charset.forName(declared);
                }
            } catch (IllegalArgumentException ignored) {
                // an unknown or malformed charset: MSH-18 or UTF-8, as without one
            }
        }
        String ack = SpringBeans.get(servletContext, Hl7v2Ingestion.class).receiveAll(new String(body, charset), facility -> {
            if (!caller.institutions().contains(facility)) {
                throw Hl7v2Ingestion.refusedSender("MSH-4 " + facility + " is not an institution of the caller");
            }
            return caller;
        });
        return Response.ok(ack, HL7_V2 + ";charset=UTF-8").build();
    }
}
