package org.phrcloud.identity;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * The closed vocabulary of realm roles in the {@code phr} Keycloak realm (ARCHITECTURE.md, "Who uses it").
 * The role name is what appears in the access token's {@code groups} and {@code realm_access.roles} claims.
 */
public enum PhrRole {
    PATIENT("patient", "sees and controls their own record"),
    PRACTITIONER("practitioner", "hospital or clinic practitioner"),
    FAMILY_DOCTOR("family-doctor", "practitioner who may act as a patient's custodian"),
    PHARMACIST("pharmacist", "adds dispenses"),
    LAB("lab", "laboratory: adds results"),
    RESEARCHER("researcher", "requests anonymized data sets"),
    ADMIN("admin", "institutions, users, keys, anchoring health; no clinical reads");

    /** The people who treat or supply patients: they work for an institution and need {@code acr=2}. */
    public static final Set<PhrRole> CARE_GIVERS = Set.copyOf(EnumSet.of(PRACTITIONER, FAMILY_DOCTOR, PHARMACIST, LAB));

    private final String roleName;
    private final String description;

    PhrRole(String roleName, String description) {
        this.roleName = roleName;
        this.description = description;
    }

    /** @return the Keycloak realm role name, e.g. {@code family-doctor} */
    public String roleName() {
        return roleName;
    }

    public String description() {
        return description;
    }

    /** @return the role with this Keycloak name, or empty for any other (unknown roles grant nothing) */
    public static Optional<PhrRole> fromRoleName(String name) {
        return Arrays.stream(values()).filter(r -> r.roleName.equals(name)).findFirst();
    }
}
