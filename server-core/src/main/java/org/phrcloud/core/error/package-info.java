/** The error catalog: every {@code PHR-...} code once, with its HTTP status and title. */
package org.phrcloud.core.error;
