/**
 * The JSON APIs under {@code /api} (ARCHITECTURE.md "Public interfaces"), Jakarta REST resources documented with
 * MicroProfile OpenAPI ({@code GET /openapi}). Every endpoint declares who may call it
 * ({@link org.phrcloud.core.rest.Access}); one without a declaration answers 403.
 */
package org.phrcloud.api;
