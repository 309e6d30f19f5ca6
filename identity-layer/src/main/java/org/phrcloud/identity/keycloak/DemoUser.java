package org.phrcloud.identity.keycloak;

import org.phrcloud.identity.PhrRole;

/**
 * A demo account of one role, with the secrets a person needs to log in.
 *
 * @param username   Keycloak username, e.g. {@code demo-patient}
 * @param password   the password (generated once per installation, never in code)
 * @param role       the user's realm role
 * @param totpSecret the TOTP secret in Base32 (what an authenticator app takes)
 */
public record DemoUser(String username, String password, PhrRole role, String totpSecret) {
}
