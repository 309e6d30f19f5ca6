package org.phrcloud.standards.hl7v2;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.v251.datatype.TS;
import ca.uhn.hl7v2.model.v251.message.ADT_A01;
import ca.uhn.hl7v2.model.v251.segment.PV1;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Reference;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * ADT^A01 (admit), ADT^A04 (register) and ADT^A08 (update patient information), all of structure ADT_A01 (HL7 v2.5.1
 * chapter 3), to a FHIR transaction Bundle after the V2-to-FHIR IG message maps ADT^A01/A04/A08:
 * <ul>
 *   <li>Patient ({@link PidMapper}): the one Patient PID-3 names is updated (PUT with its id); none: a new Patient
 *       (POST, {@code ifNoneExist} on the first identifier, so two messages racing still give one). The master
 *       patient index follows the Patient as for every FHIR write (registration or link: no duplicate identity).</li>
 *   <li>Encounter from PV1 (A01, A04; A08 when it carries PV1-19): identifier PV1-19 (visit number; the message's
 *       facility when CX-4 is empty), class PV1-2 (I inpatient, O ambulatory, E emergency, P pre-admission, else
 *       ambulatory; v3 ActCode), period PV1-44 to PV1-45, status in-progress (A01), arrived (A04) or finished (a
 *       discharge time), serviceProvider the sending institution ({@code urn:phr:institution|<MSH-4>}, which is what
 *       opens the record to that institution's care givers). With a visit number it is a conditional update (created
 *       once, updated by later messages), without one a new Encounter.</li>
 * </ul>
 */
final class AdtMapper {
    static final String VISIT_SYSTEM = "urn:phr:hl7v2:visit-number:";
    static final String INSTITUTION_SYSTEM = "urn:phr:institution";

    /** The Patient PID-3 names, if there is one (and the sender may update it). */
    interface ExistingPatient {
        /** @throws HL7Exception DUPLICATE_KEY_IDENTIFIER when the identifiers name more than one Patient; AR-class when not allowed */
        Optional<Patient> find(List<Identifier> identifiers) throws HL7Exception;
    }

    private AdtMapper() {
    }

    static Bundle map(ADT_A01 message, String event, ExistingPatient patients, String sendingFacility) throws HL7Exception {
        Bundle tx = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        List<Identifier> identifiers = PidMapper.identifiers(message.getPID());
        Optional<Patient> existing = patients.find(identifiers);
        Patient patient = PidMapper.apply(message.getPID(), existing.map(Patient::copy).orElseGet(Patient::new));
        String patientReference;
        if (existing.isPresent()) {
            String id = existing.get().getIdElement().getIdPart();
            patient.setId(id);
            patient.setMeta(null);
            patientReference = "Patient/" + id;
            tx.addEntry().setFullUrl(patientReference).setResource(patient).getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl(patientReference);
        } else {
            patientReference = "urn:uuid:" + UUID.randomUUID();
            Identifier first = identifiers.get(0);
            tx.addEntry().setFullUrl(patientReference).setResource(patient).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Patient")
                    .setIfNoneExist("identifier=" + first.getSystem() + "|" + first.getValue());
        }
        PV1 pv1 = message.getPV1();
        Identifier visit = V2Datatypes.identifier(pv1.getVisitNumber());
        if (visit == null && pv1.getVisitNumber().getIDNumber().getValue() != null) {
            visit = new Identifier().setSystem(VISIT_SYSTEM + sendingFacility).setValue(pv1.getVisitNumber().getIDNumber().getValue().strip());
        }
        boolean hasVisit = pv1.getPatientClass().getValue() != null || visit != null;
        if (hasVisit && (!"A08".equals(event) || visit != null)) {
            Encounter encounter = encounter(pv1, event, visit, patientReference, sendingFacility);
            Bundle.BundleEntryComponent entry = tx.addEntry().setFullUrl("urn:uuid:" + UUID.randomUUID()).setResource(encounter);
            if (visit != null) {
                entry.getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl("Encounter?identifier=" + visit.getSystem() + "|" + visit.getValue());
            } else {
                entry.getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Encounter");
            }
        }
        return tx;
    }

    private static Encounter encounter(PV1 pv1, String event, Identifier visit, String patientReference, String facility) throws HL7Exception {
        Encounter e = new Encounter();
        if (visit != null) {
            e.addIdentifier(visit.setUse(Identifier.IdentifierUse.OFFICIAL));
        }
        String patientClass = pv1.getPatientClass().getValue() == null ? "" : pv1.getPatientClass().getValue().strip();
        e.setClass_(switch (patientClass) {
            case "I" -> new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "IMP", "inpatient encounter");
            case "E" -> new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "EMER", "emergency");
            case "P" -> new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "PRENC", "pre-admission");
            default -> new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB", "ambulatory");
        });
        e.setSubject(new Reference(patientReference));
        e.setServiceProvider(new Reference().setIdentifier(new Identifier().setSystem(INSTITUTION_SYSTEM).setValue(facility)));
        Period period = new Period();
        DateTimeType admitted = V2Datatypes.dateTime(pv1.getAdmitDateTime(), "PV1", 44);
        if (admitted != null) {
            period.setStartElement(admitted);
        }
        TS[] discharges = pv1.getDischargeDateTime();
        DateTimeType discharged = discharges.length == 0 ? null : V2Datatypes.dateTime(discharges[0], "PV1", 45);
        if (discharged != null) {
            period.setEndElement(discharged);
        }
        if (period.hasStart() || period.hasEnd()) {
            e.setPeriod(period);
        }
        e.setStatus(discharged != null ? Encounter.EncounterStatus.FINISHED
                : "A04".equals(event) ? Encounter.EncounterStatus.ARRIVED : Encounter.EncounterStatus.INPROGRESS);
        return e;
    }
}
