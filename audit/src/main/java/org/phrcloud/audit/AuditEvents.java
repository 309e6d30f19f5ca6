package org.phrcloud.audit;

import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.phrcloud.identity.PhrRole;
import org.phrcloud.identity.caller.Caller;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.UUID;

/**
 * Builds FHIR R4 AuditEvents in the shape of IHE Basic Audit Log Patterns (BALP, profiles.ihe.net/ITI/BALP): type
 * {@code rest}, subtype the FHIR restful interaction, action C/R/U/D/E, the requesting agent (Keycloak user or client,
 * its roles, the network address), the server as source, the patient entities (role Patient), the resources
 * touched (role Domain Resource), the query of a search (role Query, Base64) and the X-Request-ID (BALP entity type
 * {@code XrequestId}).
 */
public final class AuditEvents {
    public static final String PERSON_SYSTEM = "https://phr-cloud.org/fhir/sid/keycloak-user";
    public static final String CLIENT_SYSTEM = "https://phr-cloud.org/fhir/sid/keycloak-client";
    public static final String ROLE_SYSTEM = "https://phr-cloud.org/fhir/CodeSystem/phr-role";
    /** On the requesting agent: an institution the actor belongs to (Keycloak group), one extension each. */
    public static final String INSTITUTION_EXTENSION = "https://phr-cloud.org/fhir/StructureDefinition/agent-institution";
    private static final String ENTITY_TYPE = "http://terminology.hl7.org/CodeSystem/audit-entity-type";
    private static final String OBJECT_ROLE = "http://terminology.hl7.org/CodeSystem/object-role";

    private AuditEvents() {
    }

    /**
     * @param kind        read, vread, search, history, create, update, delete, operation, transaction (restful-interaction codes where they exist)
     * @param outcome     0, 4 or 8 (AuditEventOutcome)
     * @param description why it failed; null on success
     * @param token       the caller's verified token; null without one
     * @param address     the client's network address; may be null
     * @param institution this deployment's institution (the source site)
     * @param resources   references of the resources read or written, {@code Type/id[/_history/v]}
     * @param query       the search's query string; null for other kinds
     * @param purpose     HL7 v3 ActReason code of the purpose of use (e.g. TREAT, ETREAT); null if none stated
     */
    public static AuditEvent build(String kind, int outcome, String description, Caller token, String address,
                                   String institution, Collection<String> patientIds, Collection<String> resources, String query,
                                   String requestId, String purpose, Instant now) {
        AuditEvent e = new AuditEvent();
        e.setId(UUID.randomUUID().toString());
        e.setType(new Coding("http://terminology.hl7.org/CodeSystem/audit-event-type", "rest", "Restful Operation"));
        e.addSubtype(new Coding("http://hl7.org/fhir/restful-interaction", interaction(kind), kind));
        e.setAction(switch (kind) {
            case "create" -> AuditEvent.AuditEventAction.C;
            case "update" -> AuditEvent.AuditEventAction.U;
            case "delete" -> AuditEvent.AuditEventAction.D;
            case "operation", "transaction" -> AuditEvent.AuditEventAction.E;
            default -> AuditEvent.AuditEventAction.R;
        });
        e.setRecorded(Date.from(now));
        e.setOutcome(switch (outcome) {
            case 0 -> AuditEvent.AuditEventOutcome._0;
            case 4 -> AuditEvent.AuditEventOutcome._4;
            default -> AuditEvent.AuditEventOutcome._8;
        });
        if (description != null) {
            e.setOutcomeDesc(description);
        }
        if (purpose != null) {
            e.addPurposeOfEvent(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/v3-ActReason", purpose, null)));
        }
        AuditEvent.AuditEventAgentComponent agent = e.addAgent().setRequestor(true);
        agent.setType(new CodeableConcept(new Coding("http://dicom.nema.org/resources/ontology/DCM", "110153", "Source Role ID")));
        if (token == null) {
            agent.setWho(new Reference().setDisplay("anonymous"));
        } else {
            agent.setWho(new Reference().setIdentifier(new Identifier().setSystem(token.serviceAccount() ? CLIENT_SYSTEM : PERSON_SYSTEM)
                    .setValue(token.serviceAccount() ? token.clientId() : token.subject())).setDisplay(token.username()));
            agent.setAltId(token.username());
            for (PhrRole role : token.roles()) {
                agent.addRole(new CodeableConcept(new Coding(ROLE_SYSTEM, role.roleName(), null)));
            }
            for (String memberOf : token.institutions()) {
                agent.addExtension(INSTITUTION_EXTENSION, new org.hl7.fhir.r4.model.StringType(memberOf));
            }
        }
        if (address != null) {
            agent.getNetwork().setAddress(address).setType(AuditEvent.AuditEventAgentNetworkType._2);
        }
        e.getSource().setSite(institution).setObserver(new Reference().setDisplay("PHR Cloud " + institution))
                .addType(new Coding("http://terminology.hl7.org/CodeSystem/security-source-type", "4", "Application Server"));
        for (String patientId : patientIds) {
            e.addEntity().setWhat(new Reference("Patient/" + patientId))
                    .setType(new Coding(ENTITY_TYPE, "1", "Person")).setRole(new Coding(OBJECT_ROLE, "1", "Patient"));
        }
        for (String resource : resources) {
            e.addEntity().setWhat(new Reference(resource))
                    .setType(new Coding(ENTITY_TYPE, "2", "System Object")).setRole(new Coding(OBJECT_ROLE, "4", "Domain Resource"));
        }
        if (query != null) {
            e.addEntity().setType(new Coding(ENTITY_TYPE, "2", "System Object")).setRole(new Coding(OBJECT_ROLE, "24", "Query"))
                    .setQuery(query.getBytes(StandardCharsets.UTF_8));
        }
        if (requestId != null) {
            e.addEntity().setWhat(new Reference().setIdentifier(new Identifier().setValue(requestId)))
                    .setType(new Coding("https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType", "XrequestId", "X-Request-Id"));
        }
        return e;
    }

    private static String interaction(String kind) {
        return switch (kind) {
            case "search" -> "search-type";
            case "history" -> "history-instance";
            default -> kind;
        };
    }
}
