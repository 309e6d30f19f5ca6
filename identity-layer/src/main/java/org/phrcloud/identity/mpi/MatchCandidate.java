package org.phrcloud.identity.mpi;

/**
 * One answer of a ranked match.
 *
 * @param identity the candidate
 * @param score    0 to 1: 1 for an identifier match; otherwise the weighted Jaro-Winkler similarity of family name
 *                 (0.5) and first given name (0.35) plus 0.15 when the gender agrees, among people with the same
 *                 birth date
 * @param grade    the FHIR {@code match-grade} code (http://hl7.org/fhir/R4/valueset-match-grade.html)
 */
public record MatchCandidate(PatientIdentity identity, double score, Grade grade) {
    /** FHIR R4 match-grade: certain (identifier), probable (score at least 0.9), possible (at least 0.75). */
    public enum Grade {
        CERTAIN("certain"), PROBABLE("probable"), POSSIBLE("possible");

        private final String code;

        Grade(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }
    }
}
