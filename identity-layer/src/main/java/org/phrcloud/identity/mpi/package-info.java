/**
 * The master patient index (layer 1, ARCHITECTURE.md "Identity"): who a person is, their pseudonym, their home
 * institution, their Keycloak login and which FHIR Patient resources are theirs. Demographics are stored
 * encrypted; identifiers are found through a blind index.
 */
package org.phrcloud.identity.mpi;
