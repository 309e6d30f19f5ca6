/**
 * The Connector: the client library of the PHR Cloud federation (ARCHITECTURE.md "Federation"), usable on its own by
 * institution systems and apps and used by the servers for their own calls to other deployments. It reads the network's
 * registries on chain ({@link org.phrcloud.connector.NetworkRegistry}: admitted institutions, their endpoints and
 * JWK Sets, the home of a patient's chain), signs and verifies the RFC 7523 client assertions deployments authenticate
 * each other with ({@link org.phrcloud.connector.ClientAssertion}), and locates a patient across the network with
 * IHE PDQm {@code Patient/$match} ({@link org.phrcloud.connector.FederationClient}).
 */
package org.phrcloud.connector;
