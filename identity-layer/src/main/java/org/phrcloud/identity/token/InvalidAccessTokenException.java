package org.phrcloud.identity.token;

/**
 * The bearer token is missing, malformed, expired, not signed by the realm, or meant for another
 * issuer or audience. Maps to HTTP 401 (RFC 6750 section 3.1, {@code error="invalid_token"}).
 * Messages carry a {@code PHR-TOKEN-nnnn} code and never the token itself.
 */
public class InvalidAccessTokenException extends Exception {
    public InvalidAccessTokenException(String message) {
        super(message);
    }

    public InvalidAccessTokenException(String message, Throwable cause) {
        super(message, cause);
    }
}
