package org.phrcloud.identity.mpi;

import java.time.Instant;
import java.util.Set;

/**
 * One person in the master patient index.
 *
 * <p>Life cycle: registered (by an institution creating a FHIR Patient, or through {@code /api/identity}) with a
 * fresh ECDSA P-256 key pair; the private key waits, encrypted at rest, until it is handed to the patient once
 * under their passphrase ({@link MasterPatientIndex#handOverKeyFile}); FHIR Patient resources and the patient's
 * Keycloak login are linked to it; it is never deleted, so a pseudonym never changes owner.
 *
 * @param pseudonym       64 lowercase hex characters, SHA-256 of {@code publicKey} (see
 *                        {@link org.phrcloud.identity.keys.Pseudonym})
 * @param publicKey       DER SubjectPublicKeyInfo of the patient's P-256 key
 * @param demographics    decrypted demographics
 * @param homeInstitution the id of the institution that keeps the patient's chain; null if none
 * @param keycloakUserId  the patient's Keycloak user id ({@code sub}); null until a login is linked
 * @param patientIds      ids of the linked FHIR Patient resources (the id part, e.g. {@code 123})
 * @param keyHandedOver   true once the private key has left the server
 * @param registeredAt    when the identity was created
 */
public record PatientIdentity(String pseudonym, byte[] publicKey, Demographics demographics, String homeInstitution,
                              String keycloakUserId, Set<String> patientIds, boolean keyHandedOver,
                              Instant registeredAt) {
    public PatientIdentity {
        patientIds = Set.copyOf(patientIds);
    }
}
