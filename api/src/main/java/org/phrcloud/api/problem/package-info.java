/** The problem types of the JSON APIs (RFC 9457): the error catalog served at /api/problems. */
package org.phrcloud.api.problem;
