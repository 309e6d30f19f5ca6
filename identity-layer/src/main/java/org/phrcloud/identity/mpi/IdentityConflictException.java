package org.phrcloud.identity.mpi;

/**
 * A change would make one identifier, one FHIR Patient or one login belong to two identities. Nothing was
 * written. Maps to HTTP 409.
 */
public class IdentityConflictException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public IdentityConflictException(String message) {
        super(message);
    }
}
