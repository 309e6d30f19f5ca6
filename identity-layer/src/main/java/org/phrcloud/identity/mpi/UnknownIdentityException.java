package org.phrcloud.identity.mpi;

/** No identity has this pseudonym (or the link asked for does not exist). Maps to HTTP 404. */
public class UnknownIdentityException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UnknownIdentityException(String message) {
        super(message);
    }
}
