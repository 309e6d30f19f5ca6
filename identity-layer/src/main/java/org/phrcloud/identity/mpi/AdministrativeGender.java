package org.phrcloud.identity.mpi;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** FHIR R4 value set {@code administrative-gender} (http://hl7.org/fhir/R4/valueset-administrative-gender.html). */
public enum AdministrativeGender {
    MALE, FEMALE, OTHER, UNKNOWN;

    /** @return the FHIR code (also the JSON form): {@code male}, {@code female}, {@code other}, {@code unknown} */
    @JsonValue
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException if the code is not one of the four */
    @JsonCreator
    public static AdministrativeGender fromCode(String code) {
        for (AdministrativeGender g : values()) {
            if (g.code().equals(code)) {
                return g;
            }
        }
        throw new IllegalArgumentException("PHR-IDENTITY-0302: unknown administrative gender " + code);
    }
}
