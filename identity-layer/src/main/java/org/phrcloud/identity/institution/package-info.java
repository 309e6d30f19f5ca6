/** Institutions' signing keys: made, rotated by key id, stored encrypted, public keys published as a JWK Set. */
package org.phrcloud.identity.institution;
