package org.phrcloud.standards.hl7v2;

import ca.uhn.hl7v2.ErrorCode;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.v251.datatype.CX;
import ca.uhn.hl7v2.model.v251.datatype.XAD;
import ca.uhn.hl7v2.model.v251.datatype.XPN;
import ca.uhn.hl7v2.model.v251.datatype.XTN;
import ca.uhn.hl7v2.model.v251.segment.PID;
import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Patient;

import java.util.ArrayList;
import java.util.List;

/**
 * PID to FHIR Patient, after the HL7 V2-to-FHIR implementation guide's segment map PID[Patient]: PID-3 identifier,
 * PID-5 name, PID-7 birthDate, PID-8 gender, PID-11 address, PID-13 telecom. A field the message leaves empty keeps
 * what the Patient already had (an ADT^A08 updates what it sends).
 */
final class PidMapper {
    private PidMapper() {
    }

    /**
     * PID-3's identifiers that name an assigning authority.
     *
     * @throws HL7Exception REQUIRED_FIELD_MISSING at PID-3 when there is none
     */
    static List<Identifier> identifiers(PID pid) throws HL7Exception {
        List<Identifier> identifiers = new ArrayList<>();
        for (CX cx : pid.getPatientIdentifierList()) {
            Identifier id = V2Datatypes.identifier(cx);
            if (id != null) {
                identifiers.add(id);
            }
        }
        if (identifiers.isEmpty()) {
            throw V2Datatypes.error("PID-3 names no patient identifier with an assigning authority", ErrorCode.REQUIRED_FIELD_MISSING, "PID", 3);
        }
        return identifiers;
    }

    /** Writes what PID says onto {@code patient} (identifiers added, never removed). */
    static Patient apply(PID pid, Patient patient) throws HL7Exception {
        for (Identifier id : identifiers(pid)) {
            boolean known = patient.getIdentifier().stream()
                    .anyMatch(i -> id.getSystem().equals(i.getSystem()) && id.getValue().equals(i.getValue()));
            if (!known) {
                patient.addIdentifier(id);
            }
        }
        List<HumanName> names = new ArrayList<>();
        for (XPN xpn : pid.getPatientName()) {
            HumanName name = new HumanName();
            String family = xpn.getFamilyName().getSurname().getValue();
            if (family != null && !family.isBlank()) {
                name.setFamily(family.strip());
            }
            for (String given : new String[]{xpn.getGivenName().getValue(), xpn.getSecondAndFurtherGivenNamesOrInitialsThereof().getValue()}) {
                if (given != null && !given.isBlank()) {
                    name.addGiven(given.strip());
                }
            }
            if (xpn.getPrefixEgDR().getValue() != null) {
                name.addPrefix(xpn.getPrefixEgDR().getValue());
            }
            if (xpn.getSuffixEgJRorIII().getValue() != null) {
                name.addSuffix(xpn.getSuffixEgJRorIII().getValue());
            }
            if ("L".equals(xpn.getNameTypeCode().getValue())) {
                name.setUse(HumanName.NameUse.OFFICIAL);
            }
            if (name.hasFamily() || name.hasGiven()) {
                names.add(name);
            }
        }
        if (!names.isEmpty()) {
            patient.setName(names);
        }
        org.hl7.fhir.r4.model.DateType born = V2Datatypes.date(pid.getDateTimeOfBirth().getTime().getValue(), "PID", 7);
        if (born != null) {
            patient.setBirthDateElement(born);
        }
        String sex = V2Datatypes.present(pid.getAdministrativeSex().getValue());
        if (sex != null) {
            patient.setGender(switch (sex.strip()) {
                case "M" -> Enumerations.AdministrativeGender.MALE;
                case "F" -> Enumerations.AdministrativeGender.FEMALE;
                case "O", "A", "N" -> Enumerations.AdministrativeGender.OTHER;
                default -> Enumerations.AdministrativeGender.UNKNOWN;
            });
        }
        List<Address> addresses = new ArrayList<>();
        for (XAD xad : pid.getPatientAddress()) {
            Address a = new Address();
            String street = xad.getStreetAddress().getStreetOrMailingAddress().getValue();
            if (street != null) {
                a.addLine(street);
            }
            if (xad.getOtherDesignation().getValue() != null) {
                a.addLine(xad.getOtherDesignation().getValue());
            }
            a.setCity(xad.getCity().getValue()).setState(xad.getStateOrProvince().getValue())
                    .setPostalCode(xad.getZipOrPostalCode().getValue()).setCountry(xad.getCountry().getValue());
            if (a.hasLine() || a.hasCity() || a.hasPostalCode()) {
                addresses.add(a);
            }
        }
        if (!addresses.isEmpty()) {
            patient.setAddress(addresses);
        }
        List<ContactPoint> telecom = new ArrayList<>();
        for (XTN xtn : pid.getPhoneNumberHome()) {
            String email = xtn.getEmailAddress().getValue();
            String phone = xtn.getTelephoneNumber().getValue() != null ? xtn.getTelephoneNumber().getValue()
                    : xtn.getUnformattedTelephoneNumber().getValue();
            if (email != null && !email.isBlank()) {
                telecom.add(new ContactPoint().setSystem(ContactPoint.ContactPointSystem.EMAIL).setValue(email.strip()));
            } else if (phone != null && !phone.isBlank()) {
                telecom.add(new ContactPoint().setSystem(ContactPoint.ContactPointSystem.PHONE).setValue(phone.strip())
                        .setUse(ContactPoint.ContactPointUse.HOME));
            }
        }
        if (!telecom.isEmpty()) {
            patient.setTelecom(telecom);
        }
        return patient;
    }
}
