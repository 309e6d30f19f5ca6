package org.phrcloud.connector;

import java.util.Objects;

/**
 * The person on whose behalf a deployment calls another one, as the calling institution asserts it: the subject
 * claims of the UDAP B2B authorization extension object {@code hl7-b2b} (UDAP Security IG, "Business-to-Business",
 * section 5.2.1.1) plus the authentication level {@code acr} of that person's login.
 *
 * @param subjectId    the person's user id at the calling institution ({@code subject_id})
 * @param subjectName  the person's user name there, as shown in audit trails ({@code subject_name})
 * @param role         the PHR role the person acts in ({@code subject_role}): {@code practitioner},
 *                     {@code family-doctor}, {@code pharmacist} or {@code lab}; {@code patient} where the receiving
 *                     endpoint admits patients of another deployment (a record kept for the patient, read by their home)
 * @param acr          the person's authentication context class: "2" for password + TOTP
 * @param purposeOfUse the HL7 PurposeOfUse code (v3 ActReason, 2.16.840.1.113883.5.8): {@code TREAT}, or
 *                     {@code ETREAT} for emergency treatment, {@code PATRQT} for a patient's own request
 */
public record ActingParty(String subjectId, String subjectName, String role, String acr, String purposeOfUse) {
    /** The code system of {@link #purposeOfUse()}, as UDAP writes it ({@code urn:oid:...#CODE}). */
    public static final String PURPOSE_OF_USE_SYSTEM = "urn:oid:2.16.840.1.113883.5.8";

    public ActingParty {
        Objects.requireNonNull(subjectId, "subjectId");
        Objects.requireNonNull(subjectName, "subjectName");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(purposeOfUse, "purposeOfUse");
    }
}
