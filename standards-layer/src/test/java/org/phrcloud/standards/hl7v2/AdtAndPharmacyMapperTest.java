package org.phrcloud.standards.hl7v2;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.v251.message.ADT_A01;
import ca.uhn.hl7v2.model.v251.message.RDE_O11;
import ca.uhn.hl7v2.model.v251.message.RDS_O13;
import ca.uhn.hl7v2.parser.PipeParser;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.MedicationDispense;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AdtAndPharmacyMapperTest {
    private static final PipeParser PARSER = Hl7v2Ingestion.newContext().getPipeParser();

    @Test
    void anAdmissionOfANewPatientPostsThePatientOnceAndItsEncounter() throws Exception {
        Bundle tx = AdtMapper.map((ADT_A01) PARSER.parse(Hl7v2Messages.adt("A01", "A-1", "N-1", "Lindqvist", "V-77")), "A01", ids -> Optional.empty(), "st-mary");
        assertThat(tx.getEntry()).hasSize(2);
        Bundle.BundleEntryComponent patientEntry = tx.getEntry().get(0);
        assertThat(patientEntry.getRequest().getMethod()).isEqualTo(Bundle.HTTPVerb.POST);
        assertThat(patientEntry.getRequest().getIfNoneExist()).isEqualTo("identifier=urn:test:national-id|N-1");
        Patient patient = (Patient) patientEntry.getResource();
        assertThat(patient.getNameFirstRep().getFamily()).isEqualTo("Lindqvist");
        assertThat(patient.getNameFirstRep().getGivenAsSingleString()).isEqualTo("Maria");
        assertThat(patient.getNameFirstRep().getUse()).isEqualTo(org.hl7.fhir.r4.model.HumanName.NameUse.OFFICIAL);
        assertThat(patient.getBirthDateElement().getValueAsString()).isEqualTo("1970-01-02");
        assertThat(patient.getGender()).isEqualTo(Enumerations.AdministrativeGender.FEMALE);
        assertThat(patient.getAddressFirstRep().getCity()).isEqualTo("Springfield");
        assertThat(patient.getTelecomFirstRep().getValue()).isEqualTo("555-0100");

        Bundle.BundleEntryComponent encounterEntry = tx.getEntry().get(1);
        assertThat(encounterEntry.getRequest().getMethod()).isEqualTo(Bundle.HTTPVerb.PUT);
        assertThat(encounterEntry.getRequest().getUrl()).isEqualTo("Encounter?identifier=urn:phr:hl7v2:visit-number:st-mary|V-77");
        Encounter encounter = (Encounter) encounterEntry.getResource();
        assertThat(encounter.getClass_().getCode()).isEqualTo("IMP");
        assertThat(encounter.getStatus()).isEqualTo(Encounter.EncounterStatus.INPROGRESS);
        assertThat(encounter.getSubject().getReference()).isEqualTo(patientEntry.getFullUrl());
        assertThat(encounter.getServiceProvider().getIdentifier().getSystem()).isEqualTo("urn:phr:institution");
        assertThat(encounter.getServiceProvider().getIdentifier().getValue()).isEqualTo("st-mary");
        assertThat(encounter.getPeriod().getStartElement().getValueAsString()).isEqualTo("2026-01-10T08:00:00+00:00");
    }

    @Test
    void anUpdateOfAKnownPatientPutsItKeepingWhatTheMessageDoesNotSay() throws Exception {
        Patient known = new Patient();
        known.setId("Patient/42/_history/3");
        known.addIdentifier().setSystem("urn:other").setValue("kept");
        known.addIdentifier().setSystem("urn:test:national-id").setValue("N-1");
        known.setGender(Enumerations.AdministrativeGender.FEMALE);
        String a08 = Hl7v2Messages.adt("A08", "A-2", "N-1", "Lindqvist-Berg", "").replace("|19700102|F|", "|||");
        Bundle tx = AdtMapper.map((ADT_A01) PARSER.parse(a08), "A08", ids -> Optional.of(known), "st-mary");
        assertThat(tx.getEntry()).as("an A08 without a visit number touches no Encounter").hasSize(1);
        assertThat(tx.getEntryFirstRep().getRequest().getMethod()).isEqualTo(Bundle.HTTPVerb.PUT);
        assertThat(tx.getEntryFirstRep().getRequest().getUrl()).isEqualTo("Patient/42");
        Patient updated = (Patient) tx.getEntryFirstRep().getResource();
        assertThat(updated.getNameFirstRep().getFamily()).isEqualTo("Lindqvist-Berg");
        assertThat(updated.getGender()).as("not in the message: kept").isEqualTo(Enumerations.AdministrativeGender.FEMALE);
        assertThat(updated.getIdentifier()).hasSize(2);
    }

    @Test
    void anUpdateWithTheExplicitNullRemovesWhatTheReceiverHeldForThoseFields() throws Exception {
        Patient known = new Patient();
        known.setId("Patient/42/_history/3");
        known.addIdentifier().setSystem("urn:test:national-id").setValue("N-1");
        known.setGender(Enumerations.AdministrativeGender.FEMALE);
        known.setBirthDateElement(new org.hl7.fhir.r4.model.DateType("1970-01-02"));
        known.addAddress().addLine("Main St 1").setCity("Springfield");
        known.addTelecom().setSystem(org.hl7.fhir.r4.model.ContactPoint.ContactPointSystem.PHONE).setValue("555-0100");
        String a08 = Hl7v2Messages.adt("A08", "A-3", "N-1", "Lindqvist", "")
                .replace("|19700102|F|||Main St 1^^Springfield^^12345^US||555-0100", "|\"\"|\"\"|||\"\"||\"\"");
        Patient updated = (Patient) AdtMapper.map((ADT_A01) PARSER.parse(a08), "A08", ids -> Optional.of(known), "st-mary")
                .getEntryFirstRep().getResource();
        assertThat(updated.hasBirthDate()).as("PID-7 \"\"").isFalse();
        assertThat(updated.hasGender()).as("PID-8 \"\"").isFalse();
        assertThat(updated.getAddress()).as("PID-11 \"\"").isEmpty();
        assertThat(updated.getTelecom()).as("PID-13 \"\"").isEmpty();
        assertThat(updated.getNameFirstRep().getFamily()).isEqualTo("Lindqvist");

        String city = Hl7v2Messages.adt("A08", "A-4", "N-1", "Lindqvist", "").replace("Main St 1^^Springfield", "\"\"^^Springfield");
        Patient moved = (Patient) AdtMapper.map((ADT_A01) PARSER.parse(city), "A08", ids -> Optional.of(known), "st-mary")
                .getEntryFirstRep().getResource();
        assertThat(moved.getAddressFirstRep().getLine()).as("a null street in an address with a city: no line, never the text \"\"")
                .isEmpty();
        assertThat(moved.getAddressFirstRep().getCity()).isEqualTo("Springfield");
    }

    @Test
    void anOrderBecomesAMedicationRequestKeyedByItsPlacerNumber() throws Exception {
        Bundle tx = PharmacyMapper.orders((RDE_O11) PARSER.parse(Hl7v2Messages.rde("R-1", "N-1", "NW", "ORD-9")), ids -> "42", "st-mary");
        assertThat(tx.getEntry()).hasSize(1);
        assertThat(tx.getEntryFirstRep().getRequest().getMethod()).isEqualTo(Bundle.HTTPVerb.PUT);
        assertThat(tx.getEntryFirstRep().getRequest().getUrl()).isEqualTo("MedicationRequest?identifier=urn:phr:hl7v2:placer-order:st-mary|ORD-9");
        MedicationRequest request = (MedicationRequest) tx.getEntryFirstRep().getResource();
        assertThat(request.getStatus()).isEqualTo(MedicationRequest.MedicationRequestStatus.ACTIVE);
        assertThat(request.getIntent()).isEqualTo(MedicationRequest.MedicationRequestIntent.ORDER);
        assertThat(request.getMedicationCodeableConcept().getCodingFirstRep().getSystem()).isEqualTo("http://www.nlm.nih.gov/research/umls/rxnorm");
        assertThat(request.getMedicationCodeableConcept().getCodingFirstRep().getCode()).isEqualTo("197361");
        assertThat(request.getSubject().getReference()).isEqualTo("Patient/42");
        assertThat(request.getRequester().getDisplay()).isEqualTo("Gregory House");
        assertThat(request.getDosageInstructionFirstRep().getDoseAndRateFirstRep().getDoseQuantity().getValue()).isEqualByComparingTo("5");
        assertThat(request.getDosageInstructionFirstRep().getRoute().getCodingFirstRep().getCode()).isEqualTo("PO");
        assertThat(request.getDosageInstructionFirstRep().getText()).isEqualTo("take one each morning");
        assertThat(request.getDispenseRequest().getQuantity().getValue()).isEqualByComparingTo("30");
        assertThat(request.getDispenseRequest().getNumberOfRepeatsAllowed()).isEqualTo(2);
        assertThat(request.getAuthoredOnElement().getValueAsString()).isEqualTo("2026-01-10T08:15:00+00:00");
        MedicationRequest cancelled = (MedicationRequest) PharmacyMapper.orders((RDE_O11) PARSER.parse(Hl7v2Messages.rde("R-2", "N-1", "CA", "ORD-9")),
                ids -> "42", "st-mary").getEntryFirstRep().getResource();
        assertThat(cancelled.getStatus()).isEqualTo(MedicationRequest.MedicationRequestStatus.CANCELLED);
    }

    @Test
    void aDispenseBecomesAMedicationDispenseOfItsOrder() throws Exception {
        Bundle tx = PharmacyMapper.dispenses((RDS_O13) PARSER.parse(Hl7v2Messages.rds("D-1", "N-1", "ORD-9")), ids -> "42", "st-mary");
        MedicationDispense dispense = (MedicationDispense) tx.getEntryFirstRep().getResource();
        assertThat(tx.getEntryFirstRep().getRequest().getMethod()).isEqualTo(Bundle.HTTPVerb.POST);
        assertThat(dispense.getStatus()).isEqualTo(MedicationDispense.MedicationDispenseStatus.COMPLETED);
        assertThat(dispense.getMedicationCodeableConcept().getCodingFirstRep().getCode()).isEqualTo("197361");
        assertThat(dispense.getQuantity().getValue()).isEqualByComparingTo("30");
        assertThat(dispense.getQuantity().getCode()).isEqualTo("{tbl}");
        assertThat(dispense.getWhenHandedOverElement().getValueAsString()).isEqualTo("2026-01-11T08:55:00+00:00");
        assertThat(dispense.getAuthorizingPrescriptionFirstRep().getIdentifier().getValue()).isEqualTo("ORD-9");
        assertThat(dispense.getIdentifierFirstRep().getValue()).isEqualTo("RX-ORD-9");
        assertThat(dispense.getPerformerFirstRep().getActor().getDisplay()).isEqualTo("Paula Chemist");
        String noDrug = Hl7v2Messages.rds("D-2", "N-1", "ORD-9").replace("197361^Amlodipine 5 MG Oral Tablet^RXNORM", "");
        assertThatThrownBy(() -> PharmacyMapper.dispenses((RDS_O13) PARSER.parse(noDrug), ids -> "42", "st-mary"))
                .isInstanceOfSatisfying(HL7Exception.class, e -> {
                    assertThat(e.getErrorCode()).isEqualTo(101);
                    assertThat(e.getLocation().getSegmentName()).isEqualTo("RXD");
                });
    }
}
