package org.phrcloud.identity.mpi;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The master patient index (ARCHITECTURE.md "Identity"): answers who a person is, what their pseudonym is,
 * where their chain is (home institution) and which FHIR Patient is theirs.
 *
 * <p>Guarantees: an identifier (system + value) belongs to at most one identity, and so does a FHIR Patient id
 * and a Keycloak login; a change that would break this throws {@link IdentityConflictException} and writes
 * nothing. Every change is recorded as a {@link LinkEvent}. Methods join the caller's database transaction when
 * there is one (for example HAPI FHIR's, so an identity and the Patient that made it commit together) and run in
 * their own otherwise.
 */
public interface MasterPatientIndex {

    /**
     * The identity that owns any of the identifiers of {@code demographics}, or a new one.
     * A known identity learns the identifiers it did not have yet (e.g. a second institution's MRN); its stored
     * demographics are not replaced (use {@link #updateDemographics}).
     *
     * @param homeInstitution institution id for a new identity; ignored for a known one
     * @param actor           who asks, for the audit trail
     * @throws IdentityConflictException if the identifiers belong to two different identities
     */
    default Resolution resolveOrRegister(Demographics demographics, String homeInstitution, String actor) {
        return resolveOrRegister(demographics, homeInstitution, actor, null);
    }

    /**
     * As {@link #resolveOrRegister(Demographics, String, String)}, for a person who is present: a new identity's
     * private key goes straight to them as a {@link org.phrcloud.identity.keys.PatientKeyFile} under their
     * passphrase, and the server never stores it (only the public key).
     *
     * @param passphrase the patient's passphrase, or null to keep the private key sealed until
     *                   {@link #handOverKeyFile}
     */
    Resolution resolveOrRegister(Demographics demographics, String homeInstitution, String actor, char[] passphrase);

    /**
     * Registers a patient whose chain moved here from another deployment (ARCHITECTURE.md "Federation", moving a
     * patient's home): their identity is their public key (the pseudonym derives from it), with no demographics (none
     * came with the chain) and no private key (the patient keeps it).
     *
     * @param publicKey       the patient's ECDSA P-256 public key
     * @param homeInstitution this deployment's institution id
     * @throws IdentityConflictException if an identity of that pseudonym exists here
     */
    PatientIdentity registerMovedIn(java.security.PublicKey publicKey, String homeInstitution, String actor);

    /**
     * The result of {@link #resolveOrRegister}.
     *
     * @param identity   the identity
     * @param registered whether it was made just now
     * @param keyFile    the key file (JSON text) when it was registered with a passphrase; otherwise null
     */
    record Resolution(PatientIdentity identity, boolean registered, String keyFile) {
    }

    /** Replaces the demographics of an identity and indexes identifiers it did not have. */
    PatientIdentity updateDemographics(String pseudonym, Demographics demographics, String actor);

    Optional<PatientIdentity> findByPseudonym(String pseudonym);

    /** Exact lookup through the blind index; nothing is decrypted to find it. */
    Optional<PatientIdentity> findByIdentifier(Identifier identifier);

    /** @param patientId the id part of a FHIR Patient, e.g. {@code 123} */
    Optional<PatientIdentity> findByPatientId(String patientId);

    /** @param keycloakUserId the {@code sub} of the patient's access token */
    Optional<PatientIdentity> findByKeycloakUserId(String keycloakUserId);

    /** The pseudonym a FHIR Patient is linked to, without decrypting anything (for the write path). */
    Optional<String> pseudonymOfPatient(String patientId);

    /** The FHIR Patient ids linked to a pseudonym (empty for an unknown one), without decrypting anything (for every request). */
    Set<String> patientIdsOf(String pseudonym);

    /** The FHIR Patient ids of the identity a login is linked to, without decrypting anything (for every request). */
    Set<String> patientIdsOfLogin(String keycloakUserId);

    /**
     * Ranked candidates for a person: identifier matches first ({@code certain}), then people with the same
     * birth date ranked by name and gender (see {@link MatchCandidate#score()}); at most {@code limit}, best
     * first, nothing below {@code possible}.
     */
    List<MatchCandidate> match(Demographics query, int limit);

    /**
     * @throws UnknownIdentityException  if there is no such pseudonym
     * @throws IdentityConflictException if the Patient is linked to another identity
     */
    void linkPatient(String pseudonym, String patientId, String actor);

    /** @throws UnknownIdentityException if that Patient is not linked to that pseudonym */
    void unlinkPatient(String pseudonym, String patientId, String actor);

    /**
     * Links the patient's Keycloak login, so that their token opens their own compartment.
     *
     * @throws IdentityConflictException if the login is linked to another identity
     */
    void linkLogin(String pseudonym, String keycloakUserId, String actor);

    /**
     * Ids of the FHIR Patients of every identity whose home institution is {@code institution} or who had an
     * encounter there ({@link #recordEncounter}).
     */
    Set<String> patientIdsOfInstitution(String institution);

    /**
     * Records that the person of a FHIR Patient had an encounter at an institution (once per institution).
     *
     * @return false if the Patient is not in the index (nothing recorded)
     */
    boolean recordEncounter(String patientId, String institution, String actor);

    /**
     * Hands the patient's private key over, once: encrypted under their passphrase as a
     * {@link org.phrcloud.identity.keys.PatientKeyFile} (JSON text), after which the server forgets it.
     *
     * @return the key file, or empty if it was handed over before
     * @throws UnknownIdentityException if there is no such pseudonym
     */
    Optional<String> handOverKeyFile(String pseudonym, char[] passphrase, String actor);

    /** The audit trail of one identity, oldest first. */
    List<LinkEvent> history(String pseudonym);
}
