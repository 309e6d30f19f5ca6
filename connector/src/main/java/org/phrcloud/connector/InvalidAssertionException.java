package org.phrcloud.connector;

/**
 * A client assertion that must be refused (RFC 7523 section 3): malformed, not signed by an admitted institution's
 * published key, for another audience, expired, too long-lived, or replayed. The message starts with its
 * {@code PHR-FEDERATION-04nn} code and names no person.
 */
public class InvalidAssertionException extends Exception {
    public InvalidAssertionException(String message) {
        super(message);
    }
}
