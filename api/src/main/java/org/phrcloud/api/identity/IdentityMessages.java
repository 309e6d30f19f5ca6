package org.phrcloud.api.identity;

import org.phrcloud.identity.institution.InstitutionKey;
import org.phrcloud.identity.mpi.Demographics;
import org.phrcloud.identity.mpi.LinkEvent;
import org.phrcloud.identity.mpi.MatchCandidate;
import org.phrcloud.identity.mpi.PatientIdentity;

import java.time.Instant;
import java.util.Base64;
import java.util.Set;

/** The JSON bodies of {@code /api/identity}. Demographics use FHIR R4 Patient element names and codes. */
public final class IdentityMessages {
    private IdentityMessages() {
    }

    /**
     * @param demographics    the person
     * @param homeInstitution the institution that keeps their chain; for a care giver or an institution system it
     *                        defaults to their own (and must be one of theirs)
     * @param passphrase      optional, at least 12 characters, when the patient is present: a new identity's
     *                        private key is returned at once in {@code keyFile} under it and never stored
     */
    public record RegistrationRequest(Demographics demographics, String homeInstitution, String passphrase) {
    }

    /**
     * @param identity the identity
     * @param keyFile  the patient's key file (format phr-patient-key v1) when registered with a passphrase; else null
     */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    public record RegistrationResult(IdentitySummary identity, com.fasterxml.jackson.databind.JsonNode keyFile) {
    }

    /**
     * An identity without its demographics.
     *
     * @param pseudonym       hex SHA-256 of the public key
     * @param publicKey       Base64 DER SubjectPublicKeyInfo, ECDSA P-256
     * @param homeInstitution institution id
     * @param patientIds      linked FHIR Patient ids
     * @param keyHandedOver   whether the private key has been handed to the patient
     * @param registeredAt    ISO 8601 instant
     */
    public record IdentitySummary(String pseudonym, String publicKey, String homeInstitution, Set<String> patientIds,
                                  boolean keyHandedOver, Instant registeredAt) {
        static IdentitySummary of(PatientIdentity i) {
            return new IdentitySummary(i.pseudonym(), Base64.getEncoder().encodeToString(i.publicKey()), i.homeInstitution(),
                    i.patientIds(), i.keyHandedOver(), i.registeredAt());
        }
    }

    /** @param limit how many candidates at most, 1 to 50 (default 10) */
    public record MatchRequest(Demographics demographics, Integer limit) {
    }

    /**
     * @param score 0 to 1
     * @param grade FHIR match-grade: certain, probable, possible
     */
    public record MatchResult(String pseudonym, double score, String grade, String homeInstitution) {
        static MatchResult of(MatchCandidate c) {
            return new MatchResult(c.identity().pseudonym(), c.score(), c.grade().code(), c.identity().homeInstitution());
        }
    }

    /** @param keycloakUserId the {@code sub} of the patient's Keycloak account */
    public record LoginLink(String keycloakUserId) {
    }

    /** @param passphrase at least 12 characters; the key file is encrypted under it (PBKDF2 + AES-GCM) */
    public record KeyFileRequest(String passphrase) {
    }

    public record HistoryEntry(Instant occurredAt, String action, String target, String actor) {
        static HistoryEntry of(LinkEvent e) {
            return new HistoryEntry(e.occurredAt(), e.action().name(), e.target(), e.actor());
        }
    }

    /** A published institution key. */
    public record InstitutionKeySummary(String keyId, String institution, String publicKey, Instant createdAt, Instant retiredAt) {
        static InstitutionKeySummary of(InstitutionKey k) {
            return new InstitutionKeySummary(k.keyId(), k.institution(), Base64.getEncoder().encodeToString(k.publicKey()),
                    k.createdAt(), k.retiredAt());
        }
    }
}
