/** Time-based one-time passwords (RFC 6238) for the second authentication step. */
package org.phrcloud.identity.totp;
