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
 * what the Patient already had (an ADT^A08 updates what it sends); a field sent as {@code ""} (the explicit null) removes
 * it: PID-7, PID-8, PID-11 and PID-13 (PID-3 identifiers are only ever added, PID-5 names only replaced).
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
        } else if (V2Datatypes.explicitNull(pid.getDateTimeOfBirth().getTime().getValue())) {
            patient.setBirthDateElement(null);
        }
        String sex = V2Datatypes.present(pid.getAdministrativeSex().getValue());
        if (V2Datatypes.explicitNull(pid.getAdministrativeSex().getValue())) {
            patient.setGender(null);
        } else if (sex != null) {
            patient.setGender(switch (sex.strip()) {
                case "M" -> Enumerations.AdministrativeGender.MALE;
                case "F" -> Enumerations.AdministrativeGender.FEMALE;
                case "O", "A", "N" -> Enumerations.AdministrativeGender.OTHER;
                default -> Enumerations.AdministrativeGender.UNKNOWN;
            });
        }
        List<Address> addresses = new ArrayList<>();
        XAD[] xads = pid.getPatientAddress();
        if (xads.length == 1 && V2Datatypes.explicitNull(xads[0].encode())) {
            patient.setAddress(null);
            xads = new XAD[0];
        }
        for (XAD xad : xads) {
            Address a = new Address();
            String street = V2Datatypes.present(xad.getStreetAddress().getStreetOrMailingAddress().getValue());
            if (street != null) {
                a.addLine(street);
            }
            String other = V2Datatypes.present(xad.getOtherDesignation().getValue());
            if (other != null) {
                a.addLine(other);
            }
            a.setCity(V2Datatypes.present(xad.getCity().getValue())).setState(V2Datatypes.present(xad.getStateOrProvince().getValue()))
                    .setPostalCode(V2Datatypes.present(xad.getZipOrPostalCode().getValue()))
                    .setCountry(V2Datatypes.present(xad.getCountry().getValue()));
            if (a.hasLine() || a.hasCity() || a.hasPostalCode()) {
                addresses.add(a);
            }
        }
        if (!addresses.isEmpty()) {
            patient.setAddress(addresses);
        }
        List<ContactPoint> telecom = new ArrayList<>();
        XTN[] xtns = pid.getPhoneNumberHome();
        if (xtns.length == 1 && V2Datatypes.explicitNull(xtns[0].encode())) {
            patient.setTelecom(null);
            xtns = new XTN[0];
        }
        for (XTN xtn : xtns) {
            String email = V2Datatypes.present(xtn.getEmailAddress().getValue());
            String phone = V2Datatypes.present(xtn.getTelephoneNumber().getValue()) != null ? xtn.getTelephoneNumber().getValue()
                    : V2Datatypes.present(xtn.getUnformattedTelephoneNumber().getValue());
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
