package org.phrcloud.identity.mpi;

import java.time.LocalDate;
import java.util.List;

/**
 * What the master patient index knows of a person, the plaintext of the encrypted demographics. Element names
 * follow FHIR R4 {@code Patient}. Only {@link #identifiers()} is searchable (blind index); the birth date is also
 * kept as a blind index so that ranked matching can look at the people born that day only.
 *
 * @param identifiers national id, medical record numbers; may be empty
 * @param family      family name, may be null
 * @param given       given names, first one first; may be empty
 * @param birthDate   may be null
 * @param gender      may be null
 * @param address     may be null
 */
public record Demographics(List<Identifier> identifiers, String family, List<String> given, LocalDate birthDate,
                           AdministrativeGender gender, Address address) {
    public Demographics {
        identifiers = identifiers == null ? List.of() : List.copyOf(identifiers);
        given = given == null ? List.of() : List.copyOf(given);
    }

    /**
     * FHIR R4 {@code Address}, the parts the index keeps.
     *
     * @param line       street lines
     * @param city       city
     * @param postalCode postal code
     * @param country    ISO 3166 country code or name
     */
    public record Address(List<String> line, String city, String postalCode, String country) {
        public Address {
            line = line == null ? List.of() : List.copyOf(line);
        }
    }
}
