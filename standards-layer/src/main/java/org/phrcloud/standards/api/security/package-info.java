/** Who may call each API endpoint: bearer tokens, parties, step-up (RFC 6750, RFC 9470); deny by default. */
package org.phrcloud.standards.api.security;
