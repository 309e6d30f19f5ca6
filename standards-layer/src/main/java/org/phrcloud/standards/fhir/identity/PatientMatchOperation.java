package org.phrcloud.standards.fhir.identity;

import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Patient;
import org.phrcloud.connector.FederationClient;
import org.phrcloud.identity.mpi.Demographics;
import org.phrcloud.identity.mpi.MasterPatientIndex;
import org.phrcloud.identity.mpi.MatchCandidate;

import java.math.BigDecimal;
import java.util.List;
import java.util.TreeSet;

/**
 * {@code POST /fhir/Patient/$match} (FHIR R4 operation Patient-match; IHE PDQm ITI-119): the master patient index's
 * candidates for the demographics in {@code resource} (identifiers, or name, birth date and gender), as a
 * {@code searchset} Bundle of Patients in match mode, each with {@code search.score} (0 to 1) and the
 * {@code match-grade} extension ({@code certain}, {@code probable}, {@code possible}), best first.
 *
 * <p>Each Patient carries its id here and the patient's pseudonym (identifier system {@value
 * FederationClient#PSEUDONYM_SYSTEM}) and nothing else: whoever asks learns where the record is, never demographics
 * they did not send (ARCHITECTURE.md "Federation", locating a patient). Who may ask: institution systems, care givers
 * and other deployments' care givers ({@code CompartmentAuthorizationInterceptor}); the answer is audited as a
 * query naming the matched patients.
 *
 * <p>Errors: 400 (OperationOutcome) without a Patient in {@code resource}, with {@code count} outside 1 to 50, or with
 * demographics too thin to match on (no identifier, and no birth date).
 */
public final class PatientMatchOperation {
    private final MasterPatientIndex mpi;

    public PatientMatchOperation(MasterPatientIndex mpi) {
        this.mpi = mpi;
    }

    @Operation(name = "$match", type = Patient.class, idempotent = false)
    public Bundle match(@OperationParam(name = "resource", min = 1, max = 1) Patient resource,
                        @OperationParam(name = "onlyCertainMatches", max = 1) BooleanType onlyCertainMatches,
                        @OperationParam(name = "count", max = 1) IntegerType count) {
        if (resource == null) {
            throw new InvalidRequestException("PHR-FHIR-0305: $match needs a Patient in the parameter resource");
        }
        int limit = count == null || count.getValue() == null ? 10 : count.getValue();
        if (limit < 1 || limit > 50) {
            throw new InvalidRequestException("PHR-FHIR-0306: count is 1 to 50");
        }
        Demographics query = PatientDemographics.from(resource);
        if (query.identifiers().isEmpty() && query.birthDate() == null) {
            throw new InvalidRequestException("PHR-FHIR-0307: $match needs an identifier, or a name with birth date and gender");
        }
        boolean certainOnly = onlyCertainMatches != null && Boolean.TRUE.equals(onlyCertainMatches.getValue());
        List<MatchCandidate> candidates = mpi.match(query, limit);
        Bundle answer = new Bundle().setType(Bundle.BundleType.SEARCHSET);
        for (MatchCandidate candidate : candidates) {
            if (certainOnly && candidate.grade() != MatchCandidate.Grade.CERTAIN) {
                continue;
            }
            Patient found = new Patient();
            new TreeSet<>(candidate.identity().patientIds()).stream().findFirst().ifPresent(found::setId);
            found.addIdentifier().setSystem(FederationClient.PSEUDONYM_SYSTEM).setValue(candidate.identity().pseudonym());
            Bundle.BundleEntryComponent entry = answer.addEntry().setResource(found);
            if (found.hasId()) {
                entry.setFullUrl("Patient/" + found.getIdElement().getIdPart());
            }
            entry.getSearch().setMode(Bundle.SearchEntryMode.MATCH).setScore(BigDecimal.valueOf(candidate.score()))
                    .addExtension(FederationClient.MATCH_GRADE, new CodeType(candidate.grade().code()));
        }
        answer.setTotal(answer.getEntry().size());
        return answer;
    }
}
