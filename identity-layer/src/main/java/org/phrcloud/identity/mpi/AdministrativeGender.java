package org.phrcloud.identity.mpi;

import java.util.Locale;

/** FHIR R4 value set {@code administrative-gender} (http://hl7.org/fhir/R4/valueset-administrative-gender.html). */
public enum AdministrativeGender {
    MALE, FEMALE, OTHER, UNKNOWN;

    /** @return the FHIR code: {@code male}, {@code female}, {@code other}, {@code unknown} */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException if the code is not one of the four */
    public static AdministrativeGender fromCode(String code) {
        for (AdministrativeGender g : values()) {
            if (g.code().equals(code)) {
                return g;
            }
        }
        throw new IllegalArgumentException("PHR-IDENTITY-0302: unknown administrative gender " + code);
    }
}
