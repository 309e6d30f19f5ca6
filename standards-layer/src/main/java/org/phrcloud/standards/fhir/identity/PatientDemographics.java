package org.phrcloud.standards.fhir.identity;

import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.StringType;
import ca.uhn.fhir.model.api.TemporalPrecisionEnum;
import org.phrcloud.identity.mpi.AdministrativeGender;
import org.phrcloud.identity.mpi.Demographics;
import org.phrcloud.identity.mpi.Identifier;

import java.time.LocalDate;
import java.util.List;

/**
 * Reads the demographics the master patient index keeps out of a FHIR R4 Patient: every identifier with a system
 * and a value, the {@code official} name (else the first one), the birth date when it is known to the day, the
 * gender, and the {@code home} address (else the first one).
 */
public final class PatientDemographics {
    private PatientDemographics() {
    }

    public static Demographics from(Patient patient) {
        List<Identifier> identifiers = patient.getIdentifier().stream()
                .filter(i -> i.hasSystem() && i.hasValue())
                .map(i -> new Identifier(i.getSystem(), i.getValue()))
                .toList();
        HumanName name = patient.getName().stream().filter(n -> n.getUse() == HumanName.NameUse.OFFICIAL).findFirst()
                .orElse(patient.getName().isEmpty() ? null : patient.getName().get(0));
        LocalDate birthDate = patient.hasBirthDate() && patient.getBirthDateElement().getPrecision() == TemporalPrecisionEnum.DAY
                ? LocalDate.parse(patient.getBirthDateElement().getValueAsString()) : null;
        AdministrativeGender gender = patient.hasGender() && patient.getGender().toCode() != null
                ? AdministrativeGender.fromCode(patient.getGender().toCode()) : null;
        Address address = patient.getAddress().stream().filter(a -> a.getUse() == Address.AddressUse.HOME).findFirst()
                .orElse(patient.getAddress().isEmpty() ? null : patient.getAddress().get(0));
        return new Demographics(identifiers,
                name == null ? null : name.getFamily(),
                name == null ? List.of() : name.getGiven().stream().map(StringType::getValue).toList(),
                birthDate, gender,
                address == null ? null : new Demographics.Address(address.getLine().stream().map(StringType::getValue).toList(),
                        address.getCity(), address.getPostalCode(), address.getCountry()));
    }
}
