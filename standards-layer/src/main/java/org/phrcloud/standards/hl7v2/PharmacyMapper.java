package org.phrcloud.standards.hl7v2;

import ca.uhn.hl7v2.ErrorCode;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.v251.datatype.CE;
import ca.uhn.hl7v2.model.v251.datatype.NM;
import ca.uhn.hl7v2.model.v251.datatype.XCN;
import ca.uhn.hl7v2.model.v251.group.RDE_O11_ORDER;
import ca.uhn.hl7v2.model.v251.group.RDS_O13_ORDER;
import ca.uhn.hl7v2.model.v251.message.RDE_O11;
import ca.uhn.hl7v2.model.v251.message.RDS_O13;
import ca.uhn.hl7v2.model.v251.segment.ORC;
import ca.uhn.hl7v2.model.v251.segment.RXD;
import ca.uhn.hl7v2.model.v251.segment.RXE;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Dosage;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.MedicationDispense;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.UnsignedIntType;

import java.math.BigDecimal;
import java.util.UUID;

/**
 * Pharmacy messages (HL7 v2.5.1 chapter 4A) to FHIR, after the V2-to-FHIR IG message maps RDE^O11 and RDS^O13.
 * <ul>
 *   <li>RDE^O11, per ORDER: a MedicationRequest (intent order): medication RXE-2, dose RXE-3 in RXE-5, route RXR-1,
 *       instructions RXE-7, dispense quantity RXE-10 in RXE-11, refills RXE-12, authoredOn ORC-9, requester ORC-12
 *       (display), identifiers ORC-2 placer and ORC-3 filler, status from ORC-1 (NW/OK/SN/XO/RP active, CA/OC/CR
 *       cancelled, DC/OD stopped, HD/OH on-hold). With a placer number it is a conditional update on it: a later
 *       message about the same order (a cancel, a hold) updates the same MedicationRequest.</li>
 *   <li>RDS^O13, per ORDER: a MedicationDispense (status completed): medication RXD-2, handed over RXD-3, quantity
 *       RXD-4 in RXD-5, identifier RXD-7 (prescription number), authorizingPrescription the order by its placer
 *       number (ORC-2, a logical reference), performer RXD-10 (display).</li>
 * </ul>
 * Errors: a missing RXE-2 or RXD-2 (101), a number that is not one (102).
 */
final class PharmacyMapper {
    static final String PLACER_SYSTEM = "urn:phr:hl7v2:placer-order:";
    static final String PRESCRIPTION_SYSTEM = "urn:phr:hl7v2:prescription:";

    private PharmacyMapper() {
    }

    static Bundle orders(RDE_O11 message, OruR01Mapper.PatientResolver patients, String facility) throws HL7Exception {
        Reference subject = new Reference("Patient/" + patients.patientId(PidMapper.identifiers(message.getPATIENT().getPID())));
        Bundle tx = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        int repetition = 0;
        for (RDE_O11_ORDER order : message.getORDERAll()) {
            repetition++;
            ORC orc = order.getORC();
            RXE rxe = order.getRXE();
            MedicationRequest request = new MedicationRequest();
            request.setIntent(MedicationRequest.MedicationRequestIntent.ORDER);
            request.setStatus(requestStatus(orc.getOrderControl().getValue()));
            request.setMedication(required(rxe.getGiveCode(), "RXE", 2, repetition));
            request.setSubject(subject);
            Identifier placer = orderIdentifier(orc.getPlacerOrderNumber().getEntityIdentifier().getValue(), PLACER_SYSTEM + facility, "PLAC");
            if (placer != null) {
                request.addIdentifier(placer);
            }
            Identifier filler = orderIdentifier(orc.getFillerOrderNumber().getEntityIdentifier().getValue(), OruR01Mapper.FILLER_SYSTEM + facility, "FILL");
            if (filler != null) {
                request.addIdentifier(filler);
            }
            DateTimeType authored = V2Datatypes.dateTime(orc.getDateTimeOfTransaction(), "ORC", 9);
            if (authored != null) {
                request.setAuthoredOnElement(authored);
            }
            String requester = name(orc.getOrderingProvider());
            if (requester != null) {
                request.setRequester(new Reference().setDisplay(requester));
            }
            Dosage dosage = new Dosage();
            BigDecimal dose = number(rxe.getGiveAmountMinimum(), "RXE", 3, repetition);
            if (dose != null) {
                dosage.addDoseAndRate().setDose(V2Datatypes.quantity(dose, rxe.getGiveUnits()));
            }
            if (order.getRXR().getRoute().getIdentifier().getValue() != null) {
                dosage.setRoute(V2Datatypes.concept(order.getRXR().getRoute()));
            }
            StringBuilder text = new StringBuilder();
            for (CE instruction : rxe.getProviderSAdministrationInstructions()) {
                String t = instruction.getText().getValue() != null ? instruction.getText().getValue() : instruction.getIdentifier().getValue();
                if (t != null) {
                    text.append(text.isEmpty() ? "" : "; ").append(t);
                }
            }
            if (!text.isEmpty()) {
                dosage.setText(text.toString());
            }
            if (!dosage.isEmpty()) {
                request.addDosageInstruction(dosage);
            }
            BigDecimal dispense = number(rxe.getDispenseAmount(), "RXE", 10, repetition);
            if (dispense != null) {
                request.getDispenseRequest().setQuantity(V2Datatypes.quantity(dispense, rxe.getDispenseUnits()));
            }
            BigDecimal refills = number(rxe.getNumberOfRefills(), "RXE", 12, repetition);
            if (refills != null) {
                request.getDispenseRequest().setNumberOfRepeatsAllowedElement(new UnsignedIntType(refills.intValue()));
            }
            Bundle.BundleEntryComponent entry = tx.addEntry().setFullUrl("urn:uuid:" + UUID.randomUUID()).setResource(request);
            if (placer != null) {
                entry.getRequest().setMethod(Bundle.HTTPVerb.PUT)
                        .setUrl("MedicationRequest?identifier=" + placer.getSystem() + "|" + placer.getValue());
            } else {
                entry.getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("MedicationRequest");
            }
        }
        return tx;
    }

    static Bundle dispenses(RDS_O13 message, OruR01Mapper.PatientResolver patients, String facility) throws HL7Exception {
        Reference subject = new Reference("Patient/" + patients.patientId(PidMapper.identifiers(message.getPATIENT().getPID())));
        Bundle tx = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        int repetition = 0;
        for (RDS_O13_ORDER order : message.getORDERAll()) {
            repetition++;
            ORC orc = order.getORC();
            RXD rxd = order.getRXD();
            MedicationDispense dispense = new MedicationDispense();
            dispense.setStatus(MedicationDispense.MedicationDispenseStatus.COMPLETED);
            dispense.setMedication(required(rxd.getDispenseGiveCode(), "RXD", 2, repetition));
            dispense.setSubject(subject);
            DateTimeType handedOver = V2Datatypes.dateTime(rxd.getDateTimeDispensed(), "RXD", 3);
            if (handedOver != null) {
                dispense.setWhenHandedOverElement(handedOver);
            }
            BigDecimal amount = number(rxd.getActualDispenseAmount(), "RXD", 4, repetition);
            if (amount != null) {
                dispense.setQuantity(V2Datatypes.quantity(amount, rxd.getActualDispenseUnits()));
            }
            String prescription = rxd.getPrescriptionNumber().getValue();
            if (prescription != null && !prescription.isBlank()) {
                dispense.addIdentifier().setSystem(PRESCRIPTION_SYSTEM + facility).setValue(prescription.strip());
            }
            Identifier placer = orderIdentifier(orc.getPlacerOrderNumber().getEntityIdentifier().getValue(), PLACER_SYSTEM + facility, "PLAC");
            if (placer != null) {
                dispense.addAuthorizingPrescription(new Reference().setType("MedicationRequest").setIdentifier(placer));
            }
            String pharmacist = name(rxd.getDispensingProvider());
            if (pharmacist != null) {
                dispense.addPerformer().setActor(new Reference().setDisplay(pharmacist));
            }
            tx.addEntry().setFullUrl("urn:uuid:" + UUID.randomUUID()).setResource(dispense).getRequest()
                    .setMethod(Bundle.HTTPVerb.POST).setUrl("MedicationDispense");
        }
        return tx;
    }

    /** ORC-1 (HL7 table 0119) to MedicationRequest.status. */
    static MedicationRequest.MedicationRequestStatus requestStatus(String orderControl) {
        return switch (orderControl == null ? "" : orderControl.strip()) {
            case "CA", "OC", "CR" -> MedicationRequest.MedicationRequestStatus.CANCELLED;
            case "DC", "OD" -> MedicationRequest.MedicationRequestStatus.STOPPED;
            case "HD", "OH" -> MedicationRequest.MedicationRequestStatus.ONHOLD;
            case "NW", "OK", "SN", "XO", "RP", "XX", "RL", "RO", "" -> MedicationRequest.MedicationRequestStatus.ACTIVE;
            default -> MedicationRequest.MedicationRequestStatus.UNKNOWN;
        };
    }

    private static CodeableConcept required(CE ce, String segment, int field, int repetition) throws HL7Exception {
        CodeableConcept c = V2Datatypes.concept(ce);
        if (!c.hasCoding()) {
            HL7Exception e = V2Datatypes.error(segment + "-" + field + " (medication code) is required", ErrorCode.REQUIRED_FIELD_MISSING, segment, field);
            e.setSegmentRepetition(repetition);
            throw e;
        }
        return c;
    }

    private static BigDecimal number(NM nm, String segment, int field, int repetition) throws HL7Exception {
        String value = nm.getValue();
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return new BigDecimal(value.strip());
        } catch (NumberFormatException e) {
            HL7Exception error = V2Datatypes.error(segment + "-" + field + " is not a number", ErrorCode.DATA_TYPE_ERROR, segment, field);
            error.setSegmentRepetition(repetition);
            throw error;
        }
    }

    private static Identifier orderIdentifier(String value, String system, String type) {
        if (value == null || value.isBlank()) {
            return null;
        }
        return new Identifier().setSystem(system).setValue(value.strip())
                .setType(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/v2-0203", type, null)));
    }

    /** "given family" of the first XCN; null if none. */
    private static String name(XCN[] people) {
        for (XCN x : people) {
            String family = x.getFamilyName().getSurname().getValue();
            String given = x.getGivenName().getValue();
            String name = ((given == null ? "" : given.strip() + " ") + (family == null ? "" : family.strip())).strip();
            if (!name.isEmpty()) {
                return name;
            }
            if (x.getIDNumber().getValue() != null) {
                return x.getIDNumber().getValue();
            }
        }
        return null;
    }
}
