/**
 * The federation's beans (ARCHITECTURE.md "Federation", {@link org.phrcloud.standards.fhir.federation.FederationConfig}):
 * the network registry on chain, the verifier of other deployments' client assertions ({@code core.federation}) and
 * the Connector's {@code FederationClient} through which this deployment calls others.
 */
package org.phrcloud.standards.fhir.federation;
