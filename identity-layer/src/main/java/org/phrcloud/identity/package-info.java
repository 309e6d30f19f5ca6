/**
 * Layer 1 of PHR Cloud: who people are. The master patient index, pseudonyms, keys, and the
 * link to Keycloak (realm provisioning, access-token checks). Depends on nothing of ours.
 */
package org.phrcloud.identity;
